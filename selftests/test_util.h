/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the shadowvm kselftests: skip when the module is
 * absent, build a VM with one vCPU running a guest payload, drive it
 * through the raw API, and spawn the launcher.
 *
 * Environment:
 *   SHADOWVM_GUEST_DIR  directory of NAME.bin payloads [build/guests]
 *   SHADOWVM_RUN        launcher to run [shadowvm-run from PATH, else
 *                       build/user/shadowvm-run]
 */
#ifndef SHADOWVM_TEST_UTIL_H
#define SHADOWVM_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "kselftest.h"
#include "lib/guest.h"
#include "lib/shadowvm.h"

/* Enough for every payload; small because pinning is slow when emulated. */
#define TEST_MEM_SIZE	(16ULL << 20)
#define TEST_MAX_EXITS	2000000

/* Whole-binary skip (exit 4) when there is nothing to test against. */
static inline void require_shadowvm(bool need_vmx)
{
	int fd, vmx;

	if (access(SHADOWVM_DEV_PATH, F_OK)) {
		ksft_print_header();
		ksft_exit_skip(SHADOWVM_DEV_PATH " is absent (shadowvm.ko not loaded)\n");
	}
	if (!need_vmx)
		return;
	fd = svm_open_dev();
	if (fd == -EACCES || fd == -EPERM) {
		ksft_print_header();
		ksft_exit_skip("open " SHADOWVM_DEV_PATH ": %s (run as root)\n",
			       strerror(-fd));
	}
	if (fd < 0) {
		ksft_print_header();
		ksft_exit_fail_msg("open " SHADOWVM_DEV_PATH ": %s\n",
				   strerror(-fd));
	}
	vmx = svm_check_extension(fd, SHADOWVM_CAP_VMX);
	close(fd);
	if (vmx != 1) {
		ksft_print_header();
		ksft_exit_skip("SHADOWVM_CAP_VMX is %d: no VMX here, or another hypervisor (kvm_intel) holds it\n",
			       vmx);
	}
}

static inline const char *guest_dir(void)
{
	const char *d = getenv("SHADOWVM_GUEST_DIR");

	return d && *d ? d : "build/guests";
}

static inline void guest_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s.bin", guest_dir(), name);
}

/*
 * Whole-binary skip when the guest payloads are not where the program
 * looks (run outside the tree without SHADOWVM_GUEST_DIR, or before
 * make user): hello.bin stands for the directory. A single payload
 * missing from a directory that has the others is a broken build and
 * fails in the test that loads it.
 */
static inline void require_guests(void)
{
	char path[4096];

	guest_path(path, sizeof(path), "hello");
	if (access(path, R_OK)) {
		ksft_print_header();
		ksft_exit_skip("no guest payloads: %s: %s (set SHADOWVM_GUEST_DIR or run make user)\n",
			       path, strerror(errno));
	}
}

/* A VM with one slot of RAM at 0 and vCPU 0. */
struct tvm {
	int sys, vm, vcpu;
	struct shadowvm_run *run;
	struct guest_mem mem;
	struct shadowvm_regs regs;	/* entry state from the loader */
	struct shadowvm_sregs sregs;
};

/* Returns 0 or -errno; on error, what failed is in @why. */
static inline int tvm_create(struct tvm *t, uint64_t mem_size,
			     const char **why)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->sys = t->vm = t->vcpu = -1;
	*why = "open";
	t->sys = svm_open_dev();
	if (t->sys < 0)
		return t->sys;
	*why = "CREATE_VM";
	t->vm = svm_create_vm(t->sys);
	if (t->vm < 0)
		return t->vm;
	*why = "guest memory";
	err = guest_mem_alloc(&t->mem, mem_size);
	if (err)
		return err;
	*why = "SET_MEMORY_REGION";
	err = svm_set_region(t->vm, 0, 0, 0, t->mem.size, t->mem.host);
	if (err)
		return err;
	*why = "CREATE_VCPU";
	t->vcpu = svm_create_vcpu(t->vm, 0, &t->run);
	if (t->vcpu < 0)
		return t->vcpu;
	return 0;
}

/* Load build/guests/NAME.bin and set the loader's entry state. */
static inline int tvm_load(struct tvm *t, const char *name, const char **why)
{
	char path[4096];
	long n;
	int err;

	guest_path(path, sizeof(path), name);
	*why = "loading the guest image (SHADOWVM_GUEST_DIR?)";
	n = guest_load_file(&t->mem, path, GUEST_LOAD_DEFAULT);
	if (n < 0)
		return n;
	*why = "loader";
	err = guest_setup_long_mode(&t->mem, GUEST_LOAD_DEFAULT, &t->sregs,
				    &t->regs);
	if (err)
		return err;
	*why = "SET_SREGS";
	err = svm_set_sregs(t->vcpu, &t->sregs);
	if (err)
		return err;
	*why = "SET_REGS";
	return svm_set_regs(t->vcpu, &t->regs);
}

static inline void tvm_destroy(struct tvm *t)
{
	if (t->run)
		svm_unmap_run(t->run);
	if (t->vcpu >= 0)
		close(t->vcpu);
	if (t->vm >= 0)
		close(t->vm);
	if (t->sys >= 0)
		close(t->sys);
	guest_mem_free(&t->mem);
	t->run = NULL;
	t->vcpu = t->vm = t->sys = -1;
}

/* Final state of tvm_run_serial(). */
struct serial_result {
	int ret;		/* last RUN's result (0 or -errno) */
	uint32_t exit_reason;	/* last exit reason */
	bool debug_exit;	/* stopped by a write to port 0xf4 */
	uint32_t debug_value;
	unsigned long exits, io_exits, mmio_exits, lsr_reads;
	char out[8192];		/* serial output, NUL-terminated */
	size_t len;
};

/*
 * Run until something other than serial/MMIO traffic: HLT, the debug-exit
 * port, an error exit or a RUN error. The first @lsr_busy LSR reads say
 * "transmitter busy" so the guest has to poll (IN completion is used).
 */
static inline void tvm_run_serial(struct tvm *t, struct serial_result *r,
				  unsigned long lsr_busy)
{
	struct shadowvm_run *run = t->run;

	memset(r, 0, sizeof(*r));
	while (r->exits < TEST_MAX_EXITS) {
		r->ret = svm_run(t->vcpu);
		r->exit_reason = run->exit_reason;
		r->exits++;
		if (r->ret)
			return;
		if (run->exit_reason == SHADOWVM_EXIT_MMIO) {
			r->mmio_exits++;
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
			continue;
		}
		if (run->exit_reason != SHADOWVM_EXIT_IO)
			return;
		r->io_exits++;
		{
			uint8_t *data = (uint8_t *)run + run->io.data_offset;
			bool out = run->io.direction == SHADOWVM_EXIT_IO_OUT;
			uint32_t v = 0;

			memcpy(&v, data, run->io.size <= 4 ? run->io.size : 4);
			if (out && run->io.port == 0xf4) {
				r->debug_exit = true;
				r->debug_value = v;
				return;
			}
			if (out && run->io.port == 0x3f8) {
				if (r->len + 1 < sizeof(r->out))
					r->out[r->len++] = v & 0xff;
			} else if (!out && run->io.port == 0x3fd) {
				data[0] = r->lsr_reads++ < lsr_busy ? 0 : 0x60;
			} else if (!out) {
				memset(data, 0xff, run->io.size);
			}
		}
	}
}

/*
 * A user tool to run: the value of $@env if set, else @name found in PATH
 * (written to @buf), else @fallback (the build tree's copy).
 */
static inline const char *find_tool(const char *env, const char *name,
				    const char *fallback, char *buf,
				    size_t len)
{
	const char *p = getenv(env);
	const char *path = getenv("PATH");

	if (p && *p)
		return p;
	while (path && *path) {
		const char *end = strchrnul(path, ':');

		snprintf(buf, len, "%.*s/%s", (int)(end - path), path, name);
		if (!access(buf, X_OK))
			return buf;
		path = *end ? end + 1 : end;
	}
	return fallback;
}

/* Launcher to run: $SHADOWVM_RUN, "shadowvm-run" in PATH, or the build. */
static inline const char *launcher_path(void)
{
	static char buf[4096];

	return find_tool("SHADOWVM_RUN", "shadowvm-run",
			 "build/user/shadowvm-run", buf, sizeof(buf));
}

/* Whole-binary skip for programs that run the launcher, when it is absent. */
static inline void require_launcher(void)
{
	const char *p = launcher_path();

	if (access(p, X_OK)) {
		ksft_print_header();
		ksft_exit_skip("no launcher: %s: %s (set SHADOWVM_RUN or run make user)\n",
			       p, strerror(errno));
	}
}

/*
 * shadowvm-run's exit statuses (Documentation/man/shadowvm-run.1): its
 * own are even, a guest's debug exit (V << 1) | 1 is odd.
 */
#define LAUNCH_EXIT_USAGE	2	/* bad option or argument */
#define LAUNCH_EXIT_SETUP	4	/* RAM, image, device, VM creation */
#define LAUNCH_EXIT_GUEST_ERROR	6	/* triple fault, failed entry, ... */
#define LAUNCH_EXIT_DEBUG(v)	((((v) << 1) | 1) & 0xff)

struct launch {
	pid_t pid;
	int out_fd, err_fd;
	char out[16384], err[16384];
	size_t out_len, err_len;
	int status;		/* from waitpid */
};

/* Start the launcher with @args (NULL-terminated, without argv[0]). */
static inline int launcher_start(struct launch *l, const char *const *args)
{
	int out[2], err[2];
	const char *argv[32];
	pid_t parent = getpid();
	int i;

	memset(l, 0, sizeof(*l));
	argv[0] = launcher_path();
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -errno;
	l->pid = fork();
	if (l->pid < 0)
		return -errno;
	if (l->pid == 0) {
		/*
		 * Die with the test: a test process that fails an ASSERT
		 * (or is killed by the harness's timeout) exits without
		 * its teardown, and a launcher running a spinning guest
		 * would otherwise be orphaned and keep a CPU busy.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(127);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	l->out_fd = out[0];
	l->err_fd = err[0];
	return 0;
}

/*
 * Collect output until both pipes close, or until @until appears in
 * stdout (then return true with the child still running), or @timeout_ms.
 */
static inline bool launcher_read(struct launch *l, const char *until,
				 int timeout_ms)
{
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (l->out_fd >= 0 || l->err_fd >= 0) {
		struct pollfd p[2] = {
			{ .fd = l->out_fd, .events = POLLIN },
			{ .fd = l->err_fd, .events = POLLIN },
		};
		int i, left;

		if (until && strstr(l->out, until))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms - ((now.tv_sec - t0.tv_sec) * 1000 +
				     (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return false;
		if (poll(p, 2, left) < 0 && errno != EINTR)
			return false;
		for (i = 0; i < 2; i++) {
			int *fd = i ? &l->err_fd : &l->out_fd;
			char *buf = i ? l->err : l->out;
			size_t *len = i ? &l->err_len : &l->out_len;
			size_t room = sizeof(l->out) - 1 - *len;
			ssize_t n;

			if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(*fd, buf + *len, room ? room : 1);
			if (n <= 0) {
				close(*fd);
				*fd = -1;
				continue;
			}
			if (room) {
				*len += n;
				buf[*len] = 0;
			}
		}
	}
	return until ? strstr(l->out, until) != NULL : true;
}

static inline void launcher_wait(struct launch *l)
{
	while (waitpid(l->pid, &l->status, 0) < 0 && errno == EINTR)
		;
	if (l->out_fd >= 0)
		close(l->out_fd);
	if (l->err_fd >= 0)
		close(l->err_fd);
	l->out_fd = l->err_fd = -1;
}

/*
 * Run the launcher to completion (killed after @timeout_ms). Returns the
 * exit status, or 128 + signal.
 */
static inline int launcher_run(struct launch *l, const char *const *args,
			       int timeout_ms)
{
	if (launcher_start(l, args))
		return -1;
	if (!launcher_read(l, NULL, timeout_ms))
		kill(l->pid, SIGKILL);
	launcher_wait(l);
	if (WIFEXITED(l->status))
		return WEXITSTATUS(l->status);
	return 128 + WTERMSIG(l->status);
}

/* Inside a test (uses _metadata): log the launcher's status and output. */
#define LOG_LAUNCH(l)							\
	TH_LOG("%s: status %#x\n--- stdout:\n%s--- stderr:\n%s",	\
	       launcher_path(), (l)->status, (l)->out, (l)->err)

/* Value of a statistic in the launcher's --stats output, or -1. */
static inline long long launch_stat(const char *err, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\n  %s ", name);
	p = strstr(err, key);
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* The number right after the first @what in @out, or -1. */
static inline long long num_after(const char *out, const char *what)
{
	const char *p = strstr(out, what);

	return p ? strtoll(p + strlen(what), NULL, 10) : -1;
}

#define DEBUGFS_DIR	"/sys/kernel/debug/shadowvm"

/*
 * Whether debugfs is mounted at /sys/kernel/debug. The emulated host's
 * /init mounts it, so there a missing shadowvm/ directory is a module bug
 * (fail); only a host without debugfs there is a reason to skip.
 */
static inline bool debugfs_mounted(void)
{
	struct statfs sf;

	return !statfs("/sys/kernel/debug", &sf) && sf.f_type == DEBUGFS_MAGIC;
}

/*
 * Inside a test or fixture setup (uses _metadata): skip when debugfs is
 * not mounted, fail when it is but the module's directory is missing.
 */
#define REQUIRE_DEBUGFS_DIR() do {					\
	int __err;							\
	if (!debugfs_mounted())						\
		SKIP(return, "debugfs is not mounted at /sys/kernel/debug"); \
	__err = access(DEBUGFS_DIR, R_OK) ? errno : 0;			\
	ASSERT_EQ(0, __err)						\
		TH_LOG(DEBUGFS_DIR ": %s (debugfs is mounted)",		\
		       strerror(__err));				\
} while (0)

#define AUDIT_PARAM	"/sys/module/shadowvm/parameters/audit"

/*
 * Turn the module's audit on for the runs of a test program (unless
 * SHADOWVM_AUDIT=0: measure without its cost), keeping the old value in
 * @old for audit_restore().
 */
static inline void audit_begin(char *old, size_t len)
{
	const char *env = getenv("SHADOWVM_AUDIT");
	int fd = -1, err = -ECANCELED;
	ssize_t n;

	old[0] = 0;
	if (!env || strcmp(env, "0"))
		fd = open(AUDIT_PARAM, O_RDWR);
	if (fd >= 0) {
		n = read(fd, old, len - 1);
		old[n > 0 ? n : 0] = 0;
		err = pwrite(fd, "1", 1, 0) == 1 ? 0 : -errno;
		close(fd);
	} else if (!env || strcmp(env, "0")) {
		err = -errno;
	}
	if (err) {
		old[0] = 0;
		printf("# %s not set (%s): audit as loaded\n", AUDIT_PARAM,
		       strerror(-err));
	} else {
		printf("# audit on for these runs (was %c)\n", old[0]);
	}
	fflush(stdout);
}

static inline void audit_restore(const char *old)
{
	int fd;

	if (!old[0])
		return;
	fd = open(AUDIT_PARAM, O_WRONLY);
	if (fd < 0)
		return;
	if (write(fd, old, strlen(old)) < 0)
		perror(AUDIT_PARAM);
	close(fd);
}

/*
 * SHADOWVM_TEST_ONLY / SHADOWVM_TEST_SKIP: comma-separated test names to
 * run only / to leave out (the 6.1 harness has no filter of its own).
 * Needs kselftest_harness.h included before the call.
 */
static inline bool name_in_list(const char *name, const char *list)
{
	size_t n = strlen(name);

	while (list && *list) {
		const char *end = strchrnul(list, ',');

		if ((size_t)(end - list) == n && !strncmp(list, name, n))
			return true;
		list = *end ? end + 1 : end;
	}
	return false;
}

/* Whether SHADOWVM_TEST_ONLY / SHADOWVM_TEST_SKIP leave test @name out. */
static inline bool test_filtered_out(const char *name)
{
	const char *only = getenv("SHADOWVM_TEST_ONLY");
	const char *skip = getenv("SHADOWVM_TEST_SKIP");

	return (only && !name_in_list(name, only)) ||
	       (skip && name_in_list(name, skip));
}

#define filter_tests() do { \
	const char *only = getenv("SHADOWVM_TEST_ONLY"); \
	const char *skip = getenv("SHADOWVM_TEST_SKIP"); \
	struct __fixture_metadata *f; \
	for (f = __fixture_list; f && (only || skip); f = f->next) { \
		struct __test_metadata *t = f->tests, *next, *tail = NULL; \
		f->tests = NULL; \
		for (; t; t = next) { \
			next = t->next; \
			if (test_filtered_out(t->name)) \
				continue; \
			t->next = NULL; \
			if (!f->tests) \
				f->tests = t; \
			else \
				tail->next = t; \
			t->prev = tail ? tail : t; \
			f->tests->prev = t; \
			tail = t; \
		} \
	} \
} while (0)

#endif /* SHADOWVM_TEST_UTIL_H */
