// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU moving between host CPUs, and a vCPU kicked out of the guest by
 * another CPU. Needs two online CPUs (the SMP boot of the test bed); skips
 * elsewhere.
 *
 * Moving a vCPU VMCLEARs its VMCS on the old CPU by IPI, reloads the host
 * state on the new one and flushes its VPID there. Deleting guest memory
 * while a vCPU runs must force that vCPU out (IPI) before the pages go.
 */
#include <pthread.h>
#include <sched.h>

#include "kselftest_harness.h"
#include "test_util.h"

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

FIXTURE(migrate) {
	struct tvm t;
};

FIXTURE_SETUP(migrate)
{
	const char *why;
	int err;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;		/* each test skips itself */
	err = tvm_create(&self->t, TEST_MEM_SIZE, &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
}

/* The 6.1 harness runs the body even after a SKIP in the setup. */
#define NEED_TWO_CPUS() do {						\
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)				\
		SKIP(return, "needs two online CPUs");			\
} while (0)

FIXTURE_TEARDOWN(migrate)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2)
		tvm_destroy(&self->t);
	pin_to_cpu(0);
}

/*
 * Run @name to its end, switching host CPU before every RUN (each serial
 * byte is an exit to userspace, so the vCPU moves hundreds of times).
 */
static void run_hopping(struct __test_metadata *_metadata, struct tvm *t,
			const char *name, unsigned long *hops)
{
	struct shadowvm_run *run = t->run;
	char out[4096], passed[64];
	size_t len = 0;
	const char *why;
	int err, i;

	err = tvm_load(t, name, &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
	for (i = 0; i < 1000000; i++) {
		uint8_t *data;

		ASSERT_EQ(0, pin_to_cpu(i & 1));
		(*hops)++;
		ASSERT_EQ(0, svm_run(t->vcpu));
		if (run->exit_reason != SHADOWVM_EXIT_IO)
			break;
		data = (uint8_t *)run + run->io.data_offset;
		if (run->io.direction == SHADOWVM_EXIT_IO_OUT &&
		    run->io.port == 0x3f8 && len + 1 < sizeof(out))
			out[len++] = data[0];
		else if (run->io.direction == SHADOWVM_EXIT_IO_IN)
			memset(data, run->io.port == 0x3fd ? 0x60 : 0xff,
			       run->io.size);
		else if (run->io.port == 0xf4)
			break;
	}
	out[len] = 0;
	snprintf(passed, sizeof(passed), "%s: all checks passed", name);
	EXPECT_EQ(SHADOWVM_EXIT_HLT, run->exit_reason) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "FAIL")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, passed)) TH_LOG("%s", out);
}

TEST_F(migrate, pagefault_guest_hops_cpus)
{
	unsigned long hops = 0;
	NEED_TWO_CPUS();

	run_hopping(_metadata, &self->t, "pagefault", &hops);
	EXPECT_LT(100, hops);
}

TEST_F(migrate, cr3switch_guest_hops_cpus)
{
	unsigned long hops = 0;
	NEED_TWO_CPUS();

	/* Stale VPID-tagged translations on the new CPU would show here. */
	run_hopping(_metadata, &self->t, "cr3switch", &hops);
	EXPECT_LT(100, hops);
}

struct runner {
	struct tvm *t;
	int ret;
	uint32_t exit_reason;
};

static void *run_on_cpu1(void *arg)
{
	struct runner *r = arg;

	pin_to_cpu(1);
	do {
		r->ret = svm_run(r->t->vcpu);
		r->exit_reason = r->t->run->exit_reason;
		/* The loop guest prints once: let it, and spin on. */
	} while (!r->ret && r->exit_reason == SHADOWVM_EXIT_IO);
	return NULL;
}

TEST_F(migrate, deleting_memory_kicks_running_vcpu)
{
	struct runner r = { .t = &self->t };
	pthread_t th;
	const char *why;
	int err;
	NEED_TWO_CPUS();

	err = tvm_load(&self->t, "loop", &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
	ASSERT_EQ(0, pin_to_cpu(0));
	ASSERT_EQ(0, pthread_create(&th, NULL, run_on_cpu1, &r));
	/* Let the guest reach its loop on CPU 1. */
	usleep(500 * 1000);
	/* Its memory goes while it runs: it must be forced out first. */
	ASSERT_EQ(0, svm_delete_region(self->t.vm, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, r.ret);
	/* Without RAM the guest cannot continue: an error exit, no hang. */
	EXPECT_TRUE(r.exit_reason == SHADOWVM_EXIT_INTERNAL_ERROR ||
		    r.exit_reason == SHADOWVM_EXIT_SHUTDOWN ||
		    r.exit_reason == SHADOWVM_EXIT_MMIO)
		TH_LOG("exit reason %u", r.exit_reason);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	require_guests();
	return test_harness_run(argc, argv);
}
