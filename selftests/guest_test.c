// SPDX-License-Identifier: GPL-2.0
/*
 * Guests driven through the raw API: port I/O exits and IN completion,
 * MMIO exits and read completion, guest page faults, CR3 switching with
 * INVLPG, triple fault, signals and immediate_exit, statistics.
 */
#include <sys/time.h>

#include "test_util.h"
#include "kselftest_harness.h"

FIXTURE(guest) {
	struct tvm t;
	struct serial_result r;
};

FIXTURE_SETUP(guest)
{
	const char *why;
	int err = tvm_create(&self->t, TEST_MEM_SIZE, &why);

	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
}

FIXTURE_TEARDOWN(guest)
{
	tvm_destroy(&self->t);
}

#define LOAD(name) do { \
	const char *why; \
	int err = tvm_load(&self->t, name, &why); \
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err)); \
} while (0)

static void log_result(struct __test_metadata *_metadata,
		       const struct serial_result *r)
{
	TH_LOG("RUN %d, exit %s (%u) after %lu exits, output:\n%s",
	       r->ret, svm_exit_name(r->exit_reason), r->exit_reason,
	       r->exits, r->out);
}

static uint64_t stat(struct __test_metadata *_metadata, int vm,
		     enum shadowvm_stat i)
{
	struct shadowvm_stats st;

	EXPECT_EQ(0, svm_get_stats(vm, &st));
	return st.val[i];
}

TEST_F(guest, hello_io_exits)
{
	struct shadowvm_run *run = self->t.run;
	const char *want = "Hello from shadowvm guest\n";
	size_t got = 0;
	int n, lsr = 0, busy = 3;

	LOAD("hello");
	/* Check each exit as it comes: OUT 0x3f8 size 1, IN 0x3fd size 1. */
	for (n = 0; n < 10000; n++) {
		uint8_t *data;

		ASSERT_EQ(0, svm_run(self->t.vcpu));
		if (run->exit_reason != SHADOWVM_EXIT_IO)
			break;
		data = (uint8_t *)run + run->io.data_offset;
		ASSERT_EQ(1, run->io.size);
		ASSERT_EQ(1, run->io.count);
		/* Past the exit header, inside the page. */
		ASSERT_LE(16, run->io.data_offset);
		ASSERT_GE(getpagesize() - 4, run->io.data_offset);
		if (run->io.direction == SHADOWVM_EXIT_IO_IN) {
			ASSERT_EQ(0x3fd, run->io.port);
			/* Busy a few times: the guest must poll again. */
			data[0] = lsr++ < busy ? 0x00 : 0x60;
		} else {
			ASSERT_EQ(0x3f8, run->io.port);
			ASSERT_GT(strlen(want), got);
			ASSERT_EQ(want[got], data[0]);
			got++;
		}
	}
	EXPECT_EQ(SHADOWVM_EXIT_HLT, run->exit_reason)
		TH_LOG("exit %s", svm_exit_name(run->exit_reason));
	EXPECT_EQ(strlen(want), got);
	/* One LSR read per character plus the busy ones. */
	EXPECT_EQ(strlen(want) + busy, lsr);
}

TEST_F(guest, debug_exit_port)
{
	struct shadowvm_run *run = self->t.run;

	LOAD("exitcode");
	tvm_run_serial(&self->t, &self->r, 0);
	EXPECT_TRUE(self->r.debug_exit) log_result(_metadata, &self->r);
	EXPECT_EQ(21, self->r.debug_value);
	EXPECT_EQ(4, run->io.size);
	EXPECT_STREQ("exiting with 21\n", self->r.out);
}

TEST_F(guest, mmio_exits)
{
	static const struct { uint64_t off; uint32_t len; uint64_t val; } w[] = {
		{ 0x00, 1, 0x5a }, { 0x10, 2, 0xbeef },
		{ 0x20, 4, 0xdeadbeef }, { 0x30, 8, 0x0123456789abcdefULL },
	};
	const uint64_t pattern = 0x8877665544332211ULL;
	struct shadowvm_run *run = self->t.run;
	uint64_t v, want;
	int i;

	LOAD("mmio");
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, svm_run(self->t.vcpu));
		ASSERT_EQ(SHADOWVM_EXIT_MMIO, run->exit_reason)
			TH_LOG("write %d: exit %s", i, svm_exit_name(run->exit_reason));
		EXPECT_EQ(0xc0000000ULL + w[i].off, run->mmio.phys_addr);
		EXPECT_EQ(w[i].len, run->mmio.len);
		EXPECT_EQ(1, run->mmio.is_write);
		v = 0;
		memcpy(&v, run->mmio.data, w[i].len);
		EXPECT_EQ(w[i].val, v);
	}
	for (i = 0; i < 4; i++) {
		uint32_t len = 1U << i;

		ASSERT_EQ(0, svm_run(self->t.vcpu));
		ASSERT_EQ(SHADOWVM_EXIT_MMIO, run->exit_reason);
		EXPECT_EQ(0xc0000040ULL + 0x10 * i, run->mmio.phys_addr);
		EXPECT_EQ(len, run->mmio.len);
		EXPECT_EQ(0, run->mmio.is_write);
		memcpy(run->mmio.data, &pattern, 8);
		/* The guest writes back what landed in its register. */
		ASSERT_EQ(0, svm_run(self->t.vcpu));
		ASSERT_EQ(SHADOWVM_EXIT_MMIO, run->exit_reason);
		EXPECT_EQ(0xc0000100ULL, run->mmio.phys_addr);
		EXPECT_EQ(8, run->mmio.len);
		EXPECT_EQ(1, run->mmio.is_write);
		memcpy(&v, run->mmio.data, 8);
		want = len == 8 ? pattern : pattern & ((1ULL << (8 * len)) - 1);
		EXPECT_EQ(want, v) TH_LOG("read of %u bytes", len);
	}
	tvm_run_serial(&self->t, &self->r, 0);
	EXPECT_EQ(SHADOWVM_EXIT_HLT, self->r.exit_reason) log_result(_metadata, &self->r);
	EXPECT_EQ(NULL, strstr(self->r.out, "FAIL"));
	/* 4 writes, 4 reads, 4 write-backs */
	EXPECT_EQ(12, stat(_metadata, self->t.vm, SHADOWVM_STAT_MMIO));
}

TEST_F(guest, pagefault_delivered_to_guest)
{
	LOAD("pagefault");
	tvm_run_serial(&self->t, &self->r, 0);
	EXPECT_EQ(0, self->r.ret);
	EXPECT_EQ(SHADOWVM_EXIT_HLT, self->r.exit_reason) log_result(_metadata, &self->r);
	EXPECT_FALSE(self->r.debug_exit) log_result(_metadata, &self->r);
	EXPECT_EQ(NULL, strstr(self->r.out, "FAIL")) log_result(_metadata, &self->r);
	EXPECT_NE(NULL, strstr(self->r.out, "pagefault: all checks passed"));
	/* Six faults were the guest's own: reflected, not fixed by us. */
	EXPECT_EQ(6, stat(_metadata, self->t.vm, SHADOWVM_STAT_GUEST_FAULTS));
	EXPECT_LT(0, stat(_metadata, self->t.vm, SHADOWVM_STAT_SHADOW_FAULTS));
	EXPECT_EQ(0, stat(_metadata, self->t.vm, SHADOWVM_STAT_AUDIT_FAILURES));
}

TEST_F(guest, cr3_switch_and_invlpg)
{
	LOAD("cr3switch");
	tvm_run_serial(&self->t, &self->r, 0);
	EXPECT_EQ(0, self->r.ret);
	EXPECT_EQ(SHADOWVM_EXIT_HLT, self->r.exit_reason) log_result(_metadata, &self->r);
	EXPECT_EQ(NULL, strstr(self->r.out, "FAIL")) log_result(_metadata, &self->r);
	EXPECT_NE(NULL, strstr(self->r.out, "cr3switch: all checks passed"));
	EXPECT_LE(200, stat(_metadata, self->t.vm, SHADOWVM_STAT_CR3_LOADS));
	EXPECT_LE(3, stat(_metadata, self->t.vm, SHADOWVM_STAT_EXIT_INVLPG));
	/* Switching among spaces reuses pinned top-level shadows. */
	EXPECT_LT(0, stat(_metadata, self->t.vm, SHADOWVM_STAT_CR3_CACHE_HITS));
	EXPECT_EQ(0, stat(_metadata, self->t.vm, SHADOWVM_STAT_AUDIT_FAILURES));
}

TEST_F(guest, msr_cpuid_and_cr3_reads)
{
	LOAD("msr");
	tvm_run_serial(&self->t, &self->r, 0);
	EXPECT_EQ(0, self->r.ret);
	EXPECT_EQ(SHADOWVM_EXIT_HLT, self->r.exit_reason) log_result(_metadata, &self->r);
	EXPECT_EQ(NULL, strstr(self->r.out, "FAIL")) log_result(_metadata, &self->r);
	EXPECT_NE(NULL, strstr(self->r.out, "msr: all checks passed"));
	EXPECT_LE(9, stat(_metadata, self->t.vm, SHADOWVM_STAT_EXIT_MSR));
	EXPECT_LE(3, stat(_metadata, self->t.vm, SHADOWVM_STAT_EXIT_CPUID));
}

TEST_F(guest, stats_after_run)
{
	struct shadowvm_stats st;

	LOAD("hello");
	tvm_run_serial(&self->t, &self->r, 0);
	ASSERT_EQ(SHADOWVM_EXIT_HLT, self->r.exit_reason) log_result(_metadata, &self->r);
	ASSERT_EQ(0, svm_get_stats(self->t.vm, &st));
	EXPECT_LE(self->r.exits, st.val[SHADOWVM_STAT_EXITS]);
	EXPECT_EQ(self->r.io_exits, st.val[SHADOWVM_STAT_EXIT_IO]);
	EXPECT_EQ(1, st.val[SHADOWVM_STAT_EXIT_HLT]);
	EXPECT_LT(0, st.val[SHADOWVM_STAT_SHADOW_FAULTS]);
	EXPECT_LT(0, st.val[SHADOWVM_STAT_SHADOW_PAGES]);
	EXPECT_LE(st.val[SHADOWVM_STAT_SHADOW_PAGES],
		  st.val[SHADOWVM_STAT_SHADOW_PAGES_MAX]);
	EXPECT_LT(0, st.val[SHADOWVM_STAT_HASH_LOOKUPS]);
	EXPECT_EQ(0, st.val[SHADOWVM_STAT_GUEST_FAULTS]);
}

TEST_F(guest, triple_fault_shutdown)
{
	struct shadowvm_regs r;

	LOAD("hello");
	/* Jump to unmapped 4 GiB with the launcher's empty IDT: #PF, #NP, #DF... */
	ASSERT_EQ(0, svm_get_regs(self->t.vcpu, &r));
	r.rip = 1ULL << 32;
	ASSERT_EQ(0, svm_set_regs(self->t.vcpu, &r));
	tvm_run_serial(&self->t, &self->r, 0);
	EXPECT_EQ(0, self->r.ret);
	EXPECT_EQ(SHADOWVM_EXIT_SHUTDOWN, self->r.exit_reason)
		log_result(_metadata, &self->r);
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F(guest, sigalrm_interrupts_endless_loop)
{
	struct itimerval it = { .it_value = { .tv_usec = 300000 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct shadowvm_regs r;
	int round, ret;

	LOAD("loop");
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	/* Up to "looping\n": the guest is in its loop from here on. */
	for (round = 0; round < 100; round++) {
		ASSERT_EQ(0, svm_run(self->t.vcpu));
		ASSERT_EQ(SHADOWVM_EXIT_IO, self->t.run->exit_reason);
		if (self->t.run->io.direction == SHADOWVM_EXIT_IO_IN)
			((uint8_t *)self->t.run + self->t.run->io.data_offset)[0] = 0x60;
		else if (((uint8_t *)self->t.run + self->t.run->io.data_offset)[0] == '\n')
			break;
	}
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
		ret = ioctl(self->t.vcpu, SHADOWVM_RUN, 0);
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINTR, errno);
		EXPECT_EQ(SHADOWVM_EXIT_INTR, self->t.run->exit_reason);
		ASSERT_EQ(0, svm_get_regs(self->t.vcpu, &r));
		EXPECT_LE(GUEST_LOAD_DEFAULT, r.rip);
		EXPECT_GT(GUEST_LOAD_DEFAULT + 0x10000, r.rip);
	}
}

TEST_F(guest, immediate_exit)
{
	LOAD("hello");
	self->t.run->immediate_exit = 1;
	EXPECT_EQ(-EINTR, svm_run(self->t.vcpu));
	EXPECT_EQ(SHADOWVM_EXIT_INTR, self->t.run->exit_reason);
	EXPECT_EQ(-EINTR, svm_run(self->t.vcpu));
	EXPECT_EQ(0, stat(_metadata, self->t.vm, SHADOWVM_STAT_EXITS));
	self->t.run->immediate_exit = 0;
	tvm_run_serial(&self->t, &self->r, 0);
	EXPECT_EQ(SHADOWVM_EXIT_HLT, self->r.exit_reason) log_result(_metadata, &self->r);
	EXPECT_STREQ("Hello from shadowvm guest\n", self->r.out);
}

TEST_F(guest, rerun_same_vcpu)
{
	/* A second guest on the same vCPU after new entry state. */
	LOAD("exitcode");
	tvm_run_serial(&self->t, &self->r, 0);
	ASSERT_TRUE(self->r.debug_exit) log_result(_metadata, &self->r);
	LOAD("hello");
	tvm_run_serial(&self->t, &self->r, 0);
	EXPECT_EQ(SHADOWVM_EXIT_HLT, self->r.exit_reason) log_result(_metadata, &self->r);
	EXPECT_STREQ("Hello from shadowvm guest\n", self->r.out);
}

TEST_F(guest, run_without_entry_state)
{
	/* Never SET_SREGS: RUN is refused, the vCPU stays usable. */
	EXPECT_EQ(-ENOEXEC, svm_run(self->t.vcpu));
	EXPECT_EQ(-ENOEXEC, svm_run(self->t.vcpu));
	LOAD("hello");
	tvm_run_serial(&self->t, &self->r, 0);
	EXPECT_EQ(SHADOWVM_EXIT_HLT, self->r.exit_reason) log_result(_metadata, &self->r);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	require_guests();
	filter_tests();
	return test_harness_run(argc, argv);
}
