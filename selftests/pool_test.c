// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow pool: SHADOWVM_SET_SHADOW_POOL's argument checks, and the
 * smallest legal pool still running every test guest correctly (reclaim
 * makes it slower, never wrong).
 */
#include "kselftest_harness.h"
#include "test_util.h"

static long pool_min(void)
{
	int sys = svm_open_dev();
	long min;

	if (sys < 0)
		return sys;
	min = svm_check_extension(sys, SHADOWVM_CAP_SHADOW_POOL);
	close(sys);
	return min;
}

static uint64_t stat_of(int vm, unsigned int i)
{
	struct shadowvm_stats st;

	if (svm_get_stats(vm, &st))
		return ~0ULL;
	return st.val[i];
}

FIXTURE(pool) {
	struct tvm t;
	struct serial_result r;
};

FIXTURE_SETUP(pool)
{
	const char *why;
	int err = tvm_create(&self->t, TEST_MEM_SIZE, &why);

	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
}

FIXTURE_TEARDOWN(pool)
{
	tvm_destroy(&self->t);
}

TEST_F(pool, capability_gives_the_minimum)
{
	long min = pool_min();

	/* At least a root and one page per level below it; not absurd. */
	EXPECT_LE(5, min);
	EXPECT_GE(1024, min);
}

TEST_F(pool, size_out_of_range)
{
	long min = pool_min();

	EXPECT_EQ(-1, ioctl(self->t.vm, SHADOWVM_SET_SHADOW_POOL, min - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->t.vm, SHADOWVM_SET_SHADOW_POOL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->t.vm, SHADOWVM_SET_SHADOW_POOL, 1UL << 40));
	EXPECT_EQ(EINVAL, errno);
	/* Wrong object: the system fd has no pool. */
	EXPECT_EQ(-1, ioctl(self->t.sys, SHADOWVM_SET_SHADOW_POOL, min));
	EXPECT_EQ(ENOTTY, errno);
}

static void run_guest(struct __test_metadata *_metadata, struct tvm *t,
		      struct serial_result *r, const char *name)
{
	char passed[64];
	const char *why;
	int err;

	err = tvm_load(t, name, &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
	tvm_run_serial(t, r, 0);
	snprintf(passed, sizeof(passed), "%s: all checks passed", name);
	EXPECT_EQ(0, r->ret);
	EXPECT_EQ(SHADOWVM_EXIT_HLT, r->exit_reason) TH_LOG("%s", r->out);
	EXPECT_EQ(NULL, strstr(r->out, "FAIL")) TH_LOG("%s", r->out);
	EXPECT_NE(NULL, strstr(r->out, passed)) TH_LOG("%s", r->out);
}

TEST_F(pool, smallest_pool_runs_cr3switch)
{
	long min = pool_min();

	ASSERT_EQ(0, ioctl(self->t.vm, SHADOWVM_SET_SHADOW_POOL, min));
	run_guest(_metadata, &self->t, &self->r, "cr3switch");
	/* The bound holds: never more shadow pages than the pool allows. */
	EXPECT_GE(min, stat_of(self->t.vm, SHADOWVM_STAT_SHADOW_PAGES_MAX));
}

TEST_F(pool, smallest_pool_runs_pagefault)
{
	ASSERT_EQ(0, ioctl(self->t.vm, SHADOWVM_SET_SHADOW_POOL, pool_min()));
	run_guest(_metadata, &self->t, &self->r, "pagefault");
}

TEST_F(pool, resize_refused_once_shadows_exist)
{
	run_guest(_metadata, &self->t, &self->r, "pagefault");
	EXPECT_EQ(-1, ioctl(self->t.vm, SHADOWVM_SET_SHADOW_POOL, 64));
	EXPECT_EQ(EBUSY, errno);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	require_guests();
	return test_harness_run(argc, argv);
}
