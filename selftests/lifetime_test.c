// SPDX-License-Identifier: GPL-2.0
/*
 * Object lifetimes: closing VM and vCPU fds in either order, unmapping the
 * run page before or after, killing a process in the middle of RUN, many
 * VMs in a row and at once.
 */
#include "test_util.h"
#include "kselftest_harness.h"

#define CREATE(t) do { \
	const char *why; \
	int err = tvm_create(t, TEST_MEM_SIZE, &why); \
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err)); \
} while (0)

#define LOAD(t, name) do { \
	const char *why; \
	int err = tvm_load(t, name, &why); \
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err)); \
} while (0)

#define EXPECT_HELLO(t) do { \
	struct serial_result r; \
	tvm_run_serial(t, &r, 0); \
	EXPECT_EQ(SHADOWVM_EXIT_HLT, r.exit_reason) \
		TH_LOG("RUN %d exit %s out %s", r.ret, \
		       svm_exit_name(r.exit_reason), r.out); \
	EXPECT_STREQ("Hello from shadowvm guest\n", r.out); \
} while (0)

TEST(close_vm_before_vcpu)
{
	struct tvm t;

	CREATE(&t);
	LOAD(&t, "hello");
	/* The vCPU keeps the VM (and its memory slot) alive. */
	ASSERT_EQ(0, close(t.vm));
	t.vm = -1;
	ASSERT_EQ(0, close(t.sys));
	t.sys = -1;
	EXPECT_HELLO(&t);
	tvm_destroy(&t);
}

TEST(close_vcpu_before_vm)
{
	struct tvm t;
	struct shadowvm_stats st;

	CREATE(&t);
	LOAD(&t, "hello");
	EXPECT_HELLO(&t);
	ASSERT_EQ(0, svm_unmap_run(t.run));
	t.run = NULL;
	ASSERT_EQ(0, close(t.vcpu));
	t.vcpu = -1;
	/* The VM still answers; a new vCPU 0 may be created. */
	EXPECT_EQ(0, svm_get_stats(t.vm, &st));
	EXPECT_LT(0, st.val[SHADOWVM_STAT_EXITS]);
	t.vcpu = svm_create_vcpu(t.vm, 0, &t.run);
	ASSERT_LE(0, t.vcpu);
	LOAD(&t, "hello");
	EXPECT_HELLO(&t);
	tvm_destroy(&t);
}

TEST(munmap_after_closing_fds)
{
	struct tvm t;

	CREATE(&t);
	LOAD(&t, "hello");
	EXPECT_HELLO(&t);
	close(t.vcpu);
	close(t.vm);
	t.vcpu = t.vm = -1;
	/* The mapping keeps the run page: still readable, then unmapped. */
	EXPECT_EQ(SHADOWVM_EXIT_HLT, t.run->exit_reason);
	EXPECT_EQ(0, svm_unmap_run(t.run));
	t.run = NULL;
	tvm_destroy(&t);
}

TEST(munmap_before_run)
{
	struct tvm t;
	struct shadowvm_regs r;
	int ret;

	CREATE(&t);
	LOAD(&t, "exitcode");
	ASSERT_EQ(0, svm_unmap_run(t.run));
	t.run = NULL;
	/* RUN does not need the mapping; the exit is in the page anyway. */
	ret = svm_run(t.vcpu);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, svm_get_regs(t.vcpu, &r));
	t.vcpu = svm_create_vcpu(t.vm, 0, &t.run);
	EXPECT_EQ(-EEXIST, t.vcpu);
	t.vcpu = -1;
	tvm_destroy(&t);
}

TEST(guest_memory_unmapped_by_user)
{
	struct tvm t;
	struct serial_result r;

	CREATE(&t);
	LOAD(&t, "hello");
	/* Pinned pages stay valid for the guest after the user unmaps them. */
	ASSERT_EQ(0, munmap(t.mem.host, t.mem.size));
	t.mem.host = NULL;
	tvm_run_serial(&t, &r, 0);
	EXPECT_EQ(SHADOWVM_EXIT_HLT, r.exit_reason);
	EXPECT_STREQ("Hello from shadowvm guest\n", r.out);
	tvm_destroy(&t);
}

static void loop_child(int ready_fd)
{
	struct tvm t;
	struct serial_result r;
	const char *why;

	if (tvm_create(&t, TEST_MEM_SIZE, &why) || tvm_load(&t, "loop", &why))
		_exit(10);
	/* "looping\n" out, then the guest never exits again. */
	tvm_run_serial(&t, &r, 0);
	_exit(11);
	(void)ready_fd;
}

TEST(sigkill_mid_run)
{
	struct tvm t;
	int status, i;
	pid_t pid;

	for (i = 0; i < 2; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			loop_child(-1);
		/* Long enough to be inside RUN in the guest's loop. */
		usleep(i ? 1000 : 500000);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("child status %#x", status);
		EXPECT_EQ(SIGKILL, WTERMSIG(status));
	}
	/* Everything was torn down: a new VM works. */
	CREATE(&t);
	LOAD(&t, "hello");
	EXPECT_HELLO(&t);
	tvm_destroy(&t);
}

TEST(child_cannot_use_parent_vm)
{
	struct tvm t;
	int status;
	pid_t pid;

	CREATE(&t);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Another mm: the pinned-memory accounting is the parent's. */
		void *m = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		_exit(svm_set_region(t.vm, 5, 0, 0x10000000, 0x1000, m) < 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tvm_destroy(&t);
}

TEST(many_vms_in_a_row)
{
	int i;

	for (i = 0; i < 20; i++) {
		struct tvm t;

		CREATE(&t);
		if (i % 5 == 0) {
			LOAD(&t, "hello");
			EXPECT_HELLO(&t);
		}
		tvm_destroy(&t);
	}
}

TEST(two_vms_at_once)
{
	struct tvm a, b;

	CREATE(&a);
	CREATE(&b);
	LOAD(&a, "hello");
	LOAD(&b, "cr3switch");
	EXPECT_HELLO(&a);
	{
		struct serial_result r;

		tvm_run_serial(&b, &r, 0);
		EXPECT_EQ(SHADOWVM_EXIT_HLT, r.exit_reason) TH_LOG("%s", r.out);
		EXPECT_EQ(NULL, strstr(r.out, "FAIL"));
	}
	LOAD(&a, "hello");
	EXPECT_HELLO(&a);
	tvm_destroy(&b);
	tvm_destroy(&a);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	require_guests();
	filter_tests();
	return test_harness_run(argc, argv);
}
