// SPDX-License-Identifier: GPL-2.0
/*
 * shadowvm-stat: the counters of running shadowvm VMs, live (like
 * kvm_stat) or once, as a table or JSON.
 *
 * It lists the VMs from the module's debugfs directory (one
 * <pid>-<id>/ per VM, Documentation/ioctl-api.rst) and reads each one's
 * binary "stats" file, the same self-describing format as a stats fd, so
 * it shows counters it has never heard of. The files are opened for each
 * refresh and closed again: an open one keeps its VM alive, and a tool
 * that watches must not keep dead VMs around.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/stats.h"
#include "lib/version.h"

#define DEBUGFS_MOUNT	"/sys/kernel/debug"
#define DEFAULT_DIR	DEBUGFS_MOUNT "/shadowvm"
#define DEBUGFS_MAGIC	0x64626720
#define MAX_VMS		256

/* Exit statuses (the man page has the table). */
#define EXIT_OK		0
#define EXIT_NOTHING	1	/* no debugfs, no module, no VM, no access */
#define EXIT_USAGE	2

static const char usage_text[] =
"Usage: shadowvm-stat [OPTIONS]\n"
"Show the counters of the running shadowvm VMs, refreshed every second\n"
"with per-second rates of the cumulative ones; q or Ctrl-C quits.\n"
"\n"
"  -1, --once           print the current values once and exit\n"
"  -j, --json           JSON: one document (with -1), else one per line\n"
"                       and refresh\n"
"  -i, --interval=SECS  seconds between refreshes (default 1)\n"
"  -d, --dir=DIR        the module's debugfs directory\n"
"                       (default " DEFAULT_DIR ")\n"
"  -h, --help           this text\n"
"  -V, --version        the version\n"
"\n"
"Exit status: 0 success, 1 nothing to show (debugfs not mounted,\n"
"shadowvm.ko not loaded, no VM running, no permission), 2 usage error.\n";

struct vm_sample {
	char name[256];		/* directory name, "<pid>-<id>" */
	long pid;
	struct svm_stats st;	/* descriptors and values (fd closed) */
	bool valid;
};

struct sample {
	struct vm_sample vm[MAX_VMS];
	int n;
	struct timespec when;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * The terminal: saved_tty as found, raw_tty_mode the mode the live display
 * wants (keys without Enter and without echo, so "q" quits at once).
 * tty_changed says raw mode is on now; want_raw that it was entered, to be
 * entered again after a stop. Used from signal handlers too.
 */
static struct termios saved_tty, raw_tty_mode;
static volatile sig_atomic_t tty_changed, want_raw;

/* Async-signal-safe: called from the signal handlers. */
static void restore_tty(void)
{
	if (tty_changed) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		tty_changed = 0;
	}
}

/*
 * Async-signal-safe. Only in the foreground: a background process that
 * sets the terminal is stopped by SIGTTOU.
 */
static void enter_raw(void)
{
	if (want_raw && !tty_changed &&
	    tcgetpgrp(STDIN_FILENO) == getpgrp() &&
	    !tcsetattr(STDIN_FILENO, TCSANOW, &raw_tty_mode))
		tty_changed = 1;
}

/*
 * Raw mode only when the display is on a terminal too: with stdout piped
 * or redirected, the keyboard is not ours to take (and nobody sees "q").
 */
static void raw_tty(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	raw_tty_mode = saved_tty;
	raw_tty_mode.c_lflag &= ~(ICANON | ECHO);
	raw_tty_mode.c_cc[VMIN] = 0;
	raw_tty_mode.c_cc[VTIME] = 0;
	want_raw = 1;
	atexit(restore_tty);
	enter_raw();
}

/*
 * SIGQUIT and SIGTSTP: put the terminal back, then take the default
 * action (core dump; stop). The signal is blocked in its handler, so the
 * raise() is delivered, with SIG_DFL, when the handler returns.
 */
static void on_fatal_or_stop(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int saved = errno;

	restore_tty();
	sigaction(sig, &dfl, NULL);
	raise(sig);
	errno = saved;
}

/* SIGCONT after a stop: handle the next SIGTSTP again, raw mode back. */
static void on_cont(int sig)
{
	struct sigaction sa = { .sa_handler = on_fatal_or_stop };
	int saved = errno;

	(void)sig;
	sigaction(SIGTSTP, &sa, NULL);
	enter_raw();
	errno = saved;
}

/*
 * After printing: whether stdout still takes the output. SIGPIPE is
 * ignored, so a reader that went away (shadowvm-stat | head) is EPIPE
 * here, an ordinary end; any other error is reported.
 */
static bool output_ok(int *status)
{
	int err;

	errno = 0;
	if (!fflush(stdout) && !ferror(stdout))
		return true;
	err = errno ? errno : EIO;
	if (err == EPIPE) {
		*status = EXIT_OK;
	} else {
		fprintf(stderr, "shadowvm-stat: writing the output: %s\n",
			strerror(err));
		*status = EXIT_NOTHING;
	}
	return false;
}

/* Why @dir cannot be listed, as a sentence for the user. */
static void explain_missing_dir(const char *dir, int err)
{
	struct statfs fs;

	if (err == EACCES || err == EPERM) {
		fprintf(stderr, "shadowvm-stat: %s: %s (debugfs is readable by root only)\n",
			dir, strerror(err));
		return;
	}
	if (!strcmp(dir, DEFAULT_DIR) &&
	    (statfs(DEBUGFS_MOUNT, &fs) || fs.f_type != DEBUGFS_MAGIC)) {
		fprintf(stderr, "shadowvm-stat: debugfs is not mounted at " DEBUGFS_MOUNT
			" (mount -t debugfs none " DEBUGFS_MOUNT ")\n");
		return;
	}
	fprintf(stderr, "shadowvm-stat: %s: %s (is shadowvm.ko loaded?)\n",
		dir, strerror(err));
}

static void free_sample(struct sample *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		svm_stats_close(&s->vm[i].st);
	s->n = 0;
}

static int cmp_vm(const void *a, const void *b)
{
	const struct vm_sample *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/*
 * Read every VM under @dir into @s. Returns 0, or an errno when @dir
 * cannot be read; VMs that vanish while we read are left out.
 */
static int take_sample(const char *dir, struct sample *s)
{
	struct dirent *e;
	DIR *d;

	free_sample(s);
	clock_gettime(CLOCK_MONOTONIC, &s->when);
	d = opendir(dir);
	if (!d)
		return errno;
	while ((e = readdir(d)) && s->n < MAX_VMS) {
		struct vm_sample *v = &s->vm[s->n];
		char path[4096];
		unsigned int id;
		long pid;
		int fd;

		if (sscanf(e->d_name, "%ld-%u", &pid, &id) != 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s/stats", dir, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* the VM went away */
		if (svm_stats_open(&v->st, fd))
			continue;	/* closed the fd already */
		if (svm_stats_read(&v->st)) {
			svm_stats_close(&v->st);
			continue;
		}
		close(v->st.fd);
		v->st.fd = -1;
		snprintf(v->name, sizeof(v->name), "%s", e->d_name);
		v->pid = pid;
		v->valid = true;
		s->n++;
	}
	closedir(d);
	qsort(s->vm, s->n, sizeof(s->vm[0]), cmp_vm);
	return 0;
}

static const struct vm_sample *find_vm(const struct sample *s, const char *name)
{
	int i;

	for (i = 0; s && i < s->n; i++)
		if (!strcmp(s->vm[i].name, name))
			return &s->vm[i];
	return NULL;
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * Per-second rate of counter @i of @v since @old, or a negative number
 * when there is none (first sample, not cumulative, counter new or reset).
 */
static double rate(const struct vm_sample *v, uint32_t i,
		   const struct vm_sample *old, double secs)
{
	uint64_t now = svm_stats_value(&v->st, i), then;
	int j;

	if (!old || secs <= 0 ||
	    (v->st.desc[i].flags & SHADOWVM_STATS_TYPE_MASK) !=
	    SHADOWVM_STATS_TYPE_CUMULATIVE)
		return -1;
	j = svm_stats_find(&old->st, v->st.desc[i].name);
	if (j < 0)
		return -1;
	then = svm_stats_value(&old->st, j);
	return now >= then ? (now - then) / secs : -1;
}

static void print_table(const struct sample *s, const struct sample *old,
			bool live)
{
	double secs = old ? seconds_between(&old->when, &s->when) : 0;
	int i;

	if (live && isatty(STDOUT_FILENO))
		fputs("\033[H\033[2J", stdout);
	if (live)
		printf("shadowvm-stat %s: %d VM%s (q or Ctrl-C quits)\n",
		       SHADOWVM_VERSION, s->n, s->n == 1 ? "" : "s");
	if (!s->n)
		printf("no VM running\n");
	for (i = 0; i < s->n; i++) {
		const struct vm_sample *v = &s->vm[i];
		const struct vm_sample *o = find_vm(old, v->name);
		uint32_t j;

		printf("%sVM %s (pid %ld)\n", i ? "\n" : "", v->name, v->pid);
		printf("  %-28s %20s %14s\n", "counter", "value", live ? "per second" : "");
		for (j = 0; j < v->st.num_desc; j++) {
			double r = rate(v, j, o, secs);
			const char *unit = svm_stats_unit_name(v->st.desc[j].flags);

			printf("  %-28s %20" PRIu64, v->st.desc[j].name,
			       svm_stats_value(&v->st, j));
			if (r >= 0)
				printf(" %14.0f", r);
			else if (*unit || !live)
				printf(" %14s", unit);
			putchar('\n');
		}
	}
}

static void json_string(const char *str)
{
	putchar('"');
	for (; *str; str++) {
		unsigned char c = *str;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(const struct sample *s, const struct sample *old)
{
	double secs = old ? seconds_between(&old->when, &s->when) : 0;
	int i;
	uint32_t j;

	printf("{\"version\":");
	json_string(SHADOWVM_VERSION);
	if (old)
		printf(",\"interval_s\":%.3f", secs);
	printf(",\"vms\":[");
	for (i = 0; i < s->n; i++) {
		const struct vm_sample *v = &s->vm[i];
		const struct vm_sample *o = find_vm(old, v->name);

		printf("%s{\"name\":", i ? "," : "");
		json_string(v->name);
		printf(",\"pid\":%ld,\"id\":", v->pid);
		json_string(v->st.id);
		printf(",\"stats\":{");
		for (j = 0; j < v->st.num_desc; j++) {
			printf("%s", j ? "," : "");
			json_string(v->st.desc[j].name);
			printf(":%" PRIu64, svm_stats_value(&v->st, j));
		}
		printf("},\"types\":{");
		for (j = 0; j < v->st.num_desc; j++) {
			printf("%s", j ? "," : "");
			json_string(v->st.desc[j].name);
			putchar(':');
			json_string(svm_stats_type_name(v->st.desc[j].flags));
		}
		printf("}");
		if (old) {
			bool first = true;

			printf(",\"rates\":{");
			for (j = 0; j < v->st.num_desc; j++) {
				double r = rate(v, j, o, secs);

				if (r < 0)
					continue;
				printf("%s", first ? "" : ",");
				json_string(v->st.desc[j].name);
				printf(":%.1f", r);
				first = false;
			}
			printf("}");
		}
		printf("}");
	}
	printf("]}\n");
}

/* Sleep up to @ms, returning early when q is typed or a signal came. */
static void wait_or_quit(int ms)
{
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		int left, n;
		char c;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = ms - (int)(seconds_between(&t0, &now) * 1000);
		if (left <= 0)
			return;
		if (!tty_changed) {
			poll(NULL, 0, left);
			continue;
		}
		n = poll(&p, 1, left);
		if (n > 0 && read(STDIN_FILENO, &c, 1) == 1 &&
		    (c == 'q' || c == 'Q'))
			stop = 1;
	}
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "shadowvm-stat: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'shadowvm-stat --help' for more information.\n");
	exit(EXIT_USAGE);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, '1' },
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ }
	};
	static struct sample samples[2];
	const char *dir = DEFAULT_DIR;
	bool once = false, json = false;
	double interval = 1;
	int c, cur = 0, err, status = EXIT_OK;
	struct sigaction sa;

	opterr = 0;	/* our own message, in our form (":" below: ours too) */
	while ((c = getopt_long(argc, argv, ":1ji:d:hV", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case '1':
			once = true;
			break;
		case 'j':
			json = true;
			break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || !(interval >= 0.1 && interval <= 3600))
				usage_error("bad interval '%s' (0.1 to 3600 seconds)", optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("shadowvm-stat %s\n", SHADOWVM_VERSION);
			return EXIT_OK;
		default: {
			/*
			 * The option at fault: optopt for a short one (also
			 * inside a cluster such as -1x, where argv[optind - 1]
			 * is the whole cluster); the argv word for a long one
			 * (optopt is 0 for an unknown long option, and the
			 * short equivalent for one missing its argument).
			 */
			const char *word = argv[optind - 1];
			char opt[3] = { '-', (char)optopt, 0 };

			if (optopt && strncmp(word, "--", 2))
				word = opt;
			usage_error(c == ':' ? "option '%s' needs an argument" :
				    "unknown option '%s'", word);
		}
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);

	err = take_sample(dir, &samples[cur]);
	if (err) {
		explain_missing_dir(dir, err);
		return EXIT_NOTHING;
	}
	if (!samples[cur].n) {
		fprintf(stderr, "shadowvm-stat: no shadowvm VM is running (%s is empty)\n",
			dir);
		return EXIT_NOTHING;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (once) {
		if (json)
			print_json(&samples[cur], NULL);
		else
			print_table(&samples[cur], NULL, false);
		free_sample(&samples[cur]);
		return output_ok(&status) ? EXIT_OK : status;
	}

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal_or_stop;
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = on_cont;
	sigaction(SIGCONT, &sa, NULL);
	raw_tty();
	if (json)
		print_json(&samples[cur], NULL);
	else
		print_table(&samples[cur], NULL, true);
	while (!stop && output_ok(&status)) {
		wait_or_quit((int)(interval * 1000));
		if (stop)
			break;
		cur ^= 1;
		err = take_sample(dir, &samples[cur]);
		if (err) {
			restore_tty();
			explain_missing_dir(dir, err);
			return EXIT_NOTHING;
		}
		if (json)
			print_json(&samples[cur], &samples[cur ^ 1]);
		else
			print_table(&samples[cur], &samples[cur ^ 1], true);
	}
	restore_tty();
	free_sample(&samples[0]);
	free_sample(&samples[1]);
	return status;
}
