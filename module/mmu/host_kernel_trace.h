/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's trace hooks for the shadow pager core (see host.h): each is
 * the shadowvm tracepoint of the same name (module/trace.h). The host
 * argument is not needed here; the tracepoint's common fields name the
 * vCPU thread.
 */
#ifndef SHADOWVM_MMU_HOST_KERNEL_TRACE_H
#define SHADOWVM_MMU_HOST_KERNEL_TRACE_H

#include "../trace.h"

#define mmu_host_trace_enabled(event)	trace_shadowvm_##event##_enabled()

#define mmu_host_trace_fault(host, addr, pfec, kind, guest_pfec, gpa) \
	trace_shadowvm_fault(addr, pfec, kind, guest_pfec, gpa)
#define mmu_host_trace_pt_write(host, gfn, offset, len, old, new) \
	trace_shadowvm_pt_write(gfn, offset, len, old, new)
#define mmu_host_trace_root_load(host, cr3, mode, cached) \
	trace_shadowvm_root_load(cr3, mode, cached)
#define mmu_host_trace_unshadow(host, gfn, type, part, cause) \
	trace_shadowvm_unshadow(gfn, type, part, cause)
#define mmu_host_trace_unpin(host, gfn, type, part, cause) \
	trace_shadowvm_unpin(gfn, type, part, cause)
#define mmu_host_trace_oos_unsync(host, gfn, slot) \
	trace_shadowvm_oos_unsync(gfn, slot)
#define mmu_host_trace_oos_resync(host, gfn, slot, changed, cause) \
	trace_shadowvm_oos_resync(gfn, slot, changed, cause)

#endif /* SHADOWVM_MMU_HOST_KERNEL_TRACE_H */
