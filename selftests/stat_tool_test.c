// SPDX-License-Identifier: GPL-2.0
/*
 * shadowvm-stat against a running guest: the launcher runs the loop guest
 * in the background, and "shadowvm-stat -1 --json" must list its VM with
 * nonzero exits; also the table form, the live JSON stream with rates,
 * --version, and the errors (no VM, no directory, bad option).
 *
 * Environment: SHADOWVM_STAT, the tool to run [shadowvm-stat from PATH,
 * else build/user/shadowvm-stat].
 */
#include <sys/stat.h>

#include "test_util.h"
#include "kselftest_harness.h"

static const char *tool_path(void)
{
	static char buf[4096];

	return find_tool("SHADOWVM_STAT", "shadowvm-stat",
			 "build/user/shadowvm-stat", buf, sizeof(buf));
}

struct tool {
	char out[65536];
	int status;		/* exit status, or 128 + signal */
};

/*
 * Run the tool with @args (NULL-terminated, without argv[0]), stdout and
 * stderr together, stdin /dev/null. After @secs (0: no limit) send it
 * SIGINT, as Ctrl-C would: it is run directly, not under timeout(1),
 * whose own status (124) would hide the tool's.
 */
static int run_tool(struct tool *t, const char *const *args, int secs)
{
	const char *argv[16] = { tool_path() };
	struct timespec t0, now;
	char scratch[4096];
	bool sent = false;
	size_t len = 0;
	int fds[2], i, st;
	pid_t pid;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	t->out[0] = 0;
	t->status = -1;
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 ||
		    dup2(fds[1], 2) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		int left = -1;
		ssize_t n;

		if (secs && !sent) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left = secs * 1000 - ((now.tv_sec - t0.tv_sec) * 1000 +
					      (now.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0) {
				kill(pid, SIGINT);
				sent = true;
				left = -1;
			}
		}
		if (poll(&p, 1, left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!p.revents)
			continue;
		/* Past the buffer, keep draining so that the tool never blocks. */
		if (len < sizeof(t->out) - 1)
			n = read(fds[0], t->out + len, sizeof(t->out) - 1 - len);
		else
			n = read(fds[0], scratch, sizeof(scratch));
		if (n <= 0)
			break;
		if (len < sizeof(t->out) - 1)
			len += n;
	}
	t->out[len] = 0;
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	t->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return t->status;
}

#define ARGS(...)	((const char *const []){ __VA_ARGS__, NULL })

/* Crude JSON check: balanced braces/brackets outside strings, one value. */
static bool json_balanced(const char *s, const char *end)
{
	int depth = 0;
	bool in_str = false, seen = false;

	for (; s < end; s++) {
		if (in_str) {
			if (*s == '\\')
				s++;
			else if (*s == '"')
				in_str = false;
			continue;
		}
		if (*s == '"')
			in_str = true;
		else if (*s == '{' || *s == '[')
			depth++, seen = true;
		else if (*s == '}' || *s == ']')
			if (--depth < 0)
				return false;
	}
	return seen && !depth && !in_str;
}

/* The VM object of pid @pid in the JSON: its start, or NULL. */
static const char *vm_of_pid(const char *json, pid_t pid)
{
	char key[64];

	snprintf(key, sizeof(key), "\"pid\":%d,", pid);
	return strstr(json, key);
}

/* "name":N in the "stats" object of the VM at @vm, or -1. */
static long long json_stat(const char *vm, const char *name)
{
	const char *stats = strstr(vm, "\"stats\":{"), *end, *p;
	char key[96];

	if (!stats)
		return -1;
	end = strchr(stats, '}');
	snprintf(key, sizeof(key), "\"%s\":", name);
	p = strstr(stats, key);
	if (!p || !end || p > end)
		return -1;
	return strtoll(p + strlen(key), NULL, 10);
}

FIXTURE(guest) {
	struct launch l;
	bool started;
};

/*
 * At the start of each guest test: the 6.1 harness runs the test body
 * even after a SKIP in the fixture setup (it stops only on a failure).
 */
#define SETUP_SKIPPED()	(!self->started)

FIXTURE_SETUP(guest)
{
	char image[4096];
	const char *args[] = { image, NULL };

	guest_path(image, sizeof(image), "loop");
	if (access(image, R_OK))
		SKIP(return, "the loop guest is missing (SHADOWVM_GUEST_DIR?)");
	REQUIRE_DEBUGFS_DIR();
	ASSERT_EQ(0, launcher_start(&self->l, args));
	/*
	 * The guest printed its line: its VM exists and it is spinning. A
	 * failed ASSERT skips the teardown, so stop the launcher first.
	 */
	if (!launcher_read(&self->l, "looping", 60000)) {
		kill(self->l.pid, SIGKILL);
		launcher_wait(&self->l);
		ASSERT_TRUE(false) LOG_LAUNCH(&self->l);
	}
	self->started = true;
}

FIXTURE_TEARDOWN(guest)
{
	if (!self->started)
		return;
	kill(self->l.pid, SIGKILL);
	launcher_wait(&self->l);
}

TEST_F(guest, once_json_lists_the_vm)
{
	struct tool t;
	const char *vm;

	if (SETUP_SKIPPED())
		return;
	ASSERT_EQ(0, run_tool(&t, ARGS("-1", "--json"), 0)) TH_LOG("%s", t.out);
	EXPECT_EQ('{', t.out[0]) TH_LOG("%s", t.out);
	EXPECT_TRUE(json_balanced(t.out, t.out + strlen(t.out))) TH_LOG("%s", t.out);
	/* Exactly one document, ending in a newline. */
	EXPECT_EQ('\n', t.out[strlen(t.out) - 1]);
	EXPECT_EQ(strchr(t.out, '\n'), t.out + strlen(t.out) - 1);
	vm = vm_of_pid(t.out, self->l.pid);
	ASSERT_NE(NULL, vm) TH_LOG("pid %d not listed:\n%s", self->l.pid, t.out);
	EXPECT_LT(0, json_stat(vm, "exits")) TH_LOG("%s", vm);
	EXPECT_LT(0, json_stat(vm, "exits_io")) TH_LOG("%s", vm);
	EXPECT_LE(0, json_stat(vm, "shadow_pages")) TH_LOG("%s", vm);
	EXPECT_NE(NULL, strstr(t.out, "\"version\":\""));
}

TEST_F(guest, once_table_lists_the_vm)
{
	char head[64];
	struct tool t;

	if (SETUP_SKIPPED())
		return;
	ASSERT_EQ(0, run_tool(&t, ARGS("-1"), 0)) TH_LOG("%s", t.out);
	snprintf(head, sizeof(head), "(pid %d)", self->l.pid);
	EXPECT_NE(NULL, strstr(t.out, head)) TH_LOG("%s", t.out);
	EXPECT_NE(NULL, strstr(t.out, "exits_external_interrupt")) TH_LOG("%s", t.out);
}

TEST_F(guest, live_json_has_rates)
{
	const char *second, *vm;
	struct tool t;

	if (SETUP_SKIPPED())
		return;
	/* Ctrl-C (SIGINT) after 3 s ends it cleanly, status 0. */
	run_tool(&t, ARGS("--json", "--interval", "1"), 3);
	EXPECT_EQ(0, t.status) TH_LOG("%s", t.out);
	second = strchr(t.out, '\n');
	ASSERT_NE(NULL, second) TH_LOG("%s", t.out);
	second++;
	ASSERT_NE(NULL, strchr(second, '\n')) TH_LOG("one line only:\n%s", t.out);
	EXPECT_TRUE(json_balanced(second, strchr(second, '\n')));
	EXPECT_NE(NULL, strstr(second, "\"interval_s\":"));
	vm = vm_of_pid(second, self->l.pid);
	ASSERT_NE(NULL, vm) TH_LOG("%s", second);
	EXPECT_NE(NULL, strstr(vm, "\"rates\":{\"exits\":")) TH_LOG("%s", vm);
}

TEST(version_and_usage)
{
	struct tool t;

	EXPECT_EQ(0, run_tool(&t, ARGS("--version"), 0));
	EXPECT_EQ(0, strncmp(t.out, "shadowvm-stat ", 14)) TH_LOG("%s", t.out);
	EXPECT_EQ(0, run_tool(&t, ARGS("--help"), 0));
	EXPECT_NE(NULL, strstr(t.out, "--json"));
	EXPECT_EQ(2, run_tool(&t, ARGS("--no-such-option"), 0));
	EXPECT_NE(NULL, strstr(t.out, "--help")) TH_LOG("%s", t.out);
	EXPECT_EQ(2, run_tool(&t, ARGS("--interval", "0"), 0));
}

TEST(errors_say_why)
{
	struct tool t;

	EXPECT_EQ(1, run_tool(&t, ARGS("-1", "-d", "/nonexistent/shadowvm"), 0));
	EXPECT_NE(NULL, strstr(t.out, "shadowvm.ko loaded")) TH_LOG("%s", t.out);
	/* No VM: every test's VM is gone by now (each runs in a child). */
	REQUIRE_DEBUGFS_DIR();
	EXPECT_EQ(1, run_tool(&t, ARGS("-1", "--json"), 0)) TH_LOG("%s", t.out);
	EXPECT_NE(NULL, strstr(t.out, "no shadowvm VM is running")) TH_LOG("%s", t.out);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	filter_tests();
	return test_harness_run(argc, argv);
}
