// SPDX-License-Identifier: GPL-2.0
/*
 * The shadowvm trace events (Documentation/tracing.rst) through tracefs:
 * enable them, run guests through the launcher that provoke each kind,
 * read the trace buffer and check that the events appear with plausible
 * fields, and that their numbers agree with the VM's statistics (the
 * launcher's --stats). Events are disabled and the buffer cleared after
 * every test; tracing_on and buffer_size_kb are put back as they were.
 * Skips when tracefs cannot be found or mounted.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "test_util.h"
#include "kselftest_harness.h"

#define RUN_TIMEOUT_MS	180000
/* Per-CPU ring buffer while testing: no guest here may overrun it. */
#define TEST_BUFFER_KB	"8192"

/*
 * What a test counted, on the TAP stream. Flushed: the harness runs each
 * test in a child that ends with _exit().
 */
#define NOTE(fmt, ...) do { \
	printf("# " fmt "\n", ##__VA_ARGS__); \
	fflush(stdout); \
} while (0)

static char tracefs[256];
/* The state before the program, restored at its end and after each test. */
static char old_buffer_kb[32];
static char old_tracing_on[8];

static const char *const events[] = {
	"shadowvm_entry", "shadowvm_exit", "shadowvm_fault",
	"shadowvm_pt_write", "shadowvm_root_load", "shadowvm_unshadow",
	"shadowvm_unpin", "shadowvm_oos_unsync", "shadowvm_oos_resync",
};

static bool is_tracefs(const char *dir)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/trace", dir);
	return !access(path, F_OK);
}

/* Find tracefs, mounting it where the kernel expects it if need be. */
static bool find_tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (is_tracefs(dirs[i]))
			goto found;
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL) || !is_tracefs(dirs[0]))
		return false;
	i = 0;
found:
	snprintf(tracefs, sizeof(tracefs), "%s", dirs[i]);
	return true;
}

static int tfs_write(const char *name, const char *val)
{
	char path[512];
	int fd, ret = 0;
	size_t len = strlen(val);

	snprintf(path, sizeof(path), "%s/%s", tracefs, name);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	if (len && write(fd, val, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

/* The whole of tracefs file @name, NUL-terminated (free()), or NULL. */
static char *tfs_read(const char *name)
{
	char path[512];
	size_t len = 0, cap = 1 << 20;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tracefs, name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

static int enable_event(const char *event, bool on)
{
	char name[128];

	snprintf(name, sizeof(name), "events/shadowvm/%s/enable", event);
	return tfs_write(name, on ? "1" : "0");
}

/* tracing_on as it was before the program ("0" or "1"). */
static void restore_tracing_on(void)
{
	if (old_tracing_on[0] == '0' || old_tracing_on[0] == '1')
		tfs_write("tracing_on", old_tracing_on);
}

/* The first word of tracefs file @name into @buf ("" if unreadable). */
static void tfs_save(const char *name, char *buf, size_t len)
{
	char *old = tfs_read(name);

	snprintf(buf, len, "%.*s", old ? (int)strcspn(old, " \n") : 0,
		 old ? old : "");
	free(old);
}

/* Nothing traced, nothing enabled, the buffer empty. */
static void trace_reset(void)
{
	tfs_write("tracing_on", "0");
	tfs_write("events/shadowvm/enable", "0");
	tfs_write("trace", "");
}

/*
 * The next line of the trace (from *@pos) holding one of the events
 * @names (NULL-terminated): returns a pointer just past "NAME: ", at its
 * fields, with *@which its index in @names; NULL at the end. *@pos moves
 * on past that line.
 */
static const char *next_of(const char **pos, const char *const *names,
			   unsigned int *which)
{
	while (**pos) {
		const char *line = *pos, *eol = strchrnul(line, '\n');
		unsigned int i;

		*pos = *eol ? eol + 1 : eol;
		if (line[0] == '#')
			continue;
		for (i = 0; names[i]; i++) {
			char key[64];
			const char *p;

			snprintf(key, sizeof(key), " %s: ", names[i]);
			p = strstr(line, key);
			if (p && p < eol) {
				*which = i;
				return p + strlen(key);
			}
		}
	}
	return NULL;
}

static const char *next_event(const char **pos, const char *name)
{
	const char *names[] = { name, NULL };
	unsigned int which;

	return next_of(pos, names, &which);
}

/* Does the one-line event @f contain @s? */
static bool has(const char *f, const char *s)
{
	const char *p = strstr(f, s);

	return p && p < strchrnul(f, '\n');
}

/* Events @name in @buf, only those containing @with unless NULL. */
static long count_events(const char *buf, const char *name, const char *with)
{
	const char *pos = buf, *f;
	long n = 0;

	while ((f = next_event(&pos, name)))
		n += !with || has(f, with);
	return n;
}

/* Value of "KEY VALUE" in the fields @f of one event (up to the line end). */
static bool field(const char *f, const char *key, unsigned long long *val)
{
	const char *eol = strchrnul(f, '\n');
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "%s ", key);
	for (p = f; (p = strstr(p, k)) && p < eol; p++) {
		if (p == f || p[-1] == ' ') {
			*val = strtoull(p + strlen(k), NULL, 0);
			return true;
		}
	}
	return false;
}

static bool field_str(const char *f, const char *key, char *out, size_t len)
{
	const char *eol = strchrnul(f, '\n');
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "%s ", key);
	for (p = f; (p = strstr(p, k)) && p < eol; p++) {
		if (p == f || p[-1] == ' ') {
			p += strlen(k);
			snprintf(out, len, "%.*s", (int)strcspn(p, " \n"), p);
			return true;
		}
	}
	return false;
}

/* A sample for the reader: the first event line with @what, and the one before. */
static void note_sample(const char *buf, const char *what)
{
	const char *line = buf, *prev = NULL;

	while (*line) {
		const char *eol = strchrnul(line, '\n');

		if (line[0] != '#' && memmem(line, eol - line, what, strlen(what))) {
			if (prev)
				NOTE("%.*s", (int)(strchrnul(prev, '\n') - prev),
				     prev);
			NOTE("%.*s", (int)(eol - line), line);
			return;
		}
		if (line[0] != '#')
			prev = line;
		line = *eol ? eol + 1 : eol;
	}
}

FIXTURE(trace) {
	struct launch l;
	char image[4096];
	char *buf;		/* the trace after the run */
	int status;
};

FIXTURE_SETUP(trace)
{
	self->buf = NULL;
	trace_reset();
	ASSERT_EQ(0, tfs_write("buffer_size_kb", TEST_BUFFER_KB));
}

FIXTURE_TEARDOWN(trace)
{
	trace_reset();
	restore_tracing_on();
	free(self->buf);
}

/*
 * Enable @evs (NULL-terminated), run guest @name with @mem of RAM, stop
 * tracing and read the buffer into self->buf. Asserts that the guest
 * passed and that the buffer lost nothing.
 */
static void traced_run(struct __test_metadata *_metadata,
		       FIXTURE_DATA(trace) *self, const char *name,
		       const char *mem, const char *const *evs)
{
	const char *args[] = { "-m", mem, "--stats", self->image, NULL };
	unsigned long long in_buf, written;
	const char *p;
	unsigned int i;

	for (i = 0; evs[i]; i++)
		ASSERT_EQ(0, enable_event(evs[i], true))
			TH_LOG("enabling event %u", i);
	ASSERT_EQ(0, tfs_write("tracing_on", "1"));
	guest_path(self->image, sizeof(self->image), name);
	self->status = launcher_run(&self->l, args, RUN_TIMEOUT_MS);
	tfs_write("tracing_on", "0");
	EXPECT_EQ(0, self->status) LOG_LAUNCH(&self->l);
	EXPECT_EQ(NULL, strstr(self->l.out, "FAIL")) LOG_LAUNCH(&self->l);
	self->buf = tfs_read("trace");
	ASSERT_NE(NULL, self->buf);
	/* "# entries-in-buffer/entries-written: 123/123   #P:1" */
	p = strstr(self->buf, "entries-written: ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(2, sscanf(p, "entries-written: %llu/%llu", &in_buf,
			    &written));
	ASSERT_EQ(in_buf, written) TH_LOG("ring buffer overrun");
	printf("# %s: %llu events, %lld exits\n", name, written,
	       launch_stat(self->l.err, "exits"));
	/* The harness runs each test in a child that ends with _exit(). */
	fflush(stdout);
}


/*
 * Statistic @name from the launcher's --stats. Asserts that it is there:
 * a renamed counter (-1) would otherwise pass every EXPECT_LE against it.
 */
static long long __stat_of(struct __test_metadata *_metadata,
			   FIXTURE_DATA(trace) *self, const char *name)
{
	long long v = launch_stat(self->l.err, name);

	ASSERT_LE(0, v) TH_LOG("no %s in the --stats output:\n%s", name,
			       self->l.err);
	return v;
}

#define stat_of(self, name)	__stat_of(_metadata, self, name)

/* Every event is there, with its fields in the format file. */
TEST_F(trace, formats)
{
	static const char *const fields[][3] = {
		{ "shadowvm_entry", "vcpu", "rip" },
		{ "shadowvm_exit", "reason", "qualification" },
		{ "shadowvm_fault", "addr", "kind" },
		{ "shadowvm_pt_write", "old", "new" },
		{ "shadowvm_root_load", "cr3", "cached" },
		{ "shadowvm_unshadow", "gfn", "cause" },
		{ "shadowvm_unpin", "type", "cause" },
		{ "shadowvm_oos_unsync", "gfn", "slot" },
		{ "shadowvm_oos_resync", "changed", "cause" },
	};
	unsigned int i, j;

	ASSERT_EQ(ARRAY_SIZE(events), ARRAY_SIZE(fields));
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		char name[128], key[64];
		char *fmt;

		snprintf(name, sizeof(name), "events/shadowvm/%s/format",
			 fields[i][0]);
		fmt = tfs_read(name);
		ASSERT_NE(NULL, fmt) TH_LOG("%s", name);
		for (j = 1; j < 3; j++) {
			snprintf(key, sizeof(key), " %s;", fields[i][j]);
			EXPECT_NE(NULL, strstr(fmt, key))
				TH_LOG("%s: no field %s", name, fields[i][j]);
		}
		/* Symbolic names reach the format file as numbers. */
		EXPECT_EQ(NULL, strstr(fmt, "MMU_CAUSE_")) TH_LOG("%s", fmt);
		EXPECT_EQ(NULL, strstr(fmt, "SH_TYPE_")) TH_LOG("%s", fmt);
		free(fmt);
	}
}

/* Off means off: nothing is traced while the events are disabled. */
TEST_F(trace, disabled_is_silent)
{
	static const char *const none[] = { NULL };

	traced_run(_metadata, self, "hello", "16M", none);
	EXPECT_EQ(0, count_events(self->buf, "shadowvm_exit", NULL));
	EXPECT_EQ(NULL, strstr(self->buf, " shadowvm_"));
}

/* One entry and one exit per exit the VM counted, HLT last. */
TEST_F(trace, entry_exit)
{
	static const char *const evs[] = {
		"shadowvm_entry", "shadowvm_exit", NULL };
	long entries, exits, io;
	const char *pos, *f, *last = NULL;
	unsigned long long rip, vcpu;
	char reason[64];

	traced_run(_metadata, self, "hello", "16M", evs);
	entries = count_events(self->buf, "shadowvm_entry", NULL);
	exits = count_events(self->buf, "shadowvm_exit", NULL);
	io = count_events(self->buf, "shadowvm_exit", "reason IO_INSTRUCTION ");
	EXPECT_LT(0, exits);
	EXPECT_EQ(stat_of(self, "exits"), exits) LOG_LAUNCH(&self->l);
	EXPECT_EQ(entries, exits);
	EXPECT_EQ(stat_of(self, "exits_io"), io) LOG_LAUNCH(&self->l);
	for (pos = self->buf; (f = next_event(&pos, "shadowvm_exit"));) {
		ASSERT_TRUE(field(f, "rip", &rip));
		ASSERT_TRUE(field(f, "vcpu", &vcpu));
		EXPECT_EQ(0, vcpu);
		/* hello runs where the launcher loads it: 0x100000 on. */
		EXPECT_LE(0x100000, rip);
		EXPECT_GT(0x1000000, rip);
		last = f;
	}
	ASSERT_NE(NULL, last);
	ASSERT_TRUE(field_str(last, "reason", reason, sizeof(reason)));
	EXPECT_STREQ("HLT", reason);
	NOTE("%ld entries, %ld exits, %ld of them I/O", entries, exits, io);
	for (pos = self->buf; (f = next_event(&pos, "shadowvm_entry"));) {
		ASSERT_TRUE(field(f, "rip", &rip));
		EXPECT_LE(0x100000, rip);
	}
}

/*
 * pagefault: the guest's own six faults are reflected, the rest fixed;
 * each fault event follows the #PF exit it handles (same address and
 * error code).
 */
TEST_F(trace, faults_reflected_and_fixed)
{
	static const char *const evs[] = {
		"shadowvm_exit", "shadowvm_fault", NULL };
	unsigned long long addr, pfec, qual, error, gpfec;
	const char *pos, *f, *ex = NULL;
	long reflected, fixed, emulate, all, checked = 0;
	unsigned int which;

	traced_run(_metadata, self, "pagefault", "16M", evs);
	reflected = count_events(self->buf, "shadowvm_fault", " reflected ");
	fixed = count_events(self->buf, "shadowvm_fault", " fixed ");
	emulate = count_events(self->buf, "shadowvm_fault", " emulate ");
	all = count_events(self->buf, "shadowvm_fault", NULL);
	EXPECT_EQ(6, reflected);
	EXPECT_EQ(stat_of(self, "guest_faults"), reflected);
	EXPECT_LE(stat_of(self, "shadow_faults"), fixed + emulate);
	EXPECT_LT(0, fixed);
	for (pos = self->buf; (f = next_of(&pos, evs, &which));) {
		if (which == 0) {
			ex = f;
			continue;
		}
		/* Handled right after its exit, with nothing in between. */
		ASSERT_NE(NULL, ex);
		ASSERT_TRUE(has(ex, "reason EXCEPTION_NMI "));
		ASSERT_TRUE(field(ex, "qual", &qual));
		ASSERT_TRUE(field(ex, "error", &error));
		ASSERT_TRUE(field(f, "addr", &addr));
		ASSERT_TRUE(field(f, "pfec", &pfec));
		ASSERT_TRUE(field(f, "guest_pfec", &gpfec));
		EXPECT_EQ(qual, addr);
		EXPECT_EQ(error, pfec);
		EXPECT_GT(0x20, gpfec);
		ex = NULL;
		checked++;
	}
	EXPECT_EQ(all, checked);
	note_sample(self->buf, " reflected ");
	NOTE("%ld faults: %ld reflected, %ld fixed, %ld emulate", all,
	     reflected, fixed, emulate);
}

/* mmio: every access above RAM is a fault with outcome mmio. */
TEST_F(trace, faults_mmio)
{
	static const char *const evs[] = { "shadowvm_fault", NULL };
	unsigned long long gpa;
	const char *pos, *f;
	long mmio = 0;

	traced_run(_metadata, self, "mmio", "16M", evs);
	for (pos = self->buf; (f = next_event(&pos, "shadowvm_fault"));) {
		if (!has(f, " mmio "))
			continue;
		ASSERT_TRUE(field(f, "gpa", &gpa));
		EXPECT_LE(0xc0000000ULL, gpa);
		EXPECT_GT(0xc0001000ULL, gpa);
		mmio++;
	}
	EXPECT_EQ(stat_of(self, "mmio"), mmio) LOG_LAUNCH(&self->l);
	EXPECT_LE(8, mmio);
	NOTE("%ld mmio faults", mmio);
}

/* cr3switch: CR3 loads, most of them finding their pinned shadows. */
TEST_F(trace, root_loads)
{
	static const char *const evs[] = { "shadowvm_root_load", NULL };
	long cached, built, total;

	traced_run(_metadata, self, "cr3switch", "16M", evs);
	cached = count_events(self->buf, "shadowvm_root_load", " cached");
	built = count_events(self->buf, "shadowvm_root_load", " built");
	total = count_events(self->buf, "shadowvm_root_load", NULL);
	EXPECT_EQ(total, cached + built);
	EXPECT_LT(0, built);
	EXPECT_EQ(stat_of(self, "cr3_cache_hits"), cached);
	/* Guest CR3 writes, plus the loads at entry and after flushes. */
	EXPECT_LE(stat_of(self, "cr3_loads"), total);
	EXPECT_EQ(total, count_events(self->buf, "shadowvm_root_load",
				      " mode 64 "));
	NOTE("%ld root loads: %ld cached, %ld built", total, cached, built);
}

/*
 * ptreuse: emulated page-table writes, and frames unshadowed as they
 * turn into data (the write heuristics, or at an out-of-sync resync).
 */
TEST_F(trace, pt_writes_and_unshadows)
{
	static const char *const evs[] = {
		"shadowvm_fault", "shadowvm_pt_write", "shadowvm_unshadow",
		NULL };
	unsigned long long gfn, off, len, old, new;
	long writes = 0, changed = 0, unshadows = 0, heuristics = 0;
	const char *pos, *f;
	char cause[32], type[32];

	traced_run(_metadata, self, "ptreuse", "16M", evs);
	for (pos = self->buf; (f = next_event(&pos, "shadowvm_pt_write"));) {
		ASSERT_TRUE(field(f, "gfn", &gfn));
		ASSERT_TRUE(field(f, "offset", &off));
		ASSERT_TRUE(field(f, "len", &len));
		ASSERT_TRUE(field(f, "old", &old));
		ASSERT_TRUE(field(f, "new", &new));
		EXPECT_GT(16 << 20 >> 12, gfn);
		EXPECT_LE(1, len);
		EXPECT_GE(16, len);
		EXPECT_GE(4096, off + len);
		changed += old != new;
		writes++;
	}
	EXPECT_LT(0, writes);
	EXPECT_LT(0, changed);
	EXPECT_GE(stat_of(self, "emulated_writes") * 2, writes);
	EXPECT_LT(0, count_events(self->buf, "shadowvm_fault", " emulate "));
	for (pos = self->buf; (f = next_event(&pos, "shadowvm_unshadow"));) {
		ASSERT_TRUE(field_str(f, "cause", cause, sizeof(cause)));
		ASSERT_TRUE(field_str(f, "type", type, sizeof(type)));
		EXPECT_EQ(0, strncmp(type, "l", 1)) TH_LOG("type %s", type);
		heuristics += !strcmp(cause, "zero") || !strcmp(cause, "flood") ||
			      !strcmp(cause, "oos_reused");
		unshadows++;
	}
	/* The stat counts frames, the trace every shadow of a frame. */
	EXPECT_LE(stat_of(self, "unshadows"), unshadows);
	EXPECT_LT(0, heuristics);
	NOTE("%ld page-table writes (%ld changing), %ld unshadows (%ld by heuristics)",
	     writes, changed, unshadows, heuristics);
}

/*
 * cowfork: the guest writes its live L1s (fork), which go out of sync
 * and are resynced at its CR3 reloads and INVLPGs, and only frames that
 * went out of sync are resynced.
 */
TEST_F(trace, oos_unsync_resync)
{
	static const char *const evs[] = {
		"shadowvm_oos_unsync", "shadowvm_oos_resync", NULL };
	unsigned long long gfn, slot, unsynced[4] = { ~0ULL, ~0ULL, ~0ULL, ~0ULL };
	long unsyncs = 0, resyncs = 0, at_flush = 0;
	unsigned int which;
	const char *pos, *f;
	char cause[32];

	traced_run(_metadata, self, "cowfork", "16M", evs);
	for (pos = self->buf; (f = next_of(&pos, evs, &which));) {
		ASSERT_TRUE(field(f, "gfn", &gfn));
		ASSERT_TRUE(field(f, "slot", &slot));
		ASSERT_GT(4, slot);
		if (which == 0) {
			unsynced[slot] = gfn;
			unsyncs++;
			continue;
		}
		/* A resync names the frame its slot went out of sync for. */
		EXPECT_EQ(unsynced[slot], gfn);
		unsynced[slot] = ~0ULL;
		ASSERT_TRUE(field_str(f, "cause", cause, sizeof(cause)));
		at_flush += !strcmp(cause, "cr3") || !strcmp(cause, "invlpg");
		resyncs++;
	}
	EXPECT_LT(0, unsyncs);
	EXPECT_EQ(stat_of(self, "oos_unsyncs"), unsyncs) LOG_LAUNCH(&self->l);
	EXPECT_EQ(stat_of(self, "oos_resyncs"), resyncs) LOG_LAUNCH(&self->l);
	EXPECT_LT(0, at_flush);
	NOTE("%ld unsyncs, %ld resyncs (%ld at TLB flushes)", unsyncs,
	     resyncs, at_flush);
}

/*
 * l3share: more address spaces than 2 x vCPUs switch L3-toplevel off
 * (every L3 unpinned, cause l3_mass); the VM's end unpins the rest.
 */
TEST_F(trace, unpins)
{
	static const char *const evs[] = { "shadowvm_unpin", NULL };
	long mass, destroy, total;

	traced_run(_metadata, self, "l3share", "16M", evs);
	mass = count_events(self->buf, "shadowvm_unpin", " cause l3_mass");
	destroy = count_events(self->buf, "shadowvm_unpin", " cause destroy");
	total = count_events(self->buf, "shadowvm_unpin", NULL);
	EXPECT_EQ(1, stat_of(self, "l3_mass_unpins")) LOG_LAUNCH(&self->l);
	EXPECT_LT(0, mass);
	EXPECT_EQ(mass, count_events(self->buf, "shadowvm_unpin",
				     " type l3_64 part 0 cause l3_mass"));
	EXPECT_LT(0, destroy);
	EXPECT_LE(mass + destroy, total);
	NOTE("%ld unpins: %ld l3_mass, %ld destroy", total, mass, destroy);
}

int main(int argc, char **argv)
{
	int ret;

	require_shadowvm(true);
	require_launcher();
	require_guests();
	if (!find_tracefs()) {
		ksft_print_header();
		ksft_exit_skip("tracefs not found and not mountable\n");
	}
	{
		char dir[300];

		snprintf(dir, sizeof(dir), "%s/events/shadowvm", tracefs);
		if (access(dir, F_OK)) {
			ksft_print_header();
			ksft_exit_fail_msg("%s missing: shadowvm.ko has no trace events\n",
					   dir);
		}
	}
	tfs_save("buffer_size_kb", old_buffer_kb, sizeof(old_buffer_kb));
	tfs_save("tracing_on", old_tracing_on, sizeof(old_tracing_on));
	filter_tests();
	ret = test_harness_run(argc, argv);
	trace_reset();
	restore_tracing_on();
	if (old_buffer_kb[0] >= '0' && old_buffer_kb[0] <= '9')
		tfs_write("buffer_size_kb", old_buffer_kb);
	return ret;
}
