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

/*
 * The comparator must see a difference: a dump against itself gives
 * none, against a copy with one outcome line altered exactly that one,
 * at that line.
 */
TEST_F_TIMEOUT(differential, comparator_sees_divergence, 60)
{
	char a[4096], b[4200];
	struct diff_result r;
	long lines, altered;

	diff_path(a, sizeof(a), "pttorture-1", "shadowvm");
	lines = diff_count(a);
	ASSERT_LT(10, lines) TH_LOG("no dump at %s (pttorture_dump failed?)", a);
	ASSERT_EQ(0, diff_compare(a, a, &r));
	EXPECT_EQ(lines, r.compared);
	EXPECT_EQ(0, r.differences);

	snprintf(b, sizeof(b), "%s.altered", a);
	altered = diff_alter(a, b, lines / 2);
	ASSERT_LT(0, altered);
	ASSERT_EQ(0, diff_compare(a, b, &r));
	EXPECT_EQ(lines, r.compared);
	EXPECT_EQ(1, r.differences);
	EXPECT_EQ(altered, r.first_line_a);
	ksft_print_msg("seeded divergence at line %ld reported as:\n%s",
		       altered, r.report);
	fflush(stdout);	/* the harness child ends with _exit() */
	unlink(b);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	filter_tests();
	return test_harness_run(argc, argv);
}
