// SPDX-License-Identifier: GPL-2.0
/*
 * The self-describing statistics: SHADOWVM_GET_STATS_FD on VM and vCPU
 * fds (header and descriptors sane, values move while a guest runs, bad
 * arguments, read-only, lifetime, no leaked VM) and the per-VM debugfs
 * directory (same image, text counters, removed when the VM goes, a
 * reader holding a file open across the VM's end).
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>

#include "test_util.h"
#include "lib/stats.h"
#include "kselftest_harness.h"

#define REFCNT		"/sys/module/shadowvm/refcnt"

static long io(int fd, unsigned long cmd, unsigned long arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

/* The whole image of a stats fd (or file) in a malloc'd buffer. */
static char *read_image(int fd, size_t *len)
{
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;

	*len = 0;
	while (buf && (n = pread(fd, buf + *len, cap - *len, *len)) > 0)
		*len += n;
	return buf;
}

/*
 * Check the raw image against the format in the uapi header; returns
 * NULL or what is wrong.
 */
static const char *image_invalid(const char *img, size_t len,
				 const char *const *must_have)
{
	const struct shadowvm_stats_header *h = (const void *)img;
	uint32_t i, j;

	if (len < sizeof(*h))
		return "shorter than the header";
	if (h->flags)
		return "unknown header flags";
	if (h->name_size != SHADOWVM_STATS_NAME_SIZE)
		return "name_size";
	if (!h->num_desc)
		return "no descriptors";
	if (h->desc_size < sizeof(struct shadowvm_stats_desc) + h->name_size)
		return "desc_size too small";
	if (h->id_offset < sizeof(*h) ||
	    h->id_offset + h->name_size > h->desc_offset)
		return "id overlaps the header or the descriptors";
	if (h->desc_offset + (uint64_t)h->num_desc * h->desc_size > h->data_offset)
		return "descriptors overlap the data";
	if (h->data_offset % 8 || h->data_size % 8)
		return "data not 8-byte aligned";
	if ((uint64_t)h->data_offset + h->data_size != len)
		return "file size is not data_offset + data_size";
	if (!memchr(img + h->id_offset, 0, h->name_size) ||
	    strncmp(img + h->id_offset, "shadowvm-", 9))
		return "id string";
	for (i = 0; i < h->num_desc; i++) {
		const struct shadowvm_stats_desc *d =
			(const void *)(img + h->desc_offset + i * h->desc_size);
		uint32_t type = d->flags & SHADOWVM_STATS_TYPE_MASK;

		if (!memchr(d->name, 0, h->name_size) || !d->name[0])
			return "a name is empty or not NUL-terminated";
		if (type > SHADOWVM_STATS_TYPE_PEAK)
			return "unknown type";
		if (d->flags & ~(SHADOWVM_STATS_TYPE_MASK | SHADOWVM_STATS_UNIT_MASK))
			return "unknown descriptor flags";
		if (d->size != 1 || d->reserved || d->reserved2)
			return "size or reserved fields";
		if (d->offset % 8 || d->offset + 8ULL * d->size > h->data_size)
			return "value outside the data area";
		for (j = 0; j < i; j++) {
			const struct shadowvm_stats_desc *e = (const void *)
				(img + h->desc_offset + j * h->desc_size);

			if (!strcmp(d->name, e->name))
				return "two descriptors with one name";
			if (d->offset == e->offset)
				return "two descriptors share a value";
		}
	}
	for (; must_have && *must_have; must_have++) {
		for (i = 0; i < h->num_desc; i++) {
			const struct shadowvm_stats_desc *d = (const void *)
				(img + h->desc_offset + i * h->desc_size);

			if (!strcmp(d->name, *must_have))
				break;
		}
		if (i == h->num_desc)
			return *must_have;	/* a counter that must exist */
	}
	return NULL;
}

static const char *const vm_names[] = {
	"exits", "exits_io", "exits_hlt", "shadow_faults", "shadow_pages",
	"shadow_pages_max", "cr3_loads", "audit_failures", NULL
};
static const char *const vcpu_names[] = {
	"runs", "entries", "exits", "exits_io", NULL
};

/* Value of counter @name in a stats fd, or -1. */
static long long stat_of(int fd, const char *name)
{
	struct svm_stats s;
	long long v = -1;
	int i, copy = dup(fd);

	if (copy < 0 || svm_stats_open(&s, copy))
		return -1;
	i = svm_stats_find(&s, name);
	if (i >= 0 && !svm_stats_read(&s))
		v = svm_stats_value(&s, i);
	svm_stats_close(&s);
	return v;
}

static long refcnt(void)
{
	FILE *f = fopen(REFCNT, "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* The VM's debugfs directory from its stats fd's id "shadowvm-<pid>-<id>". */
static void debugfs_path(int stats_fd, char *buf, size_t len)
{
	struct svm_stats s;
	int fd = dup(stats_fd);

	buf[0] = 0;
	if (fd < 0 || svm_stats_open(&s, fd))
		return;
	snprintf(buf, len, DEBUGFS_DIR "/%s", s.id + strlen("shadowvm-"));
	svm_stats_close(&s);
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

FIXTURE(stats) {
	struct tvm t;
};

FIXTURE_SETUP(stats)
{
	const char *why;
	int err = tvm_create(&self->t, TEST_MEM_SIZE, &why);

	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
}

FIXTURE_TEARDOWN(stats)
{
	tvm_destroy(&self->t);
}

TEST_F(stats, vm_header_and_descriptors)
{
	int fd = svm_get_stats_fd(self->t.vm);
	struct svm_stats s;
	const char *bad;
	size_t len;
	char *img;
	int i;

	ASSERT_LE(0, fd) TH_LOG("GET_STATS_FD: %s", strerror(-fd));
	img = read_image(fd, &len);
	ASSERT_NE(NULL, img);
	bad = image_invalid(img, len, vm_names);
	EXPECT_EQ(NULL, bad) TH_LOG("VM stats image: %s", bad);
	free(img);
	/* The library reads it too, and knows the types. */
	ASSERT_EQ(0, svm_stats_open(&s, fd));
	/* A missing name is -1: check before indexing desc[] with it. */
	i = svm_stats_find(&s, "shadow_pages");
	ASSERT_LE(0, i);
	EXPECT_STREQ("instant", svm_stats_type_name(s.desc[i].flags));
	EXPECT_STREQ("pages", svm_stats_unit_name(s.desc[i].flags));
	i = svm_stats_find(&s, "shadow_pages_max");
	ASSERT_LE(0, i);
	EXPECT_STREQ("peak", svm_stats_type_name(s.desc[i].flags));
	i = svm_stats_find(&s, "exits");
	ASSERT_LE(0, i);
	EXPECT_STREQ("cumulative", svm_stats_type_name(s.desc[i].flags));
	/* A counter the deprecated GET_STATS never had. */
	EXPECT_LE(0, svm_stats_find(&s, "shadow_root_loads"));
	ASSERT_EQ(0, svm_stats_read(&s));
	EXPECT_EQ(0, svm_stats_value(&s, i));
	svm_stats_close(&s);
}

TEST_F(stats, vcpu_header_and_descriptors)
{
	int fd = svm_get_stats_fd(self->t.vcpu);
	const char *bad;
	size_t len;
	char *img;

	ASSERT_LE(0, fd) TH_LOG("GET_STATS_FD: %s", strerror(-fd));
	img = read_image(fd, &len);
	ASSERT_NE(NULL, img);
	bad = image_invalid(img, len, vcpu_names);
	EXPECT_EQ(NULL, bad) TH_LOG("vCPU stats image: %s", bad);
	EXPECT_NE(NULL, strstr(img + ((struct shadowvm_stats_header *)img)->id_offset,
			       "-vcpu0"));
	free(img);
	close(fd);
}

TEST_F(stats, values_move_after_run)
{
	int vm_fd = svm_get_stats_fd(self->t.vm);
	int vcpu_fd = svm_get_stats_fd(self->t.vcpu);
	struct shadowvm_stats old;
	struct serial_result r;
	const char *why;

	ASSERT_LE(0, vm_fd);
	ASSERT_LE(0, vcpu_fd);
	EXPECT_EQ(0, stat_of(vm_fd, "exits"));
	EXPECT_EQ(0, stat_of(vcpu_fd, "runs"));
	ASSERT_EQ(0, tvm_load(&self->t, "hello", &why)) TH_LOG("%s", why);
	tvm_run_serial(&self->t, &r, 0);
	ASSERT_EQ(SHADOWVM_EXIT_HLT, r.exit_reason);
	EXPECT_LT(0, stat_of(vm_fd, "exits"));
	EXPECT_LT(0, stat_of(vm_fd, "exits_io"));
	EXPECT_EQ(1, stat_of(vm_fd, "exits_hlt"));
	EXPECT_LT(0, stat_of(vm_fd, "shadow_faults"));
	EXPECT_LT(0, stat_of(vm_fd, "shadow_pages_max"));
	EXPECT_EQ(0, stat_of(vm_fd, "audit_failures"));
	/* Every RUN is counted; each returned on an exit or an error. */
	EXPECT_EQ((long long)r.exits, stat_of(vcpu_fd, "runs"));
	EXPECT_LE(stat_of(vcpu_fd, "runs"), stat_of(vcpu_fd, "exits"));
	EXPECT_EQ(stat_of(vm_fd, "exits"), stat_of(vcpu_fd, "exits"));
	EXPECT_EQ(stat_of(vm_fd, "exits_io"), stat_of(vcpu_fd, "exits_io"));
	EXPECT_LE(stat_of(vcpu_fd, "exits"), stat_of(vcpu_fd, "entries"));
	/* The deprecated ioctl still works and agrees. */
	ASSERT_EQ(0, svm_get_stats(self->t.vm, &old));
	EXPECT_EQ((long long)old.val[SHADOWVM_STAT_EXITS], stat_of(vm_fd, "exits"));
	EXPECT_EQ((long long)old.val[SHADOWVM_STAT_SHADOW_FAULTS],
		  stat_of(vm_fd, "shadow_faults"));
	close(vm_fd);
	close(vcpu_fd);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void *run_loop(void *arg)
{
	struct tvm *t = arg;
	struct serial_result *r = calloc(1, sizeof(*r));

	tvm_run_serial(t, r, 0);
	return r;
}

static void *get_vcpu_stats_fd(void *arg)
{
	return (void *)(long)svm_get_stats_fd(*(int *)arg);
}

TEST_F(stats, values_move_while_running)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	long long e0, e1, n0, n1;
	struct serial_result *r;
	struct timespec until;
	void *late = (void *)-1L;
	bool late_in_time;
	const char *why;
	pthread_t th, getter;
	int vm_fd, vcpu_fd;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, tvm_load(&self->t, "loop", &why)) TH_LOG("%s", why);
	vm_fd = svm_get_stats_fd(self->t.vm);
	vcpu_fd = svm_get_stats_fd(self->t.vcpu);
	ASSERT_LE(0, vm_fd);
	ASSERT_LE(0, vcpu_fd);
	ASSERT_EQ(0, pthread_create(&th, NULL, run_loop, &self->t));
	/* The guest spins in one RUN; host interrupts make it exit. */
	usleep(300000);
	e0 = stat_of(vm_fd, "exits");
	n0 = stat_of(vcpu_fd, "entries");
	/* A monitor gets the vCPU's stats fd while RUN is in progress. */
	ASSERT_EQ(0, pthread_create(&getter, NULL, get_vcpu_stats_fd,
				    &self->t.vcpu));
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 3;
	late_in_time = !pthread_timedjoin_np(getter, &late, &until);
	usleep(500000);
	e1 = stat_of(vm_fd, "exits");
	n1 = stat_of(vcpu_fd, "entries");
	pthread_kill(th, SIGUSR1);
	pthread_join(th, (void **)&r);
	if (!late_in_time)
		pthread_join(getter, &late);
	EXPECT_TRUE(late_in_time) TH_LOG("vCPU GET_STATS_FD waited for RUN to end");
	EXPECT_LE(0, (long)late) TH_LOG("vCPU GET_STATS_FD during RUN: %s",
					strerror(-(long)late));
	if ((long)late >= 0)
		close((long)late);
	EXPECT_LT(e0, e1) TH_LOG("exits did not move: %lld -> %lld", e0, e1);
	EXPECT_LT(n0, n1) TH_LOG("entries did not move: %lld -> %lld", n0, n1);
	EXPECT_LT(0, stat_of(vm_fd, "exits_external_interrupt"));
	EXPECT_EQ(-EINTR, r->ret);
	EXPECT_EQ(1, stat_of(vcpu_fd, "runs_interrupted"));
	free(r);
	close(vm_fd);
	close(vcpu_fd);
}

TEST_F(stats, bad_arguments)
{
	char buf[64];
	int fd;

	EXPECT_EQ(-EINVAL, io(self->t.vm, SHADOWVM_GET_STATS_FD, 1));
	EXPECT_EQ(-EINVAL, io(self->t.vcpu, SHADOWVM_GET_STATS_FD, ~0UL));
	EXPECT_EQ(-ENOTTY, io(self->t.sys, SHADOWVM_GET_STATS_FD, 0));
	fd = svm_get_stats_fd(self->t.vm);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), -1));
	EXPECT_EQ(EINVAL, errno);
	/* Past the end: nothing, not an error. */
	EXPECT_EQ(0, pread(fd, buf, sizeof(buf), 1 << 20));
	/* No ioctls of its own. */
	EXPECT_EQ(-ENOTTY, io(fd, SHADOWVM_GET_STATS_FD, 0));
	EXPECT_EQ(-ENOTTY, io(fd, SHADOWVM_RUN, 0));
	close(fd);
}

TEST_F(stats, read_only_and_cloexec)
{
	int fd = svm_get_stats_fd(self->t.vcpu);
	char buf[8] = { };
	void *p;

	ASSERT_LE(0, fd);
	EXPECT_EQ(O_RDONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(-1, write(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	/* Not writable, and not pwrite-able (ESPIPE comes first there). */
	EXPECT_EQ(-1, pwrite(fd, buf, sizeof(buf), 0));
	EXPECT_TRUE(errno == EBADF || errno == ESPIPE) TH_LOG("errno %d", errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	close(fd);
}

TEST_F(stats, read_and_pread_agree)
{
	int fd = svm_get_stats_fd(self->t.vm);
	char a[4096], b[4096];
	ssize_t n, total = 0;

	ASSERT_LE(0, fd);
	/* read() in odd-sized pieces walks the same bytes as pread(). */
	while ((n = read(fd, a + total, 7)) > 0 && total < (ssize_t)sizeof(a) - 7)
		total += n;
	ASSERT_LT(0, total);
	ASSERT_EQ(total, pread(fd, b, total, 0));
	EXPECT_EQ(0, memcmp(a, b, total));
	EXPECT_EQ(0, read(fd, a, sizeof(a)));	/* at the end */
	close(fd);
}

TEST_F(stats, survives_closing_the_vm)
{
	int vm_fd = svm_get_stats_fd(self->t.vm);
	int vcpu_fd = svm_get_stats_fd(self->t.vcpu);
	struct serial_result r;
	const char *why;
	long long exits;

	ASSERT_LE(0, vm_fd);
	ASSERT_LE(0, vcpu_fd);
	ASSERT_EQ(0, tvm_load(&self->t, "hello", &why)) TH_LOG("%s", why);
	tvm_run_serial(&self->t, &r, 0);
	exits = stat_of(vm_fd, "exits");
	EXPECT_LT(0, exits);
	/* Everything but the stats fds goes. */
	tvm_destroy(&self->t);
	EXPECT_EQ(exits, stat_of(vm_fd, "exits"));
	EXPECT_EQ(exits, stat_of(vcpu_fd, "exits"));
	EXPECT_LT(0, stat_of(vcpu_fd, "runs"));
	close(vm_fd);
	close(vcpu_fd);
}

TEST(no_leak)
{
	char dir[512];
	long before;
	struct tvm t;
	bool mounted = debugfs_mounted();
	const char *why;
	int i, fd, err;

	/* Without debugfs the directory is not checked; with it, it must be. */
	err = mounted && access(DEBUGFS_DIR, R_OK) ? errno : 0;
	ASSERT_EQ(0, err) TH_LOG(DEBUGFS_DIR ": %s (debugfs is mounted)", strerror(err));
	before = refcnt();
	err = tvm_create(&t, TEST_MEM_SIZE, &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
	for (i = 0; i < 500; i++) {
		fd = svm_get_stats_fd(i & 1 ? t.vm : t.vcpu);
		ASSERT_LE(0, fd);
		close(fd);
	}
	fd = svm_get_stats_fd(t.vm);
	ASSERT_LE(0, fd);
	debugfs_path(fd, dir, sizeof(dir));
	tvm_destroy(&t);
	/* The stats fd alone holds the VM: its directory is still there. */
	if (mounted) {
		ASSERT_NE(0, dir[0]) TH_LOG("no stats id");
		EXPECT_TRUE(exists(dir)) TH_LOG("%s gone too early", dir);
	}
	close(fd);
	/* Closing the last fd destroyed the VM and dropped its references. */
	if (mounted)
		EXPECT_FALSE(exists(dir)) TH_LOG("%s left behind", dir);
	if (before >= 0)
		EXPECT_EQ(before, refcnt());
}

TEST_F(stats, debugfs_directory)
{
	char dir[512], path[600], text[64];
	int fd = svm_get_stats_fd(self->t.vm), dfd;
	struct serial_result r;
	const char *why, *bad;
	size_t len, dlen;
	char *img, *dimg;
	FILE *f;

	ASSERT_LE(0, fd);
	REQUIRE_DEBUGFS_DIR();
	debugfs_path(fd, dir, sizeof(dir));
	snprintf(path, sizeof(path), DEBUGFS_DIR "/%d-", getpid());
	EXPECT_EQ(0, strncmp(dir, path, strlen(path))) TH_LOG("%s", dir);
	ASSERT_TRUE(exists(dir)) TH_LOG("%s missing", dir);
	ASSERT_EQ(0, tvm_load(&self->t, "hello", &why)) TH_LOG("%s", why);
	tvm_run_serial(&self->t, &r, 0);
	/* The binary file is the stats fd's image. */
	snprintf(path, sizeof(path), "%s/stats", dir);
	dfd = open(path, O_RDONLY);
	ASSERT_LE(0, dfd) TH_LOG("%s: %s", path, strerror(errno));
	img = read_image(fd, &len);
	dimg = read_image(dfd, &dlen);
	ASSERT_NE(NULL, dimg);
	bad = image_invalid(dimg, dlen, vm_names);
	EXPECT_EQ(NULL, bad) TH_LOG("debugfs stats: %s", bad);
	ASSERT_EQ(len, dlen);
	EXPECT_EQ(0, memcmp(img, dimg, len));
	free(img);
	free(dimg);
	close(dfd);
	/* One text file per counter. */
	snprintf(path, sizeof(path), "%s/exits", dir);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_NE(NULL, fgets(text, sizeof(text), f));
	fclose(f);
	EXPECT_EQ(stat_of(fd, "exits"), strtoll(text, NULL, 10));
	EXPECT_LT(0, strtoll(text, NULL, 10));
	close(fd);
	tvm_destroy(&self->t);
	EXPECT_FALSE(exists(dir)) TH_LOG("%s left after the VM went", dir);
}

TEST(debugfs_reader_outlives_vm)
{
	char dir[512], path[600], text[64];
	int fd, sfd, cfd;
	struct tvm t;
	const char *why;
	size_t len;
	char *img;
	int err;

	REQUIRE_DEBUGFS_DIR();
	err = tvm_create(&t, TEST_MEM_SIZE, &why);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
	fd = svm_get_stats_fd(t.vm);
	ASSERT_LE(0, fd);
	debugfs_path(fd, dir, sizeof(dir));
	close(fd);
	snprintf(path, sizeof(path), "%s/stats", dir);
	sfd = open(path, O_RDONLY);
	ASSERT_LE(0, sfd) TH_LOG("%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/shadow_faults", dir);
	cfd = open(path, O_RDONLY);
	ASSERT_LE(0, cfd) TH_LOG("%s: %s", path, strerror(errno));
	/* The owner closes everything; the open files keep the VM. */
	tvm_destroy(&t);
	img = read_image(sfd, &len);
	ASSERT_NE(NULL, img);
	EXPECT_EQ(NULL, image_invalid(img, len, vm_names));
	free(img);
	memset(text, 0, sizeof(text));
	EXPECT_LT(0, pread(cfd, text, sizeof(text) - 1, 0));
	EXPECT_EQ(0, strtoll(text, NULL, 10));
	EXPECT_TRUE(exists(dir));
	close(cfd);
	EXPECT_TRUE(exists(dir));
	/* The last reader destroys the VM and its directory. */
	close(sfd);
	EXPECT_FALSE(exists(dir)) TH_LOG("%s left behind", dir);
	/* A new VM works after that. */
	err = tvm_create(&t, TEST_MEM_SIZE, &why);
	EXPECT_EQ(0, err);
	tvm_destroy(&t);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	filter_tests();
	return test_harness_run(argc, argv);
}
