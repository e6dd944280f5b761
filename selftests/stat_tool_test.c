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

#define DEBUGFS_DIR	"/sys/kernel/debug/shadowvm"

static const char *tool_path(void)
{
	const char *p = getenv("SHADOWVM_STAT");
	const char *path = getenv("PATH");
	static char buf[4096];

	if (p && *p)
		return p;
	while (path && *path) {
		const char *end = strchrnul(path, ':');

		snprintf(buf, sizeof(buf), "%.*s/shadowvm-stat",
			 (int)(end - path), path);
		if (!access(buf, X_OK))
			return buf;
		path = *end ? end + 1 : end;
	}
	return "build/user/shadowvm-stat";
}

struct tool {
	char out[65536];
	int status;		/* exit status, or 128 + signal */
};

/*
 * Run the tool with @args (one string, split by the shell), stdout and
 * stderr together; kill it with SIGINT after @secs if it is still running
 * (0: let it finish).
 */
static int run_tool(struct tool *t, const char *args, int secs)
{
	char cmd[8192];
	size_t len = 0;
	FILE *p;
	int st;

	if (secs)
		snprintf(cmd, sizeof(cmd), "timeout -s INT %d %s %s 2>&1 </dev/null",
			 secs, tool_path(), args);
	else
		snprintf(cmd, sizeof(cmd), "%s %s 2>&1 </dev/null", tool_path(), args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (len < sizeof(t->out) - 1) {
		size_t n = fread(t->out + len, 1, sizeof(t->out) - 1 - len, p);

		if (!n)
			break;
		len += n;
	}
	t->out[len] = 0;
	st = pclose(p);
	t->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return t->status;
}

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

FIXTURE_SETUP(guest)
{
	char image[4096];
	const char *args[] = { image, NULL };

	guest_path(image, sizeof(image), "loop");
	if (access(image, R_OK))
		SKIP(return, "the loop guest is missing (SHADOWVM_GUEST_DIR?)");
	if (access(DEBUGFS_DIR, R_OK))
		SKIP(return, DEBUGFS_DIR " absent (debugfs not mounted?)");
	ASSERT_EQ(0, launcher_start(&self->l, args));
	self->started = true;
	/* The guest printed its line: its VM exists and it is spinning. */
	ASSERT_TRUE(launcher_read(&self->l, "looping", 60000)) LOG_LAUNCH(&self->l);
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

	ASSERT_EQ(0, run_tool(&t, "-1 --json", 0)) TH_LOG("%s", t.out);
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

	ASSERT_EQ(0, run_tool(&t, "-1", 0)) TH_LOG("%s", t.out);
	snprintf(head, sizeof(head), "(pid %d)", self->l.pid);
	EXPECT_NE(NULL, strstr(t.out, head)) TH_LOG("%s", t.out);
	EXPECT_NE(NULL, strstr(t.out, "exits_external_interrupt")) TH_LOG("%s", t.out);
}

TEST_F(guest, live_json_has_rates)
{
	const char *second, *vm;
	struct tool t;

	/* Ctrl-C (SIGINT) after 3 s ends it cleanly, status 0. */
	run_tool(&t, "--json --interval 1", 3);
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

	EXPECT_EQ(0, run_tool(&t, "--version", 0));
	EXPECT_EQ(0, strncmp(t.out, "shadowvm-stat ", 14)) TH_LOG("%s", t.out);
	EXPECT_EQ(0, run_tool(&t, "--help", 0));
	EXPECT_NE(NULL, strstr(t.out, "--json"));
	EXPECT_EQ(2, run_tool(&t, "--no-such-option", 0));
	EXPECT_NE(NULL, strstr(t.out, "--help")) TH_LOG("%s", t.out);
	EXPECT_EQ(2, run_tool(&t, "--interval 0", 0));
}

TEST(errors_say_why)
{
	struct tool t;

	EXPECT_EQ(1, run_tool(&t, "-1 -d /nonexistent/shadowvm", 0));
	EXPECT_NE(NULL, strstr(t.out, "shadowvm.ko loaded")) TH_LOG("%s", t.out);
	/* No VM: every test's VM is gone by now (each runs in a child). */
	if (access(DEBUGFS_DIR, R_OK))
		SKIP(return, DEBUGFS_DIR " absent (debugfs not mounted?)");
	EXPECT_EQ(1, run_tool(&t, "-1 --json", 0)) TH_LOG("%s", t.out);
	EXPECT_NE(NULL, strstr(t.out, "no shadowvm VM is running")) TH_LOG("%s", t.out);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	filter_tests();
	return test_harness_run(argc, argv);
}
