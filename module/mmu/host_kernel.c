// SPDX-License-Identifier: GPL-2.0
/*
 * host.h on top of the kernel: shadow pages are ordinary zeroed kernel
 * pages charged to the VM creator's memory cgroup, guest frames are the
 * pinned pages of the VM's memory slots (pinned for the slot's lifetime,
 * so a direct-map address stays valid while the MMU lock is held).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/io.h>

#include "../vm.h"
#include "host.h"

void *mmu_host_alloc_page(struct mmu_host *host, u64 *hpa)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!page)
		return NULL;
	*hpa = page_to_phys(page);
	return page_address(page);
}

void *mmu_host_alloc_low_page(struct mmu_host *host, u64 *hpa)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
				       GFP_DMA32);

	if (!page)
		return NULL;
	*hpa = page_to_phys(page);
	return page_address(page);
}

void mmu_host_free_page(struct mmu_host *host, void *va)
{
	if (va)
		__free_page(virt_to_page(va));
}

void *mmu_host_shadow_va(struct mmu_host *host, u64 hpa)
{
	return __va(hpa);
}

void *mmu_host_zalloc(struct mmu_host *host, size_t size)
{
	return kvzalloc(size, GFP_KERNEL_ACCOUNT);
}

void mmu_host_free(struct mmu_host *host, void *p)
{
	kvfree(p);
}

int mmu_host_gfn_to_hfn(struct mmu_host *host, u64 gfn, u64 *hfn,
			bool *writable)
{
	struct page *page = shvm_gfn_to_page(host->vm, gfn, writable);

	if (!page)
		return -ENOENT;
	*hfn = page_to_pfn(page);
	return 0;
}

void *mmu_host_map_gfn(struct mmu_host *host, u64 gfn)
{
	bool writable;
	struct page *page = shvm_gfn_to_page(host->vm, gfn, &writable);

	/* x86-64 has no highmem: every pinned page is in the direct map. */
	return page ? page_address(page) : NULL;
}

void mmu_host_flush_tlbs(struct mmu_host *host)
{
	shvm_vm_request_tlb_flush(host->vm);
}
