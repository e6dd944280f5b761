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

#endif /* SHADOWVM_MMU_HOST_H */
