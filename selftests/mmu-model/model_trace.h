/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's trace hooks for the pager core (module/mmu/host.h): where
 * the kernel has tracepoints, the model counts events per kind and per
 * cause in its struct mmu_host, so tests can check that each path reports
 * itself. Off unless model_trace_on is set (the tests set it, the
 * instruction-count benchmark does not), as a tracepoint is off until
 * enabled.
 */
#ifndef MODEL_TRACE_H
#define MODEL_TRACE_H

enum model_trace_event {
	MODEL_TRACE_FAULT,
	MODEL_TRACE_PT_WRITE,
	MODEL_TRACE_ROOT_LOAD,
	MODEL_TRACE_UNSHADOW,
	MODEL_TRACE_UNPIN,
	MODEL_TRACE_OOS_UNSYNC,
	MODEL_TRACE_OOS_RESYNC,
	MODEL_TRACE_NR,
};

extern bool model_trace_on;

/*
 * Count event @ev; @sub is its cause (enum mmu_cause), the fault's kind
 * or a root load's "cached", @gfn the frame (or address) it names, @val
 * the new value of a page-table write.
 */
void model_trace(struct mmu_host *host, enum model_trace_event ev,
		 unsigned int sub, u64 gfn, u64 val);

#define model_trace_if(host, ev, sub, gfn, val)			\
	do {								\
		if (model_trace_on)					\
			model_trace(host, ev, sub, gfn, val);		\
	} while (0)

#define mmu_host_trace_enabled(event)	model_trace_on

#define mmu_host_trace_fault(host, addr, pfec, kind, guest_pfec, gpa) \
	model_trace_if(host, MODEL_TRACE_FAULT, kind, addr, gpa)
#define mmu_host_trace_pt_write(host, gfn, offset, len, old, new) \
	model_trace_if(host, MODEL_TRACE_PT_WRITE, 0, gfn, new)
#define mmu_host_trace_root_load(host, cr3, mode, cached) \
	model_trace_if(host, MODEL_TRACE_ROOT_LOAD, cached, cr3, mode)
#define mmu_host_trace_unshadow(host, gfn, type, part, cause) \
	model_trace_if(host, MODEL_TRACE_UNSHADOW, cause, gfn, type)
#define mmu_host_trace_unpin(host, gfn, type, part, cause) \
	model_trace_if(host, MODEL_TRACE_UNPIN, cause, gfn, type)
#define mmu_host_trace_oos_unsync(host, gfn, slot) \
	model_trace_if(host, MODEL_TRACE_OOS_UNSYNC, 0, gfn, slot)
#define mmu_host_trace_oos_resync(host, gfn, slot, changed, cause) \
	model_trace_if(host, MODEL_TRACE_OOS_RESYNC, cause, gfn, changed)

#endif /* MODEL_TRACE_H */
