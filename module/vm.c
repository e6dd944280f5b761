// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects: the VM fd, memory slots and statistics.
 *
 * Guest memory is user memory registered as slots. Its pages are pinned
 * (FOLL_LONGTERM) when the slot is created and accounted against the
 * creator's RLIMIT_MEMLOCK, so shadow entries can point at them directly;
 * they are unpinned when the slot is deleted or the VM goes away, after
 * every shadow entry that could map them has been dropped.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "vm.h"
#include "vcpu.h"
#include "stats.h"
#include "debugfs.h"
#include "vmx/vmx.h"

static unsigned long pool_pages;
module_param(pool_pages, ulong, 0644);
MODULE_PARM_DESC(pool_pages, "Shadow pages per VM at most (default 0: sized from guest RAM and vCPUs)");

bool shvm_audit;
module_param_named(audit, shvm_audit, bool, 0644);
MODULE_PARM_DESC(audit, "Check the shadow pager's invariants after every shadow fault (slow)");

struct page *shvm_gfn_to_page(struct shvm_vm *vm, u64 gfn, bool *writable)
{
	int i;

	for (i = 0; i < SHVM_MAX_MEMSLOTS; i++) {
		struct shvm_memslot *s = &vm->slots[i];

		if (s->npages && gfn - s->base_gfn < s->npages) {
			*writable = !(s->flags & SHADOWVM_MEM_READONLY);
			return s->pages[gfn - s->base_gfn];
		}
	}
	return NULL;
}

void shvm_vm_request_tlb_flush(struct shvm_vm *vm)
{
	int i;

	for (i = 0; i < SHVM_MAX_VCPUS; i++) {
		struct shvm_vcpu *v = READ_ONCE(vm->vcpus[i]);

		if (v) {
			set_bit(SHVM_REQ_TLB_FLUSH, &v->requests);
			shvm_vcpu_kick(v);
		}
	}
}

static void slot_release(struct shvm_vm *vm, struct shvm_memslot *s)
{
	if (!s->npages)
		return;
	unpin_user_pages(s->pages, s->npages);
	account_locked_vm(vm->mm, s->npages, false);
	kvfree(s->pages);
	memset(s, 0, sizeof(*s));
}

/* Why @r is not a valid region request, or NULL. */
static const char *region_invalid(struct shvm_vm *vm,
				  const struct shadowvm_memory_region *r)
{
	u64 end;
	int i;

	if (r->slot >= SHVM_MAX_MEMSLOTS)
		return "slot number out of range";
	if (r->flags & ~SHADOWVM_MEM_FLAGS_ALL)
		return "unknown flags";
	if (r->reserved[0] || r->reserved[1])
		return "reserved fields must be zero";
	if (!r->memory_size)
		return NULL;
	if (!PAGE_ALIGNED(r->guest_phys_addr) ||
	    !PAGE_ALIGNED(r->memory_size) || !PAGE_ALIGNED(r->userspace_addr))
		return "address or size not page-aligned";
	if (check_add_overflow(r->guest_phys_addr, r->memory_size, &end) ||
	    end > (1ull << 46))
		return "region beyond the guest-physical address width";
	if (r->memory_size >> PAGE_SHIFT > INT_MAX)
		return "region too large";
	for (i = 0; i < SHVM_MAX_MEMSLOTS; i++) {
		struct shvm_memslot *s = &vm->slots[i];
		u64 base = s->base_gfn << PAGE_SHIFT;

		if (i == r->slot || !s->npages)
			continue;
		if (r->guest_phys_addr < base + (s->npages << PAGE_SHIFT) &&
		    base < end)
			return "region overlaps another slot";
	}
	return NULL;
}

/* Whether [addr, addr + size) is mapped in @mm, without a hole. */
static bool user_range_mapped(struct mm_struct *mm, unsigned long addr,
			      unsigned long size)
{
	unsigned long end = addr + size;
	struct vm_area_struct *vma;
	bool mapped = true;

	mmap_read_lock(mm);
	while (addr < end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr) {
			mapped = false;
			break;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return mapped;
}

/* Pages pinned per call: a large slot stays killable and preemptible. */
#define SLOT_PIN_CHUNK	512

/*
 * Everything the user controls is checked before anything is allocated:
 * the page array is sized by the request, so a request for 1 TiB backed
 * by 1 MiB must fail before it makes the host allocate (and warn about)
 * a 2 GiB array. The array is never larger than one pointer per page of
 * host RAM, and allocating it never warns.
 */
static int slot_pin(struct shvm_vm *vm, struct shvm_memslot *s,
		    const struct shadowvm_memory_region *r)
{
	unsigned long npages = r->memory_size >> PAGE_SHIFT;
	unsigned int gup = FOLL_LONGTERM;
	unsigned long done;
	int err = 0, pinned;

	if (!(r->flags & SHADOWVM_MEM_READONLY))
		gup |= FOLL_WRITE;
	if (!access_ok(u64_to_user_ptr(r->userspace_addr), r->memory_size) ||
	    !user_range_mapped(vm->mm, r->userspace_addr, r->memory_size)) {
		pr_notice_ratelimited("SET_MEMORY_REGION refused: [%#llx, +%#llx) is not all mapped\n",
				      r->userspace_addr, r->memory_size);
		return -EFAULT;
	}
	if (npages > totalram_pages()) {
		pr_notice_ratelimited("SET_MEMORY_REGION refused: %lu pages is more than the host's RAM\n",
				      npages);
		return -ENOMEM;
	}
	err = account_locked_vm(vm->mm, npages, true);
	if (err) {
		pr_notice_ratelimited("memory region of %lu pages exceeds RLIMIT_MEMLOCK\n",
				      npages);
		return err;
	}
	s->pages = kvcalloc(npages, sizeof(*s->pages),
			    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!s->pages) {
		account_locked_vm(vm->mm, npages, false);
		return -ENOMEM;
	}
	for (done = 0; done < npages; done += pinned) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		pinned = pin_user_pages_fast(r->userspace_addr + done * PAGE_SIZE,
					     min_t(unsigned long, npages - done,
						   SLOT_PIN_CHUNK),
					     gup, s->pages + done);
		if (pinned <= 0) {
			err = pinned ? pinned : -EFAULT;
			break;
		}
		cond_resched();
	}
	if (err) {
		unpin_user_pages(s->pages, done);
		kvfree(s->pages);
		s->pages = NULL;
		account_locked_vm(vm->mm, npages, false);
		return err;
	}
	s->base_gfn = r->guest_phys_addr >> PAGE_SHIFT;
	s->npages = npages;
	s->userspace_addr = r->userspace_addr;
	s->flags = r->flags;
	return 0;
}

/* Guest RAM of @vm in bytes (vm->lock held). */
static u64 vm_ram_bytes(struct shvm_vm *vm)
{
	u64 pages = 0;
	int i;

	for (i = 0; i < SHVM_MAX_MEMSLOTS; i++)
		pages += vm->slots[i].npages;
	return pages << PAGE_SHIFT;
}

/* The pool a VM gets unless SET_SHADOW_POOL says otherwise. */
static unsigned long vm_default_pool(struct shvm_vm *vm)
{
	unsigned long pages = pool_pages;

	if (!pages)
		pages = shadow_default_pool_pages(vm_ram_bytes(vm),
						  SHVM_MAX_VCPUS);
	return clamp_t(unsigned long, pages, SHVM_MIN_POOL_PAGES,
		       SHVM_MAX_POOL_PAGES);
}

/*
 * Re-create the pager with room for @pages shadows; only while nothing is
 * shadowed, so no shadow entry or loaded root can refer to the old pool.
 * Both locks held.
 */
static int vm_resize_pool(struct shvm_vm *vm, unsigned long pages)
{
	int err;

	if (vm->mmu.stats.pages_in_use)
		return -EBUSY;
	shadow_mmu_destroy(&vm->mmu);
	err = shadow_mmu_init(&vm->mmu, &vm->mmu_host, pages, SHVM_MAX_VCPUS);
	if (err)	/* keep a usable pager: the smallest size is tiny */
		shadow_mmu_init(&vm->mmu, &vm->mmu_host, SHVM_MIN_POOL_PAGES,
				SHVM_MAX_VCPUS);
	return err;
}

static int vm_set_memory_region(struct shvm_vm *vm, void __user *argp)
{
	struct shadowvm_memory_region r;
	struct shvm_memslot *s;
	const char *why;
	int err = 0;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (current->mm != vm->mm)
		return -EIO;
	mutex_lock(&vm->lock);
	why = region_invalid(vm, &r);
	if (why) {
		pr_notice_ratelimited("SET_MEMORY_REGION refused: %s\n", why);
		err = -EINVAL;
		goto out;
	}
	s = &vm->slots[r.slot];
	if (r.memory_size && s->npages) {
		err = -EEXIST;
		goto out;
	}
	if (!r.memory_size && !s->npages) {
		err = -EINVAL;
		goto out;
	}
	mutex_lock(&vm->mmu_lock);
	if (r.memory_size) {
		err = slot_pin(vm, s, &r);
		/* More RAM, more shadows: follow it until the guest has run. */
		if (!err && !vm->pool_set)
			vm_resize_pool(vm, vm_default_pool(vm));
	} else {
		/* No shadow entry may map a page we are about to unpin. */
		shadow_flush_all(&vm->mmu);
		shvm_vm_request_tlb_flush(vm);
		slot_release(vm, s);
	}
	mutex_unlock(&vm->mmu_lock);
out:
	mutex_unlock(&vm->lock);
	return err;
}

static int vm_get_stats(struct shvm_vm *vm, void __user *argp)
{
	struct shadowvm_stats *st;
	struct shadow_stats *ms = &vm->mmu.stats;
	int i, err = 0;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	for (i = 0; i < SHADOWVM_STAT_NR; i++)
		st->val[i] = atomic64_read(&vm->exit_stats[i]);
	mutex_lock(&vm->mmu_lock);
	st->val[SHADOWVM_STAT_SHADOW_FAULTS] = ms->shadow_faults;
	st->val[SHADOWVM_STAT_GUEST_FAULTS] = ms->guest_faults;
	st->val[SHADOWVM_STAT_SHADOW_PAGES] = ms->pages_in_use;
	st->val[SHADOWVM_STAT_SHADOW_PAGES_MAX] = ms->pages_max;
	st->val[SHADOWVM_STAT_HASH_LOOKUPS] = ms->hash_lookups;
	st->val[SHADOWVM_STAT_HASH_MAX_CHAIN] = ms->hash_max_chain;
	st->val[SHADOWVM_STAT_CR3_CACHE_HITS] = ms->root_cache_hits;
	st->val[SHADOWVM_STAT_INVLPG] = ms->invlpg;
	st->val[SHADOWVM_STAT_POOL_RECLAIMS] = ms->reclaims;
	st->val[SHADOWVM_STAT_UNSHADOWS] = ms->unshadows;
	st->val[SHADOWVM_STAT_MMIO] = ms->mmio_faults;
	st->val[SHADOWVM_STAT_EMULATED_WRITES] = ms->emulated_writes;
	st->val[SHADOWVM_STAT_UNSHADOWS_UP] = ms->unshadows_up;
	st->val[SHADOWVM_STAT_UNSHADOWS_WALK] = ms->unshadows_walk;
	st->val[SHADOWVM_STAT_L3_MASS_UNPINS] = ms->l3_mass_unpins;
	st->val[SHADOWVM_STAT_PREFETCHED] = ms->prefetched;
	st->val[SHADOWVM_STAT_OOS_UNSYNCS] = ms->oos_unsyncs;
	st->val[SHADOWVM_STAT_OOS_RESYNCS] = ms->oos_resyncs;
	mutex_unlock(&vm->mmu_lock);
	st->nr = SHADOWVM_STAT_NR;
	if (copy_to_user(argp, st, sizeof(*st)))
		err = -EFAULT;
	kfree(st);
	return err;
}

static int vm_set_shadow_pool(struct shvm_vm *vm, unsigned long pages)
{
	int err;

	if (pages < SHVM_MIN_POOL_PAGES || pages > SHVM_MAX_POOL_PAGES) {
		pr_notice_ratelimited("SET_SHADOW_POOL refused: %lu pages is outside [%u, %lu]\n",
				      pages, SHVM_MIN_POOL_PAGES,
				      SHVM_MAX_POOL_PAGES);
		return -EINVAL;
	}
	mutex_lock(&vm->lock);
	mutex_lock(&vm->mmu_lock);
	err = vm_resize_pool(vm, pages);
	if (!err)
		vm->pool_set = true;
	else if (err == -EBUSY)
		pr_notice_ratelimited("SET_SHADOW_POOL refused: shadows exist already (set it before the first RUN)\n");
	mutex_unlock(&vm->mmu_lock);
	mutex_unlock(&vm->lock);
	return err;
}

static long vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct shvm_vm *vm = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SHADOWVM_SET_MEMORY_REGION:
		return vm_set_memory_region(vm, argp);
	case SHADOWVM_CREATE_VCPU:
		return shvm_vcpu_create(vm, arg);
	case SHADOWVM_GET_STATS:
		return vm_get_stats(vm, argp);
	case SHADOWVM_GET_STATS_FD:
		return arg ? -EINVAL : shvm_stats_vm_fd(vm);
	case SHADOWVM_SET_SHADOW_POOL:
		return vm_set_shadow_pool(vm, arg);
	case SHADOWVM_CHECK_EXTENSION:
		return shvm_check_extension(arg);
	}
	return -ENOTTY;
}

static void vm_destroy(struct kref *ref)
{
	struct shvm_vm *vm = container_of(ref, struct shvm_vm, ref);
	int i;

	/* First: waits for debugfs readers that have not got a reference. */
	shvm_debugfs_vm_remove(vm);
	/* No vCPU is left (each held a reference): no root is loaded. */
	shadow_mmu_destroy(&vm->mmu);
	for (i = 0; i < SHVM_MAX_MEMSLOTS; i++)
		slot_release(vm, &vm->slots[i]);
	mmdrop(vm->mm);
	kfree(vm);
	vmx_put();
}

void shvm_vm_get(struct shvm_vm *vm)
{
	kref_get(&vm->ref);
}

bool shvm_vm_tryget(struct shvm_vm *vm)
{
	return kref_get_unless_zero(&vm->ref);
}

void shvm_vm_put(struct shvm_vm *vm)
{
	kref_put(&vm->ref, vm_destroy);
}

static int vm_release(struct inode *inode, struct file *file)
{
	shvm_vm_put(file->private_data);
	return 0;
}

static const struct file_operations vm_fops = {
	.owner = THIS_MODULE,
	.release = vm_release,
	.unlocked_ioctl = vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int shvm_vm_create(void)
{
	static atomic_t last_id = ATOMIC_INIT(0);
	struct shvm_vm *vm;
	int fd, err, i;

	err = vmx_get();
	if (err)
		return err;
	err = -ENOMEM;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto put_vmx;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	mutex_init(&vm->mmu_lock);
	for (i = 0; i < SHADOWVM_STAT_NR; i++)
		atomic64_set(&vm->exit_stats[i], 0);
	vm->mmu_host.vm = vm;
	err = shadow_mmu_init(&vm->mmu, &vm->mmu_host, vm_default_pool(vm),
			      SHVM_MAX_VCPUS);
	if (err)
		goto free_vm;
	vm->mm = current->mm;
	mmgrab(vm->mm);
	vm->pid = task_tgid_nr(current);
	vm->id = atomic_inc_return(&last_id);
	shvm_debugfs_vm_add(vm);
	fd = anon_inode_getfd("shadowvm-vm", &vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		shvm_vm_put(vm);
	return fd;

free_vm:
	kfree(vm);
put_vmx:
	vmx_put();
	return err;
}
