/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The narrow interface between the shadow pager core and whatever hosts it.
 *
 * The core (shadow.c and friends) includes only this header, so the same
 * files build into the kernel module (host_kernel.c implements it on top
 * of the VM's pinned memory slots) and into the userspace model under
 * selftests/ (which implements it on top of malloc'ed "guest RAM").
 *
 * All functions are called with the VM's MMU lock held by the caller; the
 * core itself never sleeps while holding references it has not recorded.
 */
#ifndef SHADOWVM_MMU_HOST_H
#define SHADOWVM_MMU_HOST_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/list.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/atomic.h>
#include <linux/printk.h>
#else
#include "mmu_compat.h"	/* userspace: types, list_head, errno, bits */
#endif

struct mmu_host;		/* defined by each host */

/*
 * A zeroed page for shadow entries. Returns its host-virtual address and
 * stores its host-physical address in *hpa, or returns NULL.
 */
void *mmu_host_alloc_page(struct mmu_host *host, u64 *hpa);
void mmu_host_free_page(struct mmu_host *host, void *va);
/*
 * As mmu_host_alloc_page(), but below 4 GiB: the PAE root a 32-bit guest
 * runs on is named by a 32-bit hardware CR3. Freed by mmu_host_free_page().
 */
void *mmu_host_alloc_low_page(struct mmu_host *host, u64 *hpa);

/* Host-virtual address of a page returned by mmu_host_alloc_page(). */
void *mmu_host_shadow_va(struct mmu_host *host, u64 hpa);

/* Zeroed metadata memory (pool bookkeeping, hash buckets). */
void *mmu_host_zalloc(struct mmu_host *host, size_t size);
void mmu_host_free(struct mmu_host *host, void *p);

/*
 * Guest frame -> host frame. Returns 0 and the host-physical frame number,
 * with *writable false for read-only slots; -ENOENT when @gfn is outside
 * every memory slot (MMIO).
 */
int mmu_host_gfn_to_hfn(struct mmu_host *host, u64 gfn, u64 *hfn,
			bool *writable);

/*
 * Host-virtual address of guest frame @gfn for reading and writing guest
 * page tables (A/D updates), or NULL outside slots. Slots are pinned for
 * the VM's lifetime, so the mapping needs no unmap.
 */
void *mmu_host_map_gfn(struct mmu_host *host, u64 gfn);

/*
 * Shadow entries were removed or lost rights: every vCPU of the VM must
 * flush its TLB (and paging-structure caches) before it next enters the
 * guest, and no freed shadow page may be reused before that.
 */
void mmu_host_flush_tlbs(struct mmu_host *host);

/*
 * Trace hooks. The core reports what it decided through these macros; in
 * the kernel they are the shadowvm tracepoints (module/trace.h: a static
 * key, nothing but a patched-out jump while tracing is off), in the model
 * counters. The core guards an argument that costs anything to compute
 * with mmu_host_trace_enabled(event). Everything an event prints is passed
 * as an argument: the core keeps no state for the sake of tracing.
 *
 *   mmu_host_trace_fault(host, addr, pfec, kind, guest_pfec, gpa)
 *	a #PF the pager handled and its outcome (enum shadow_fault_kind)
 *   mmu_host_trace_pt_write(host, gfn, offset, len, old, new)
 *	an emulated write to a shadowed guest page table (up to 8 bytes of
 *	the old and new contents)
 *   mmu_host_trace_root_load(host, cr3, mode, cached)
 *	a CR3 load or mode change; @cached: every top-level shadow was found
 *   mmu_host_trace_unshadow(host, gfn, type, part, cause)
 *   mmu_host_trace_unpin(host, gfn, type, part, cause)
 *   mmu_host_trace_oos_unsync(host, gfn, slot)
 *   mmu_host_trace_oos_resync(host, gfn, slot, changed, cause)
 *	@changed: guest entries that differed from the snapshot
 */

/* Why the pager unshadowed, unpinned or resynced (the path it took). */
enum mmu_cause {
	MMU_CAUSE_USER_WRITE,	/* user-mode write to a guest page table */
	MMU_CAUSE_NATIVE_RETRY,	/* the retry after the emulator gave up */
	MMU_CAUSE_EMULATOR,	/* the emulator gave up on a write */
	MMU_CAUSE_WALK_PATH,	/* written through its own walk path */
	MMU_CAUSE_FLOOD,	/* emulated writes with no use in between */
	MMU_CAUSE_ZERO,		/* zeroed from entry 0: reused as data */
	MMU_CAUSE_OOS_REUSED,	/* out-of-sync L1 mostly rewritten */
	MMU_CAUSE_RECLAIM,	/* pool short: least recently used pin */
	MMU_CAUSE_POOL_FLUSH,	/* pool short even so: every shadow dropped */
	MMU_CAUSE_MODE,		/* guest paging controls changed */
	MMU_CAUSE_FLUSH,	/* shadow_flush_all() from outside the core */
	MMU_CAUSE_L3_MASS,	/* L3-toplevel switched off */
	MMU_CAUSE_DESTROY,	/* the VM goes away */
	MMU_CAUSE_CR3,		/* TLB-flush point: CR3 load, mode change */
	MMU_CAUSE_INVLPG,	/* TLB-flush point: INVLPG */
	MMU_CAUSE_EVICT,	/* out-of-sync slot taken for another frame */
	MMU_CAUSE_RESHADOW,	/* frame about to get a non-L1 shadow */
	MMU_CAUSE_NR,
};

#ifdef __KERNEL__
#include "host_kernel_trace.h"
#else
#include "model_trace.h"	/* userspace: counters */
#endif

#endif /* SHADOWVM_MMU_HOST_H */
