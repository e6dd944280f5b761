/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels shadowvm builds for, each
 * decided by a feature test in Kbuild (SHVM_HAVE_*), not by version.
 * SHVM_HAVE_KVM_LAZY_VIRT (KVM registers its emergency callback only
 * while it holds VMX) is used by module/vmx/shutdown.c alone.
 */
#ifndef SHADOWVM_COMPAT_H
#define SHADOWVM_COMPAT_H

#include <linux/mm.h>

/* Since 6.3 vma->vm_flags is read-only; vm_flags_set() writes it. */
#ifndef SHVM_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#endif /* SHADOWVM_COMPAT_H */
