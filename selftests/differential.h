/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differential runs (Documentation/differential.rst): the guests that
 * print their guest-visible outcomes, how they are run, where the dumps
 * go and the line-by-line comparator. Shared by differential_test
 * (phase 1, shadowvm) and differential_kvmtest (phase 2, KVM ept=0).
 *
 * Environment:
 *   DIFFERENTIAL_DIR   where dumps go [/tmp/differential]
 *   DIFFERENTIAL_LONG  1: the long version (accesstest-full, long
 *                      torture runs with more seeds), for make bench
 */
#ifndef SHADOWVM_DIFFERENTIAL_H
#define SHADOWVM_DIFFERENTIAL_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

/* One guest run whose outcome lines are compared. */
struct diff_case {
	const char *name;	/* dump file name */
	const char *image;	/* build/guests/IMAGE.bin */
	uint64_t guest_arg;	/* --guest-arg */
};

/*
 * pttorture's argument: seed in bits 31:0, operations in bits 47:32,
 * EFER.NXE fixed (bit 48) at the value of bit 49. Fixed, because KVM with
 * ept=0 misses reserved-bit faults on NX bits after the guest clears NXE
 * (pttorture.c): that difference is known and would hide any other.
 */
#define TORTURE_ARG(seed, ops, nxe) \
	((uint64_t)(nxe) << 49 | 1ULL << 48 | (uint64_t)(ops) << 32 | (seed))

/* Short: a few seconds of Bochs time per guest, for make check. */
static const struct diff_case diff_short[] = {
	{ "accesstest", "accesstest", 1 },
	{ "pttorture-1", "pttorture", TORTURE_ARG(1, 1500, 1) },
	{ "pttorture-2", "pttorture", TORTURE_ARG(2, 1500, 0) },
};

/* Long: for make bench (DIFFERENTIAL_LONG=1). */
static const struct diff_case diff_long[] = {
	{ "accesstest-full", "accesstest-full", 1 },
	{ "pttorture-l1", "pttorture", TORTURE_ARG(1, 40000, 1) },
	{ "pttorture-l2", "pttorture", TORTURE_ARG(2, 40000, 0) },
	{ "pttorture-l3", "pttorture", TORTURE_ARG(3, 40000, 1) },
	{ "pttorture-l4", "pttorture", TORTURE_ARG(4, 40000, 0) },
};

#define DIFF_MEM		"16M"
#define DIFF_RUN_TIMEOUT_MS	270000

static inline bool diff_long_mode(void)
{
	const char *l = getenv("DIFFERENTIAL_LONG");

	return l && *l && strcmp(l, "0");
}

/* The cases of this mode; *n receives their number. */
static inline const struct diff_case *diff_cases(int *n)
{
	if (diff_long_mode()) {
		*n = sizeof(diff_long) / sizeof(diff_long[0]);
		return diff_long;
	}
	*n = sizeof(diff_short) / sizeof(diff_short[0]);
	return diff_short;
}

static inline const char *diff_dir(void)
{
	const char *d = getenv("DIFFERENTIAL_DIR");

	return d && *d ? d : "/tmp/differential";
}

/* DIR/NAME.BACKEND */
static inline void diff_path(char *buf, size_t len, const char *name,
			     const char *backend)
{
	snprintf(buf, len, "%s/%s.%s", diff_dir(), name, backend);
}

/*
 * Run @c under @backend with stdout to @out and stderr to @out.err.
 * Returns the launcher's exit status, 128 + signal, or -errno; the run is
 * killed after DIFF_RUN_TIMEOUT_MS. *@ms receives the wall time.
 */
static inline int diff_run(const struct diff_case *c, const char *backend,
			   const char *out, long *ms)
{
	char image[4096], arg[64], be[64], errpath[4200];
	const char *argv[] = { launcher_path(), be, "-m", DIFF_MEM, arg,
			       image, NULL };
	struct timespec t0, t1;
	int status, fd, efd, waited = 0;
	pid_t pid;

	guest_path(image, sizeof(image), c->image);
	snprintf(arg, sizeof(arg), "--guest-arg=%#llx",
		 (unsigned long long)c->guest_arg);
	snprintf(be, sizeof(be), "--backend=%s", backend);
	snprintf(errpath, sizeof(errpath), "%s.err", out);
	mkdir(diff_dir(), 0755);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	efd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (efd < 0) {
		close(fd);
		return -errno;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		close(fd);
		close(efd);
		return -errno;
	}
	if (pid == 0) {
		dup2(fd, 1);
		dup2(efd, 2);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	close(efd);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (waited >= DIFF_RUN_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(20000);
		waited += 20;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* Outcome lines: those the guests start with '@'. */
static inline bool diff_is_outcome(const char *line)
{
	return line[0] == '@';
}

/* Number of outcome lines in @path, -errno if it cannot be read. */
static inline long diff_count(const char *path)
{
	char line[512];
	long n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		n += diff_is_outcome(line);
	fclose(f);
	return n;
}

static inline bool diff_next(FILE *f, char *line, size_t len, long *lineno)
{
	while (fgets(line, len, f)) {
		(*lineno)++;
		if (diff_is_outcome(line)) {
			line[strcspn(line, "\n")] = 0;
			return true;
		}
	}
	line[0] = 0;
	return false;
}

/* Result of comparing two dumps. */
struct diff_result {
	long compared;		/* outcome lines present in both */
	long differences;	/* differing lines, plus a length mismatch */
	long first_line_a;	/* line number of the first difference in A */
	char report[4096];	/* the first differences, for the log */
};

/*
 * Compare the outcome lines of @a and @b in order. The first few
 * differences go to r->report with their file line numbers, so the case
 * that shows a difference is named. Returns 0 or -errno.
 */
static inline int diff_compare(const char *a, const char *b,
			       struct diff_result *r)
{
	char la[512], lb[512];
	long na = 0, nb = 0;
	size_t used = 0;
	FILE *fa, *fb;

	memset(r, 0, sizeof(*r));
	fa = fopen(a, "r");
	if (!fa)
		return -errno;
	fb = fopen(b, "r");
	if (!fb) {
		int err = -errno;

		fclose(fa);
		return err;
	}
	for (;;) {
		bool ha = diff_next(fa, la, sizeof(la), &na);
		bool hb = diff_next(fb, lb, sizeof(lb), &nb);

		if (!ha && !hb)
			break;
		if (ha != hb) {
			r->differences++;
			if (!r->first_line_a)
				r->first_line_a = na;
			if (used < sizeof(r->report))
				used += snprintf(r->report + used,
						 sizeof(r->report) - used,
						 "# %s ends first; the other goes on with line %ld: %s\n",
						 ha ? b : a, ha ? na : nb,
						 ha ? la : lb);
			break;
		}
		r->compared++;
		if (strcmp(la, lb)) {
			r->differences++;
			if (!r->first_line_a)
				r->first_line_a = na;
			if (r->differences <= 5 && used < sizeof(r->report))
				used += snprintf(r->report + used,
						 sizeof(r->report) - used,
						 "# difference %ld:\n#   %s:%ld: %s\n#   %s:%ld: %s\n",
						 r->differences, a, na, la, b,
						 nb, lb);
		}
	}
	fclose(fa);
	fclose(fb);
	return 0;
}

/*
 * Copy @src to @dst with outcome line number @k (0-based) changed: its
 * last character replaced, as a wrong A/D digit or value would be.
 * Returns the file line number of the altered line, or -errno.
 */
static inline long diff_alter(const char *src, const char *dst, long k)
{
	char line[512];
	long lineno = 0, seen = 0, altered = -ENOENT;
	FILE *in = fopen(src, "r"), *out;

	if (!in)
		return -errno;
	out = fopen(dst, "w");
	if (!out) {
		long err = -errno;

		fclose(in);
		return err;
	}
	while (fgets(line, sizeof(line), in)) {
		lineno++;
		if (diff_is_outcome(line) && seen++ == k) {
			size_t n = strcspn(line, "\n");

			if (n > 1) {
				line[n - 1] = line[n - 1] == '1' ? '2' : '1';
				altered = lineno;
			}
		}
		fputs(line, out);
	}
	fclose(in);
	fclose(out);
	return altered;
}

#endif /* SHADOWVM_DIFFERENTIAL_H */
