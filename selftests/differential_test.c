// SPDX-License-Identifier: GPL-2.0
/*
 * Differential runs, phase 1 (under shadowvm): run the outcome-dumping
 * guests (accesstest with --guest-arg=1, pttorture with fixed seeds) and
 * keep their dumps in $DIFFERENTIAL_DIR (/tmp/differential) as
 * NAME.shadowvm, for differential_kvmtest to compare with KVM's in phase
 * 2 of the same boot. Each guest also checks itself, so a run that fails
 * here fails on its own. DIFFERENTIAL_LONG=1 runs the long version.
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

static void run_kind(struct __test_metadata *_metadata, const char *image)
{
	const struct diff_case *c;
	int i, n, ran = 0;

	c = diff_cases(&n);
	for (i = 0; i < n; i++) {
		char out[4096];
		long ms = 0, lines;
		int st;

		if (strncmp(c[i].image, image, strlen(image)))
			continue;
		ran++;
		diff_path(out, sizeof(out), c[i].name, "shadowvm");
		st = diff_run(&c[i], "shadowvm", out, &ms);
		lines = diff_count(out);
		ksft_print_msg("%s: status %d, %ld outcome lines, %ld ms -> %s\n",
			       c[i].name, st, lines, ms, out);
		fflush(stdout);	/* the harness child ends with _exit() */
		EXPECT_EQ(0, st) {
			TH_LOG("%s failed under shadowvm: see %s and %s.err",
			       c[i].name, out, out);
		}
		EXPECT_LT(1, lines);
	}
	EXPECT_LT(0, ran);
}

TEST_F_TIMEOUT(differential, accesstest_dump, 290)
{
	run_kind(_metadata, "accesstest");
}

TEST_F_TIMEOUT(differential, pttorture_dump, 290)
{
	run_kind(_metadata, "pttorture");
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	require_launcher();
	require_guests();
	filter_tests();
	return test_harness_run(argc, argv);
}
