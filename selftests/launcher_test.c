// SPDX-License-Identifier: GPL-2.0
/*
 * shadowvm-run end to end: guest payloads through the launcher, its exit
 * statuses, the device model, --stats, --help and its errors.
 */
#include "test_util.h"
#include "kselftest_harness.h"

#define RUN_TIMEOUT_MS	60000

FIXTURE(launcher) {
	struct launch l;
	char image[4096];
};

FIXTURE_SETUP(launcher)
{
}

FIXTURE_TEARDOWN(launcher)
{
}

static void log_launch(struct __test_metadata *_metadata,
		       const struct launch *l)
{
	TH_LOG("%s: status %#x\n--- stdout:\n%s--- stderr:\n%s", launcher_path(),
	       l->status, l->out, l->err);
}

#define RUN_GUEST(name, ...) ({ \
	const char *args[] = { __VA_ARGS__ __VA_OPT__(,) self->image, NULL }; \
	guest_path(self->image, sizeof(self->image), name); \
	launcher_run(&self->l, args, RUN_TIMEOUT_MS); \
})

TEST_F(launcher, hello)
{
	int st = RUN_GUEST("hello");

	EXPECT_EQ(0, st) log_launch(_metadata, &self->l);
	EXPECT_STREQ("Hello from shadowvm guest\n", self->l.out);
	EXPECT_STREQ("", self->l.err);
}

TEST_F(launcher, debug_exit_status)
{
	int st = RUN_GUEST("exitcode", "-m", "16M");

	/* V = 21 written to port 0xf4: status (21 << 1) | 1. */
	EXPECT_EQ(43, st) log_launch(_metadata, &self->l);
	EXPECT_EQ(LAUNCH_EXIT_DEBUG(21), st);
	EXPECT_STREQ("exiting with 21\n", self->l.out);
}

/*
 * A guest that triple-faults: UD2 with the launcher's empty IDT (#UD,
 * then #NP for each vector, then shutdown). The launcher's own status 6,
 * even, so never a debug exit's.
 */
TEST_F(launcher, triple_fault_status)
{
	char path[] = "/tmp/launcher-ud2-XXXXXX";
	const char *args[] = { "-m", "16", path, NULL };
	int fd = mkstemp(path), st;

	ASSERT_LE(0, fd);
	ASSERT_EQ(2, write(fd, "\x0f\x0b", 2));
	close(fd);
	st = launcher_run(&self->l, args, RUN_TIMEOUT_MS);
	unlink(path);
	EXPECT_EQ(LAUNCH_EXIT_GUEST_ERROR, st) log_launch(_metadata, &self->l);
	EXPECT_NE(NULL, strstr(self->l.err, "triple fault"))
		log_launch(_metadata, &self->l);
}

TEST_F(launcher, pagefault_guest)
{
	int st = RUN_GUEST("pagefault", "-m", "16M");

	EXPECT_EQ(0, st) log_launch(_metadata, &self->l);
	EXPECT_EQ(NULL, strstr(self->l.out, "FAIL"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: read of a non-present page: #PF error 0, CR2"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: write to a read-only page: #PF error P|W, CR2"));
	EXPECT_NE(NULL, strstr(self->l.out, "pagefault: all checks passed"));
}

TEST_F(launcher, cr3switch_guest)
{
	int st = RUN_GUEST("cr3switch", "-m", "16M");

	EXPECT_EQ(0, st) log_launch(_metadata, &self->l);
	EXPECT_EQ(NULL, strstr(self->l.out, "FAIL"));
	EXPECT_NE(NULL, strstr(self->l.out, "cr3switch: all checks passed"));
}

TEST_F(launcher, mmio_reads_all_ones)
{
	int st = RUN_GUEST("mmio", "-m", "16M");
	const char *note;

	EXPECT_EQ(0, st) log_launch(_metadata, &self->l);
	EXPECT_NE(NULL, strstr(self->l.out, "read1 0x00000000000000ff\n"));
	EXPECT_NE(NULL, strstr(self->l.out, "read2 0x000000000000ffff\n"));
	EXPECT_NE(NULL, strstr(self->l.out, "read4 0x00000000ffffffff\n"));
	EXPECT_NE(NULL, strstr(self->l.out, "read8 0xffffffffffffffff\n"));
	/* One note on stderr at the first MMIO access, not one per access. */
	note = strstr(self->l.err, "MMIO at 0xc0000000");
	ASSERT_NE(NULL, note) log_launch(_metadata, &self->l);
	EXPECT_EQ(NULL, strstr(note + 1, "MMIO at"));
}

TEST_F(launcher, stats)
{
	int st = RUN_GUEST("hello", "-m", "16M", "--stats");
	const char *p;

	EXPECT_EQ(0, st) log_launch(_metadata, &self->l);
	EXPECT_STREQ("Hello from shadowvm guest\n", self->l.out);
	for (st = 0; st < SHADOWVM_STAT_NR; st++) {
		ASSERT_NE(NULL, svm_stat_name(st)) TH_LOG("stat %d has no name", st);
		EXPECT_NE(NULL, strstr(self->l.err, svm_stat_name(st)))
			TH_LOG("%s missing", svm_stat_name(st));
	}
	p = strstr(self->l.err, "shadow_faults");
	ASSERT_NE(NULL, p);
	EXPECT_LT(0, strtoul(p + strlen("shadow_faults"), NULL, 10));
	p = strstr(self->l.err, "exits_hlt");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, strtoul(p + strlen("exits_hlt"), NULL, 10));
}

TEST_F(launcher, mem_option)
{
	int st = RUN_GUEST("hello", "-m", "4M");

	EXPECT_EQ(0, st) log_launch(_metadata, &self->l);
	EXPECT_STREQ("Hello from shadowvm guest\n", self->l.out);
	/* The page-fault guest needs 12 MiB and says so. */
	st = RUN_GUEST("pagefault", "--mem=8M");
	EXPECT_EQ(LAUNCH_EXIT_DEBUG(1), st) log_launch(_metadata, &self->l);
	EXPECT_NE(NULL, strstr(self->l.out, "FAIL: at least 12 MiB of RAM"));
}

/* A bare -m number is MiB, as for QEMU and kvmtool: the guest sees it. */
TEST_F(launcher, mem_bare_number_is_mib)
{
	int st = RUN_GUEST("pagefault", "-m", "8");

	EXPECT_EQ(LAUNCH_EXIT_DEBUG(1), st) log_launch(_metadata, &self->l);
	EXPECT_NE(NULL, strstr(self->l.out, "FAIL: at least 12 MiB of RAM"));
	st = RUN_GUEST("pagefault", "-m", "16");
	EXPECT_EQ(0, st) log_launch(_metadata, &self->l);
	EXPECT_NE(NULL, strstr(self->l.out, "pagefault: all checks passed"));
}

/* Usage errors: status 2, one line saying what, one pointing at --help. */
static void expect_usage_error(struct __test_metadata *_metadata,
			       struct launch *l, const char *const *args,
			       const char *what)
{
	const char *nl;

	EXPECT_EQ(LAUNCH_EXIT_USAGE, launcher_run(l, args, RUN_TIMEOUT_MS))
		log_launch(_metadata, l);
	EXPECT_NE(NULL, strstr(l->err, what)) log_launch(_metadata, l);
	EXPECT_EQ(NULL, strstr(l->err, "Usage")) log_launch(_metadata, l);
	nl = strchr(l->err, '\n');
	ASSERT_NE(NULL, nl) log_launch(_metadata, l);
	EXPECT_STREQ("Try 'shadowvm-run --help' for more information.\n", nl + 1)
		log_launch(_metadata, l);
	EXPECT_STREQ("", l->out);
}

TEST_F(launcher, bad_arguments)
{
	const char *none[] = { NULL };
	const char *two[] = { "a.bin", "b.bin", NULL };
	const char *unknown[] = { "--frobnicate", "x.bin", NULL };
	const char *badmem[] = { "-m", "12q", "x.bin", NULL };
	const char *tiny[] = { "-m", "64k", "x.bin", NULL };
	const char *tinymib[] = { "-m", "1", "x.bin", NULL };
	const char *huge[] = { "-m", "4097", "x.bin", NULL };
	const char *badload[] = { "--load", "0x1000", "x.bin", NULL };
	const char *badbackend[] = { "--backend=xen", "x.bin", NULL };
	const char *missing[] = { "/nonexistent/guest.bin", NULL };

	expect_usage_error(_metadata, &self->l, none, "no IMAGE given");
	expect_usage_error(_metadata, &self->l, two, "extra argument 'b.bin'");
	expect_usage_error(_metadata, &self->l, unknown, "unrecognized option");
	expect_usage_error(_metadata, &self->l, badmem, "bad --mem '12q'");
	expect_usage_error(_metadata, &self->l, tiny, "bad --mem '64k'");
	expect_usage_error(_metadata, &self->l, tinymib, "bad --mem '1'");
	expect_usage_error(_metadata, &self->l, huge, "bad --mem '4097'");
	expect_usage_error(_metadata, &self->l, badload, "bad --load");
	expect_usage_error(_metadata, &self->l, badbackend, "bad --backend");
	/* Not a usage error: the command line was fine, the image is not. */
	EXPECT_EQ(LAUNCH_EXIT_SETUP, launcher_run(&self->l, missing, RUN_TIMEOUT_MS));
	EXPECT_NE(NULL, strstr(self->l.err, "No such file"));
}

TEST_F(launcher, help)
{
	const char *args[] = { "--help", NULL };

	EXPECT_EQ(0, launcher_run(&self->l, args, RUN_TIMEOUT_MS));
	EXPECT_NE(NULL, strstr(self->l.out, "Usage: shadowvm-run"));
	EXPECT_NE(NULL, strstr(self->l.out, "0x100000"));
	EXPECT_NE(NULL, strstr(self->l.out, "0xf4"));
}

TEST_F(launcher, version)
{
	const char *args[] = { "--version", NULL };

	EXPECT_EQ(0, launcher_run(&self->l, args, RUN_TIMEOUT_MS));
	EXPECT_EQ(0, strncmp(self->l.out, "shadowvm-run ", 13))
		log_launch(_metadata, &self->l);
	EXPECT_NE(NULL, strstr(self->l.out, "ioctl API"))
		log_launch(_metadata, &self->l);
	EXPECT_STREQ("", self->l.err);
}

TEST_F(launcher, sigterm_stops_endless_guest)
{
	const char *args[] = { "-m", "16M", self->image, NULL };

	guest_path(self->image, sizeof(self->image), "loop");
	ASSERT_EQ(0, launcher_start(&self->l, args));
	ASSERT_TRUE(launcher_read(&self->l, "looping\n", RUN_TIMEOUT_MS))
		log_launch(_metadata, &self->l);
	usleep(100000);
	kill(self->l.pid, SIGTERM);
	launcher_read(&self->l, NULL, RUN_TIMEOUT_MS);
	launcher_wait(&self->l);
	ASSERT_TRUE(WIFSIGNALED(self->l.status)) log_launch(_metadata, &self->l);
	EXPECT_EQ(SIGTERM, WTERMSIG(self->l.status));
}

TEST_F(launcher, sigkill_mid_run_then_run_again)
{
	const char *args[] = { "-m", "16M", self->image, NULL };
	int st;

	guest_path(self->image, sizeof(self->image), "loop");
	ASSERT_EQ(0, launcher_start(&self->l, args));
	ASSERT_TRUE(launcher_read(&self->l, "looping\n", RUN_TIMEOUT_MS))
		log_launch(_metadata, &self->l);
	usleep(200000);
	kill(self->l.pid, SIGKILL);
	launcher_wait(&self->l);
	ASSERT_TRUE(WIFSIGNALED(self->l.status));
	EXPECT_EQ(SIGKILL, WTERMSIG(self->l.status));
	st = RUN_GUEST("hello", "-m", "16M");
	EXPECT_EQ(0, st) log_launch(_metadata, &self->l);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	require_launcher();
	require_guests();
	filter_tests();
	return test_harness_run(argc, argv);
}
