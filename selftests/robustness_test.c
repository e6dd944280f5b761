// SPDX-License-Identifier: GPL-2.0
/*
 * Bad guest state must end in a clear exit or error, never in a host
 * crash: random segment registers, descriptor tables, RFLAGS, RIP and RSP
 * (with control registers from the set SET_SREGS accepts) are entered one
 * after the other. Each RUN must return one of the documented outcomes;
 * the emulated host's boot checks then find no Oops or WARN in the log.
 */
#include "kselftest_harness.h"
#include "test_util.h"

#define ROUNDS		300
#define RUN_ALARM_SECS	3

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void random_segment(struct shadowvm_segment *s)
{
	uint64_t r = rnd();

	s->base = r & 1 ? rnd() : 0;
	s->limit = r & 2 ? (uint32_t)rnd() : 0xffffffff;
	s->selector = rnd();
	s->type = rnd() & 15;
	s->present = !(r & 4);
	s->dpl = rnd() & 3;
	s->db = !!(r & 8);
	s->s = !(r & 16);
	s->l = !!(r & 32);
	s->g = !!(r & 64);
	s->avl = !!(r & 128);
	s->unusable = (r & 0x300) == 0x300;
	s->padding = 0;
}

static void on_alarm(int sig)
{
}

struct outcome {
	unsigned long refused, fail_entry, entered, interrupted;
};

/* Allowed: SET_SREGS refused, or RUN ended in a documented way. */
static void one_round(struct __test_metadata *_metadata, struct tvm *t,
		      struct outcome *o)
{
	struct shadowvm_sregs s = t->sregs;
	struct shadowvm_regs r = t->regs;
	uint64_t mode = rnd();
	int ret;

	/* Each register is random a quarter of the time: some entries pass. */
	if ((mode & 0x3) == 0)
		random_segment(&s.cs);
	if ((mode & 0xc) == 0)
		random_segment(&s.ds);
	if ((mode & 0x30) == 0)
		random_segment(&s.ss);
	if ((mode & 0xc0) == 0)
		random_segment(&s.fs);
	if ((mode & 0x300) == 0)
		random_segment(&s.gs);
	if ((mode & 0xc00) == 0)
		random_segment(&s.tr);
	if ((mode & 0x3000) == 0)
		random_segment(&s.ldt);
	mode >>= 14;
	if (mode & 4) {
		s.gdt.base = rnd() & (TEST_MEM_SIZE - 1);
		s.gdt.limit = rnd();
		s.idt.base = rnd() & (TEST_MEM_SIZE - 1);
		s.idt.limit = rnd();
	}
	/* Only bits SET_SREGS allows; the rest is checked by api_test. */
	if (mode & 8)
		s.cr4 |= 1 << 7;	/* PGE */
	if (mode & 16)
		s.efer &= ~(1ULL << 11);	/* NXE */
	r.rip = mode & 32 ? rnd() : rnd() & (TEST_MEM_SIZE - 1);
	r.rsp = rnd() & (TEST_MEM_SIZE - 1);
	r.rflags = 2 | (rnd() & 0x2c0fd5);

	if (svm_set_sregs(t->vcpu, &s) || svm_set_regs(t->vcpu, &r)) {
		o->refused++;
		return;
	}
	alarm(RUN_ALARM_SECS);
	ret = svm_run(t->vcpu);
	alarm(0);
	if (ret == -EINTR) {
		o->interrupted++;
		return;
	}
	ASSERT_EQ(0, ret) TH_LOG("RUN: %s", strerror(-ret));
	switch (t->run->exit_reason) {
	case SHADOWVM_EXIT_FAIL_ENTRY:
		o->fail_entry++;
		return;
	case SHADOWVM_EXIT_SHUTDOWN:
	case SHADOWVM_EXIT_INTERNAL_ERROR:
	case SHADOWVM_EXIT_MMIO:
	case SHADOWVM_EXIT_IO:
	case SHADOWVM_EXIT_HLT:
		o->entered++;
		return;
	}
	ASSERT_TRUE(false) TH_LOG("unexpected exit reason %u",
				  t->run->exit_reason);
}

FIXTURE(robust) {
	int unused;
};

FIXTURE_SETUP(robust)
{
}

FIXTURE_TEARDOWN(robust)
{
}

/* Most rounds end at the first entry check; the rest run a little. */
TEST_F_TIMEOUT(robust, random_entry_state, 240)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct outcome o = {};
	const char *why;
	struct tvm t;
	int i, err;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	err = tvm_create(&t, TEST_MEM_SIZE, &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
	/* Zeroed memory decodes as ADD [RAX], AL: it runs, then exits. */
	err = tvm_load(&t, "hello", &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
	for (i = 0; i < ROUNDS; i++)
		one_round(_metadata, &t, &o);
	tvm_destroy(&t);
	TH_LOG("%d rounds: %lu refused, %lu failed entries, %lu entered, %lu interrupted",
	       i, o.refused, o.fail_entry, o.entered, o.interrupted);
	/* Both the entry checks and the guest paths were exercised. */
	EXPECT_LT(0, o.fail_entry);
	EXPECT_LT(0, o.entered);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	require_guests();
	return test_harness_run(argc, argv);
}
