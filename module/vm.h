/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM objects: memory slots, vCPUs, the shadow pager instance.
 */
#ifndef SHADOWVM_VM_H
#define SHADOWVM_VM_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/kref.h>
#include <linux/mm_types.h>
#include <uapi/linux/shadowvm.h>

#include "mmu/shadow.h"
#include "mmu/host_kernel.h"

#define SHVM_MAX_MEMSLOTS	32
#define SHVM_MAX_VCPUS		1
/*
 * The smallest shadow pool that lets any instruction complete: below the
 * root, up to three shadows (L3, L2, L1) for each of the ~11 pages one
 * instruction and the delivery of a fault can touch (code and two data
 * operands, each split across pages, the stack, the IDT, GDT and TSS).
 * A smaller pool could reclaim one of them while building another and
 * never make progress.
 */
#define SHVM_MIN_POOL_PAGES	(40 * SHVM_MAX_VCPUS)
/* The largest: 4 GiB of shadows, which keeps the pool's metadata sane. */
#define SHVM_MAX_POOL_PAGES	BIT(20)

struct shvm_vcpu;
struct dentry;
struct shvm_debugfs_file;

struct shvm_memslot {
	u64 base_gfn;
	u64 npages;		/* 0: slot unused */
	u64 userspace_addr;
	u32 flags;		/* SHADOWVM_MEM_* */
	struct page **pages;	/* pinned for the slot's lifetime */
};

struct shvm_vm {
	struct kref ref;		/* VM fd + one per vCPU */
	struct mm_struct *mm;		/* creator's mm, for pinning accounting */
	struct mutex lock;		/* slots and vCPU creation */
	struct shvm_memslot slots[SHVM_MAX_MEMSLOTS];
	/* Set under lock; cleared under lock and mmu_lock (flushes read it). */
	struct shvm_vcpu *vcpus[SHVM_MAX_VCPUS];

	struct mutex mmu_lock;		/* every shadow_mmu call */
	bool pool_set;			/* SET_SHADOW_POOL chose the pool size */
	struct mmu_host mmu_host;
	struct shadow_mmu mmu;

	/* Exit counters not owned by the pager, indexed by enum shadowvm_stat */
	atomic64_t exit_stats[SHADOWVM_STAT_NR];

	/* Names it in debugfs and in stats ids: "<pid>-<id>". */
	pid_t pid;			/* thread group that created it */
	unsigned int id;		/* unique while the module is loaded */
	struct dentry *debugfs;		/* debugfs.c; NULL or an error if none */
	struct shvm_debugfs_file *debugfs_files;
};

/*
 * Guest frame -> pinned host page, or NULL outside every slot. *writable is
 * false for read-only slots. Callers hold mmu_lock (slots change only when
 * no vCPU is running and the MMU has been flushed).
 */
struct page *shvm_gfn_to_page(struct shvm_vm *vm, u64 gfn, bool *writable);

/*
 * Every vCPU of @vm flushes its TLB before its next guest entry; a vCPU
 * running in the guest right now is forced out first.
 */
void shvm_vm_request_tlb_flush(struct shvm_vm *vm);

/* Module parameter "audit": check pager invariants after each fault. */
extern bool shvm_audit;

void shvm_vm_get(struct shvm_vm *vm);
/* A reference unless the VM is already being destroyed (debugfs). */
bool shvm_vm_tryget(struct shvm_vm *vm);
void shvm_vm_put(struct shvm_vm *vm);
int shvm_vm_create(void);
/* SHADOWVM_CHECK_EXTENSION, on the system fd and on VM fds. */
long shvm_check_extension(unsigned long cap);

#endif /* SHADOWVM_VM_H */
