// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow pager under guests that stress it, run through the launcher
 * with the module's audit on: the page-table access test (every entry bit
 * at every level x access kind x NXE/SMEP/SMAP), Linux-like address spaces
 * sharing L3 tables, page-table frames reused as data, and fork-like
 * copy-on-write churn. Each guest checks its own results; here we assert
 * its PASS lines and exit status, that --stats reports no audit failure,
 * and that the pager's counters agree with what the guest saw.
 */
#include <sys/time.h>

#include "test_util.h"
#include "kselftest_harness.h"

#define RUN_TIMEOUT_MS	180000

FIXTURE(pager) {
	struct launch l;
	char image[4096];
	double secs;
};

FIXTURE_SETUP(pager)
{
}

FIXTURE_TEARDOWN(pager)
{
}

/* The number printed right after @what in @out, or -1. */
static int run_guest(struct __test_metadata *_metadata, FIXTURE_DATA(pager) *self,
		     const char *name)
{
	const char *args[] = { "-m", "16M", "--stats", self->image, NULL };
	struct timespec t0, t1;
	int st;

	guest_path(self->image, sizeof(self->image), name);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = launcher_run(&self->l, args, RUN_TIMEOUT_MS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	self->secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* The run time is part of the report: keep each guest under ~10 s. */
	printf("# %s: status %d in %.2f s, guest_faults %lld, shadow_faults %lld, exits %lld\n",
	       name, st, self->secs, launch_stat(self->l.err, "guest_faults"),
	       launch_stat(self->l.err, "shadow_faults"),
	       launch_stat(self->l.err, "exits"));
	fflush(stdout);
	return st;
}

#define EXPECT_GUEST_OK(st, pass_line) do { \
	EXPECT_EQ(0, st) LOG_LAUNCH(&self->l); \
	EXPECT_EQ(NULL, strstr(self->l.out, "FAIL")) LOG_LAUNCH(&self->l); \
	EXPECT_NE(NULL, strstr(self->l.out, pass_line)) LOG_LAUNCH(&self->l); \
	EXPECT_EQ(0, launch_stat(self->l.err, "audit_failures")) LOG_LAUNCH(&self->l); \
} while (0)

TEST_F_TIMEOUT(pager, accesstest, 300)
{
	int st = run_guest(_metadata, self, "accesstest");
	long long modes = num_after(self->l.out, "accesstest: modes ");
	long long cases = num_after(self->l.out, " cases ");
	long long faults = num_after(self->l.out, " faults ");

	EXPECT_GUEST_OK(st, "PASS: accesstest: every access matches the architectural rules");
	EXPECT_NE(NULL, strstr(self->l.out, " mismatches 0 "));
	/*
	 * Modes: CR0.WP 1/0 x NXE 0/1, x SMEP/SMAP 0/1 if CPUID offers them.
	 * At least 105 entry cases x 6 access kinds in each WP=1 mode (the
	 * guest checks each); the WP=0 half adds the supervisor writes.
	 */
	EXPECT_LE(4, modes) LOG_LAUNCH(&self->l);
	EXPECT_LE(modes / 2 * 105 * 6 + modes / 2 * 105, cases)
		LOG_LAUNCH(&self->l);
	if (modes < 16)
		printf("# accesstest: SMEP/SMAP not offered by CPUID: %lld of 16 modes run\n",
		       modes);
	/* Every expected fault was a #PF reflected to the guest. */
	EXPECT_LT(cases / 2, faults);
	EXPECT_EQ(faults, launch_stat(self->l.err, "guest_faults"))
		LOG_LAUNCH(&self->l);
}

TEST_F_TIMEOUT(pager, l3share, 300)
{
	int st = run_guest(_metadata, self, "l3share");
	long long loads = num_after(self->l.out, "l3share: ");

	EXPECT_GUEST_OK(st, "all checks passed");
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: shared L3 entry changes are seen in every space"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: processes replaced 40 times"));
	EXPECT_LE(1400, loads) LOG_LAUNCH(&self->l);
	EXPECT_LE(loads, launch_stat(self->l.err, "cr3_loads"));
	EXPECT_LT(0, launch_stat(self->l.err, "cr3_cache_hits"));
	EXPECT_EQ(0, launch_stat(self->l.err, "guest_faults"));
}

TEST_F_TIMEOUT(pager, ptreuse, 300)
{
	int st = run_guest(_metadata, self, "ptreuse");

	EXPECT_GUEST_OK(st, "ptreuse: all checks passed");
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: 30 rounds"));
	/* Two not-present faults per round, after unlinking tables. */
	EXPECT_EQ(60, launch_stat(self->l.err, "guest_faults"))
		LOG_LAUNCH(&self->l);
}

TEST_F_TIMEOUT(pager, cowfork, 300)
{
	int st = run_guest(_metadata, self, "cowfork");
	long long cow = num_after(self->l.out, "cowfork: ");

	EXPECT_GUEST_OK(st, "cowfork: ");
	EXPECT_NE(NULL, strstr(self->l.out, "all checks passed"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: forks: copy-on-write"));
	EXPECT_NE(NULL, strstr(self->l.out, " COW faults in 12 forks"));
	EXPECT_LT(150, cow) LOG_LAUNCH(&self->l);
	EXPECT_EQ(cow, launch_stat(self->l.err, "guest_faults"))
		LOG_LAUNCH(&self->l);
}

int main(int argc, char **argv)
{
	char old[16];
	int ret;

	require_shadowvm(true);
	require_launcher();
	require_guests();
	filter_tests();
	audit_begin(old, sizeof(old));
	ret = test_harness_run(argc, argv);
	audit_restore(old);
	return ret;
}
