/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel module's host for the shadow pager core (see host.h): shadow
 * pages come from the page allocator, guest frames from the VM's pinned
 * memory slots.
 */
#ifndef SHADOWVM_MMU_HOST_KERNEL_H
#define SHADOWVM_MMU_HOST_KERNEL_H

struct shvm_vm;

struct mmu_host {
	struct shvm_vm *vm;
};

#endif /* SHADOWVM_MMU_HOST_KERNEL_H */
