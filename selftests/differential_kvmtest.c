// SPDX-License-Identifier: GPL-2.0
/*
 * Differential runs, phase 2 (KVM with ept=0, after differential_test ran
 * under shadowvm in the same boot): run the same guests with the same
 * arguments through shadowvm-run --backend=kvm and compare their outcome
 * lines with phase 1's, line by line. Any difference fails, and the first
 * differing cases are printed with their lines from both dumps.
 */
#include "differential.h"
#include "kselftest_harness.h"

FIXTURE(differential) {
};

FIXTURE_SETUP(differential)
{
}

FIXTURE_TEARDOWN(differential)
{
}

static void compare_kind(struct __test_metadata *_metadata, const char *image)
{
	const struct diff_case *c;
	int i, n, ran = 0;

	c = diff_cases(&n);
	for (i = 0; i < n; i++) {
		char ref[4096], out[4096];
		struct diff_result r;
		long ms = 0, ref_lines;
		int st;

		if (strncmp(c[i].image, image, strlen(image)))
			continue;
		ran++;
		diff_path(ref, sizeof(ref), c[i].name, "shadowvm");
		diff_path(out, sizeof(out), c[i].name, "kvm");
		ref_lines = diff_count(ref);
		EXPECT_LT(1, ref_lines) {
			TH_LOG("%s: no phase-1 dump at %s: run differential_test under shadowvm first (same DIFFERENTIAL_DIR and DIFFERENTIAL_LONG)",
			       c[i].name, ref);
		}
		if (ref_lines <= 1)
			continue;
		st = diff_run(&c[i], "kvm", out, &ms);
		EXPECT_EQ(0, st) {
			TH_LOG("%s failed under KVM: see %s and %s.err",
			       c[i].name, out, out);
		}
		ASSERT_EQ(0, diff_compare(ref, out, &r));
		ksft_print_msg("%s: %ld outcome lines compared, %ld differences, kvm run %ld ms\n",
			       c[i].name, r.compared, r.differences, ms);
		fflush(stdout);	/* the harness child ends with _exit() */
		EXPECT_EQ(0, r.differences) {
			TH_LOG("%s: shadowvm and KVM differ:\n%s", c[i].name,
			       r.report);
		}
		EXPECT_LT(1, r.compared);
	}
	EXPECT_LT(0, ran);
}

TEST_F_TIMEOUT(differential, accesstest, 290)
{
	compare_kind(_metadata, "accesstest");
}

TEST_F_TIMEOUT(differential, pttorture, 290)
{
	compare_kind(_metadata, "pttorture");
}

/*
 * A seeded divergence: KVM's own accesstest dump against a copy with one
 * case's outcome altered must give exactly that case.
 */
TEST_F_TIMEOUT(differential, seeded_divergence_is_reported, 60)
{
	char a[4096], b[4200];
	struct diff_result r;
	long lines, altered;

	diff_path(a, sizeof(a), diff_long_mode() ? "accesstest-full" : "accesstest",
		  "kvm");
	/*
	 * The accesstest case writes it. Left out by SHADOWVM_TEST_ONLY or
	 * _SKIP, there is nothing to alter; if it ran, the dump must be
	 * there (a failed run still writes one).
	 */
	if (test_filtered_out("accesstest"))
		SKIP(return, "the accesstest case is filtered out: no KVM dump to alter");
	ASSERT_EQ(0, access(a, F_OK))
		TH_LOG("no KVM dump at %s: the accesstest case ran and did not write it",
		       a);
	lines = diff_count(a);
	ASSERT_LT(10, lines) TH_LOG("no KVM dump at %s", a);
	snprintf(b, sizeof(b), "%s.altered", a);
	altered = diff_alter(a, b, lines / 3);
	ASSERT_LT(0, altered);
	ASSERT_EQ(0, diff_compare(a, b, &r));
	EXPECT_EQ(lines, r.compared);
	EXPECT_EQ(1, r.differences);
	EXPECT_EQ(altered, r.first_line_a);
	ksft_print_msg("seeded divergence at line %ld of %ld reported as:\n%s",
		       altered, lines, r.report);
	fflush(stdout);	/* the harness child ends with _exit() */
	unlink(b);
}

/*
 * Whole-binary skips: the peer must be kvm_intel with shadow paging
 * (ept=0); /dev/kvm alone may be another KVM (AMD, or EPT on).
 */
static void require_kvm_ept0(void)
{
	char ept = 0;
	int fd;

	if (access("/dev/kvm", F_OK)) {
		ksft_print_header();
		ksft_exit_skip("/dev/kvm is absent (load kvm_intel ept=0)\n");
	}
	fd = open("/sys/module/kvm_intel/parameters/ept", O_RDONLY);
	if (fd < 0) {
		ksft_print_header();
		ksft_exit_skip("kvm_intel is not loaded: the peer is KVM on VMX with ept=0\n");
	}
	if (read(fd, &ept, 1) != 1)
		ept = '?';
	close(fd);
	if (ept != 'N') {
		ksft_print_header();
		ksft_exit_skip("kvm_intel has ept=%c: reload it with ept=0 (shadow paging)\n",
			       ept);
	}
}

/*
 * Phase 1 writes a dump for every case it runs (even one that fails),
 * so none at all means it did not run here: nothing to compare with.
 */
static void require_phase1_dumps(void)
{
	const struct diff_case *c;
	char ref[4096];
	int i, n;

	c = diff_cases(&n);
	for (i = 0; i < n; i++) {
		diff_path(ref, sizeof(ref), c[i].name, "shadowvm");
		if (!access(ref, F_OK))
			return;
	}
	ksft_print_header();
	ksft_exit_skip("no phase-1 dumps in %s: run differential_test under shadowvm first (same DIFFERENTIAL_DIR and DIFFERENTIAL_LONG)\n",
		       diff_dir());
}

int main(int argc, char **argv)
{
	require_kvm_ept0();
	require_phase1_dumps();
	require_launcher();
	require_guests();
	filter_tests();
	return test_harness_run(argc, argv);
}
