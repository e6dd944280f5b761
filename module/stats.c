// SPDX-License-Identifier: GPL-2.0
/*
 * Self-describing statistics (SHADOWVM_GET_STATS_FD): one descriptor table
 * per kind of object, and an image of header, id, descriptors and values
 * that a stats fd (or a debugfs file) reads from.
 *
 * The header, id and descriptors are built once, when the fd is made;
 * each read that reaches the data area takes a fresh snapshot of the
 * values first, so a single pread() of the data area is consistent (the
 * pager's counters under the MMU lock).
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vm.h"
#include "vcpu.h"
#include "stats.h"

struct shvm_stat_def {
	const char *name;
	u32 flags;		/* SHADOWVM_STATS_TYPE_* | SHADOWVM_STATS_UNIT_* */
	u32 offset;		/* of the value in the VM or vCPU object */
	bool atomic;		/* an atomic64_t rather than a u64 */
};

#define CUMUL	SHADOWVM_STATS_TYPE_CUMULATIVE
#define INSTANT	SHADOWVM_STATS_TYPE_INSTANT
#define PEAK	SHADOWVM_STATS_TYPE_PEAK
#define PAGES	SHADOWVM_STATS_UNIT_PAGES

#define VM_EXIT(n, idx) \
	{ n, CUMUL, offsetof(struct shvm_vm, exit_stats[idx]), true }
#define VM_MMU(n, field, flags) \
	{ n, flags, offsetof(struct shvm_vm, mmu.stats.field), false }

/*
 * The names are those SHADOWVM_GET_STATS users know from the launcher,
 * so scripts keep working; counters with no enum shadowvm_stat entry
 * (shadow_root_loads) exist only here.
 */
static const struct shvm_stat_def vm_defs[] = {
	VM_EXIT("exits", SHADOWVM_STAT_EXITS),
	VM_EXIT("exits_exception", SHADOWVM_STAT_EXIT_EXCEPTION),
	VM_EXIT("exits_cr_access", SHADOWVM_STAT_EXIT_CR),
	VM_EXIT("exits_invlpg", SHADOWVM_STAT_EXIT_INVLPG),
	VM_EXIT("exits_io", SHADOWVM_STAT_EXIT_IO),
	VM_EXIT("exits_cpuid", SHADOWVM_STAT_EXIT_CPUID),
	VM_EXIT("exits_hlt", SHADOWVM_STAT_EXIT_HLT),
	VM_EXIT("exits_msr", SHADOWVM_STAT_EXIT_MSR),
	VM_EXIT("exits_external_interrupt", SHADOWVM_STAT_EXIT_EXTINT),
	VM_EXIT("exits_other", SHADOWVM_STAT_EXIT_OTHER),
	VM_MMU("shadow_faults", shadow_faults, CUMUL),
	VM_MMU("guest_faults", guest_faults, CUMUL),
	VM_MMU("mmio", mmio_faults, CUMUL),
	VM_MMU("shadow_pages", pages_in_use, INSTANT | PAGES),
	VM_MMU("shadow_pages_max", pages_max, PEAK | PAGES),
	VM_MMU("hash_lookups", hash_lookups, CUMUL),
	VM_MMU("hash_max_chain", hash_max_chain, PEAK),
	VM_EXIT("cr3_loads", SHADOWVM_STAT_CR3_LOADS),
	VM_MMU("cr3_cache_hits", root_cache_hits, CUMUL),
	VM_MMU("shadow_root_loads", root_loads, CUMUL),
	VM_MMU("invlpg", invlpg, CUMUL),
	VM_MMU("pool_reclaims", reclaims, CUMUL),
	VM_MMU("unshadows", unshadows, CUMUL),
	VM_EXIT("audit_failures", SHADOWVM_STAT_AUDIT_FAILURES),
	VM_MMU("emulated_writes", emulated_writes, CUMUL),
	VM_MMU("unshadows_via_up_pointer", unshadows_up, CUMUL),
	VM_MMU("unshadows_via_walk", unshadows_walk, CUMUL),
	VM_MMU("l3_mass_unpins", l3_mass_unpins, CUMUL),
	VM_MMU("prefetched", prefetched, CUMUL),
	VM_MMU("oos_unsyncs", oos_unsyncs, CUMUL),
	VM_MMU("oos_resyncs", oos_resyncs, CUMUL),
};

#define VCPU(n, field) \
	{ n, CUMUL, offsetof(struct shvm_vcpu, stat.field), false }
#define VCPU_EXIT(n, idx) VCPU(n, exits[idx])

static const struct shvm_stat_def vcpu_defs[] = {
	VCPU("runs", runs),
	VCPU("runs_interrupted", runs_interrupted),
	VCPU("entries", entries),
	VCPU_EXIT("exits", SHADOWVM_STAT_EXITS),
	VCPU_EXIT("exits_exception", SHADOWVM_STAT_EXIT_EXCEPTION),
	VCPU_EXIT("exits_cr_access", SHADOWVM_STAT_EXIT_CR),
	VCPU_EXIT("exits_invlpg", SHADOWVM_STAT_EXIT_INVLPG),
	VCPU_EXIT("exits_io", SHADOWVM_STAT_EXIT_IO),
	VCPU_EXIT("exits_cpuid", SHADOWVM_STAT_EXIT_CPUID),
	VCPU_EXIT("exits_hlt", SHADOWVM_STAT_EXIT_HLT),
	VCPU_EXIT("exits_msr", SHADOWVM_STAT_EXIT_MSR),
	VCPU_EXIT("exits_external_interrupt", SHADOWVM_STAT_EXIT_EXTINT),
	VCPU_EXIT("exits_other", SHADOWVM_STAT_EXIT_OTHER),
	VCPU_EXIT("cr3_loads", SHADOWVM_STAT_CR3_LOADS),
};

static u64 def_read(const struct shvm_stat_def *d, const void *obj)
{
	const void *p = (const u8 *)obj + d->offset;

	if (d->atomic)
		return atomic64_read(p);
	return READ_ONCE(*(const u64 *)p);
}

struct shvm_stats_kind {
	const struct shvm_stat_def *defs;
	unsigned int n;
	bool mmu_locked;	/* values change under the VM's mmu_lock */
};

static const struct shvm_stats_kind vm_kind = {
	.defs = vm_defs, .n = ARRAY_SIZE(vm_defs), .mmu_locked = true,
};

static const struct shvm_stats_kind vcpu_kind = {
	.defs = vcpu_defs, .n = ARRAY_SIZE(vcpu_defs),
};

struct shvm_stats_image {
	const struct shvm_stats_kind *kind;
	void *obj;		/* struct shvm_vm or struct shvm_vcpu */
	struct shvm_vm *vm;	/* its VM, for the MMU lock */
	struct file *held;	/* vCPU stats fd: the vCPU file it keeps open */
	struct mutex lock;	/* the values in buf */
	size_t size;
	size_t data_offset;
	u8 buf[];		/* header, id, descriptors, values */
};

static struct shvm_stats_image *image_new(const struct shvm_stats_kind *kind,
					  void *obj, struct shvm_vm *vm,
					  const char *id)
{
	const size_t name_size = SHADOWVM_STATS_NAME_SIZE;
	const size_t desc_size = sizeof(struct shadowvm_stats_desc) + name_size;
	struct shadowvm_stats_header *h;
	struct shvm_stats_image *img;
	size_t id_offset = sizeof(*h);
	size_t desc_offset = id_offset + name_size;
	size_t data_offset = desc_offset + kind->n * desc_size;
	size_t size = data_offset + kind->n * sizeof(u64);
	unsigned int i;

	img = kvzalloc(struct_size(img, buf, size), GFP_KERNEL_ACCOUNT);
	if (!img)
		return NULL;
	img->kind = kind;
	img->obj = obj;
	img->vm = vm;
	mutex_init(&img->lock);
	img->size = size;
	img->data_offset = data_offset;

	h = (struct shadowvm_stats_header *)img->buf;
	h->flags = 0;
	h->name_size = name_size;
	h->num_desc = kind->n;
	h->desc_size = desc_size;
	h->id_offset = id_offset;
	h->desc_offset = desc_offset;
	h->data_offset = data_offset;
	h->data_size = kind->n * sizeof(u64);
	strscpy((char *)img->buf + id_offset, id, name_size);
	for (i = 0; i < kind->n; i++) {
		struct shadowvm_stats_desc *d =
			(void *)(img->buf + desc_offset + i * desc_size);

		d->flags = kind->defs[i].flags;
		d->size = 1;
		d->offset = i * sizeof(u64);
		strscpy(d->name, kind->defs[i].name, name_size);
	}
	return img;
}

static void image_snapshot(struct shvm_stats_image *img)
{
	const struct shvm_stats_kind *k = img->kind;
	u64 *vals = (u64 *)(img->buf + img->data_offset);
	unsigned int i;

	if (k->mmu_locked)
		mutex_lock(&img->vm->mmu_lock);
	for (i = 0; i < k->n; i++)
		vals[i] = def_read(&k->defs[i], img->obj);
	if (k->mmu_locked)
		mutex_unlock(&img->vm->mmu_lock);
}

ssize_t shvm_stats_image_read(struct shvm_stats_image *img, char __user *buf,
			      size_t len, loff_t *ppos)
{
	ssize_t ret;

	if (*ppos < 0)
		return -EINVAL;
	mutex_lock(&img->lock);
	if (*ppos < img->size && len)
		image_snapshot(img);
	ret = simple_read_from_buffer(buf, len, ppos, img->buf, img->size);
	mutex_unlock(&img->lock);
	return ret;
}

void shvm_stats_image_free(struct shvm_stats_image *img)
{
	kvfree(img);
}

struct shvm_vm *shvm_stats_image_vm(struct shvm_stats_image *img)
{
	return img->vm;
}

struct shvm_stats_image *shvm_stats_vm_image(struct shvm_vm *vm)
{
	char id[SHADOWVM_STATS_NAME_SIZE];

	snprintf(id, sizeof(id), "shadowvm-%d-%u", vm->pid, vm->id);
	return image_new(&vm_kind, vm, vm, id);
}

static ssize_t stats_fd_read(struct file *file, char __user *buf, size_t len,
			     loff_t *ppos)
{
	return shvm_stats_image_read(file->private_data, buf, len, ppos);
}

static int stats_fd_release(struct inode *inode, struct file *file)
{
	struct shvm_stats_image *img = file->private_data;

	if (img->held)
		fput(img->held);
	else
		shvm_vm_put(img->vm);
	shvm_stats_image_free(img);
	return 0;
}

static const struct file_operations stats_fops = {
	.owner = THIS_MODULE,
	.read = stats_fd_read,
	.release = stats_fd_release,
	.llseek = noop_llseek,
};

/* A read-only fd on @img; on failure the caller still owns @img. */
static int stats_fd_install(struct shvm_stats_image *img)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile("shadowvm-stats", &stats_fops, img, O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	/* anon inode files are not pread-able unless asked for. */
	file->f_mode |= FMODE_PREAD;
	fd_install(fd, file);
	return fd;
}

int shvm_stats_vm_fd(struct shvm_vm *vm)
{
	struct shvm_stats_image *img = shvm_stats_vm_image(vm);
	int fd;

	if (!img)
		return -ENOMEM;
	shvm_vm_get(vm);
	fd = stats_fd_install(img);
	if (fd < 0) {
		shvm_vm_put(vm);
		shvm_stats_image_free(img);
	}
	return fd;
}

int shvm_stats_vcpu_fd(struct shvm_vcpu *v, struct file *vcpu_file)
{
	char id[SHADOWVM_STATS_NAME_SIZE];
	struct shvm_stats_image *img;
	int fd;

	snprintf(id, sizeof(id), "shadowvm-%d-%u-vcpu%u", v->vm->pid,
		 v->vm->id, v->id);
	img = image_new(&vcpu_kind, v, v->vm, id);
	if (!img)
		return -ENOMEM;
	/*
	 * The vCPU lives as long as its file: holding the file keeps the
	 * counters there after userspace closes the vCPU fd.
	 */
	img->held = get_file(vcpu_file);
	fd = stats_fd_install(img);
	if (fd < 0) {
		fput(img->held);
		shvm_stats_image_free(img);
	}
	return fd;
}

unsigned int shvm_stats_vm_count(void)
{
	return ARRAY_SIZE(vm_defs);
}

const char *shvm_stats_vm_name(unsigned int i)
{
	return i < ARRAY_SIZE(vm_defs) ? vm_defs[i].name : NULL;
}

u64 shvm_stats_vm_value(struct shvm_vm *vm, unsigned int i)
{
	u64 val;

	if (i >= ARRAY_SIZE(vm_defs))
		return 0;
	mutex_lock(&vm->mmu_lock);
	val = def_read(&vm_defs[i], vm);
	mutex_unlock(&vm->mmu_lock);
	return val;
}
