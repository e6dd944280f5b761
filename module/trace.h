/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shadowvm trace events (Documentation/tracing.rst): VM entries and
 * exits, and what the shadow pager decides. The pager core reaches the
 * pager events only through the trace hooks of mmu/host.h, so that the
 * same core builds in the userspace model.
 *
 * The pager's headers include this one (mmu/host.h, through
 * mmu/host_kernel_trace.h), so it cannot include them back. Declaring the
 * events needs only scalar types; the enums the events print (mmu/host.h,
 * mmu/shadow.h, mmu/internal.h) are needed only where the events are
 * created, and trace.c includes them first.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM shadowvm

#if !defined(SHADOWVM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SHADOWVM_TRACE_H

#include <linux/tracepoint.h>
#include <asm/vmx.h>

/* The enums the events print must reach the format files as numbers. */
TRACE_DEFINE_ENUM(SHADOW_FAULT_FIXED);
TRACE_DEFINE_ENUM(SHADOW_FAULT_GUEST);
TRACE_DEFINE_ENUM(SHADOW_FAULT_MMIO);
TRACE_DEFINE_ENUM(SHADOW_FAULT_EMULATE);

TRACE_DEFINE_ENUM(SHADOW_MODE_UNPAGED);
TRACE_DEFINE_ENUM(SHADOW_MODE_32);
TRACE_DEFINE_ENUM(SHADOW_MODE_PAE);
TRACE_DEFINE_ENUM(SHADOW_MODE_64);

TRACE_DEFINE_ENUM(SH_TYPE_L1_64);
TRACE_DEFINE_ENUM(SH_TYPE_L1_32);
TRACE_DEFINE_ENUM(SH_TYPE_FL1);
TRACE_DEFINE_ENUM(SH_TYPE_L2_64);
TRACE_DEFINE_ENUM(SH_TYPE_L2_PAE);
TRACE_DEFINE_ENUM(SH_TYPE_L2_32);
TRACE_DEFINE_ENUM(SH_TYPE_L2_PHYS);
TRACE_DEFINE_ENUM(SH_TYPE_L3_64);
TRACE_DEFINE_ENUM(SH_TYPE_L4_64);

TRACE_DEFINE_ENUM(MMU_CAUSE_USER_WRITE);
TRACE_DEFINE_ENUM(MMU_CAUSE_NATIVE_RETRY);
TRACE_DEFINE_ENUM(MMU_CAUSE_EMULATOR);
TRACE_DEFINE_ENUM(MMU_CAUSE_WALK_PATH);
TRACE_DEFINE_ENUM(MMU_CAUSE_FLOOD);
TRACE_DEFINE_ENUM(MMU_CAUSE_ZERO);
TRACE_DEFINE_ENUM(MMU_CAUSE_OOS_REUSED);
TRACE_DEFINE_ENUM(MMU_CAUSE_RECLAIM);
TRACE_DEFINE_ENUM(MMU_CAUSE_POOL_FLUSH);
TRACE_DEFINE_ENUM(MMU_CAUSE_MODE);
TRACE_DEFINE_ENUM(MMU_CAUSE_FLUSH);
TRACE_DEFINE_ENUM(MMU_CAUSE_L3_MASS);
TRACE_DEFINE_ENUM(MMU_CAUSE_DESTROY);
TRACE_DEFINE_ENUM(MMU_CAUSE_CR3);
TRACE_DEFINE_ENUM(MMU_CAUSE_INVLPG);
TRACE_DEFINE_ENUM(MMU_CAUSE_EVICT);
TRACE_DEFINE_ENUM(MMU_CAUSE_RESHADOW);

TRACE_EVENT(shadowvm_entry,
	    TP_PROTO(unsigned int vcpu, u64 rip),
	    TP_ARGS(vcpu, rip),
	    TP_STRUCT__entry(__field(unsigned int, vcpu)
			     __field(u64, rip)),
	    TP_fast_assign(__entry->vcpu = vcpu;
			   __entry->rip = rip;),
	    TP_printk("vcpu %u rip %#llx", __entry->vcpu, __entry->rip));

/*
 * @reason is the full exit-reason field (bit 31: the entry failed);
 * @vmfail: VMLAUNCH/VMRESUME itself failed, there was no exit, and
 * @qualification is the VM-instruction error.
 */
TRACE_EVENT(shadowvm_exit,
	    TP_PROTO(unsigned int vcpu, u32 reason, u64 qualification,
		     u64 rip, u32 intr_info, u32 error_code, bool vmfail),
	    TP_ARGS(vcpu, reason, qualification, rip, intr_info, error_code,
		    vmfail),
	    TP_STRUCT__entry(__field(unsigned int, vcpu)
			     __field(u32, reason)
			     __field(u64, qualification)
			     __field(u64, rip)
			     __field(u32, intr_info)
			     __field(u32, error_code)
			     __field(bool, vmfail)),
	    TP_fast_assign(__entry->vcpu = vcpu;
			   __entry->reason = reason;
			   __entry->qualification = qualification;
			   __entry->rip = rip;
			   __entry->intr_info = intr_info;
			   __entry->error_code = error_code;
			   __entry->vmfail = vmfail;),
	    TP_printk("vcpu %u reason %s%s qual %#llx rip %#llx intr_info %#x error %#x",
		      __entry->vcpu,
		      __entry->vmfail ? "VMFAIL" :
		      __print_symbolic(__entry->reason & 0xffff,
				       VMX_EXIT_REASONS),
		      __entry->reason & VMX_EXIT_REASONS_FAILED_VMENTRY ?
		      " (entry failed)" : "",
		      __entry->qualification, __entry->rip,
		      __entry->intr_info, __entry->error_code));

/*
 * A #PF the pager handled: @pfec the hardware error code (from the
 * shadows), @kind the outcome; @guest_pfec is what the guest sees when
 * reflected, @gpa the guest-physical address for mmio and emulate.
 */
TRACE_EVENT(shadowvm_fault,
	    TP_PROTO(u64 addr, u32 pfec, unsigned int kind, u32 guest_pfec,
		     u64 gpa),
	    TP_ARGS(addr, pfec, kind, guest_pfec, gpa),
	    TP_STRUCT__entry(__field(u64, addr)
			     __field(u32, pfec)
			     __field(unsigned int, kind)
			     __field(u32, guest_pfec)
			     __field(u64, gpa)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->pfec = pfec;
			   __entry->kind = kind;
			   __entry->guest_pfec = guest_pfec;
			   __entry->gpa = gpa;),
	    TP_printk("addr %#llx pfec %#x %s guest_pfec %#x gpa %#llx",
		      __entry->addr, __entry->pfec,
		      __print_symbolic(__entry->kind,
				       { SHADOW_FAULT_FIXED, "fixed" },
				       { SHADOW_FAULT_GUEST, "reflected" },
				       { SHADOW_FAULT_MMIO, "mmio" },
				       { SHADOW_FAULT_EMULATE, "emulate" }),
		      __entry->guest_pfec, __entry->gpa));

/*
 * An emulated write of @len bytes at @offset in shadowed frame @gfn:
 * the first 8 bytes written, before and after.
 */
TRACE_EVENT(shadowvm_pt_write,
	    TP_PROTO(u64 gfn, unsigned int offset, unsigned int len, u64 old,
		     u64 new),
	    TP_ARGS(gfn, offset, len, old, new),
	    TP_STRUCT__entry(__field(u64, gfn)
			     __field(unsigned int, offset)
			     __field(unsigned int, len)
			     __field(u64, old)
			     __field(u64, new)),
	    TP_fast_assign(__entry->gfn = gfn;
			   __entry->offset = offset;
			   __entry->len = len;
			   __entry->old = old;
			   __entry->new = new;),
	    TP_printk("gfn %#llx offset %#x len %u old %#llx new %#llx",
		      __entry->gfn, __entry->offset, __entry->len,
		      __entry->old, __entry->new));

/* @cached: every top-level shadow was found pinned, none was built. */
TRACE_EVENT(shadowvm_root_load,
	    TP_PROTO(u64 cr3, unsigned int mode, bool cached),
	    TP_ARGS(cr3, mode, cached),
	    TP_STRUCT__entry(__field(u64, cr3)
			     __field(unsigned int, mode)
			     __field(bool, cached)),
	    TP_fast_assign(__entry->cr3 = cr3;
			   __entry->mode = mode;
			   __entry->cached = cached;),
	    TP_printk("cr3 %#llx mode %s %s", __entry->cr3,
		      __print_symbolic(__entry->mode,
				       { SHADOW_MODE_UNPAGED, "unpaged" },
				       { SHADOW_MODE_32, "32" },
				       { SHADOW_MODE_PAE, "pae" },
				       { SHADOW_MODE_64, "64" }),
		      __entry->cached ? "cached" : "built"));

DECLARE_EVENT_CLASS(shadowvm_shadow_cause,
		    TP_PROTO(u64 gfn, unsigned int type, unsigned int part,
			     unsigned int cause),
		    TP_ARGS(gfn, type, part, cause),
		    TP_STRUCT__entry(__field(u64, gfn)
				     __field(unsigned int, type)
				     __field(unsigned int, part)
				     __field(unsigned int, cause)),
		    TP_fast_assign(__entry->gfn = gfn;
				   __entry->type = type;
				   __entry->part = part;
				   __entry->cause = cause;),
		    TP_printk("gfn %#llx type %s part %u cause %s",
			      __entry->gfn,
			      __print_symbolic(__entry->type,
					       { SH_TYPE_L1_64, "l1_64" },
					       { SH_TYPE_L1_32, "l1_32" },
					       { SH_TYPE_FL1, "fl1" },
					       { SH_TYPE_L2_64, "l2_64" },
					       { SH_TYPE_L2_PAE, "l2_pae" },
					       { SH_TYPE_L2_32, "l2_32" },
					       { SH_TYPE_L2_PHYS, "l2_phys" },
					       { SH_TYPE_L3_64, "l3_64" },
					       { SH_TYPE_L4_64, "l4_64" }),
			      __entry->part,
			      __print_symbolic(__entry->cause,
					       { MMU_CAUSE_USER_WRITE, "user_write" },
					       { MMU_CAUSE_NATIVE_RETRY, "native_retry" },
					       { MMU_CAUSE_EMULATOR, "emulator" },
					       { MMU_CAUSE_WALK_PATH, "walk_path" },
					       { MMU_CAUSE_FLOOD, "flood" },
					       { MMU_CAUSE_ZERO, "zero" },
					       { MMU_CAUSE_OOS_REUSED, "oos_reused" },
					       { MMU_CAUSE_RECLAIM, "reclaim" },
					       { MMU_CAUSE_POOL_FLUSH, "pool_flush" },
					       { MMU_CAUSE_MODE, "mode" },
					       { MMU_CAUSE_FLUSH, "flush" },
					       { MMU_CAUSE_L3_MASS, "l3_mass" },
					       { MMU_CAUSE_DESTROY, "destroy" })));

/* A shadow of a guest table is torn down. */
DEFINE_EVENT(shadowvm_shadow_cause, shadowvm_unshadow,
	     TP_PROTO(u64 gfn, unsigned int type, unsigned int part,
		      unsigned int cause),
	     TP_ARGS(gfn, type, part, cause));

/* A pinned shadow loses its pin (it may live on through references). */
DEFINE_EVENT(shadowvm_shadow_cause, shadowvm_unpin,
	     TP_PROTO(u64 gfn, unsigned int type, unsigned int part,
		      unsigned int cause),
	     TP_ARGS(gfn, type, part, cause));

/* Guest L1 @gfn goes out of sync in slot @slot. */
TRACE_EVENT(shadowvm_oos_unsync,
	    TP_PROTO(u64 gfn, unsigned int slot),
	    TP_ARGS(gfn, slot),
	    TP_STRUCT__entry(__field(u64, gfn)
			     __field(unsigned int, slot)),
	    TP_fast_assign(__entry->gfn = gfn;
			   __entry->slot = slot;),
	    TP_printk("gfn %#llx slot %u", __entry->gfn, __entry->slot));

/* @changed: 8-byte words of the frame that differed from the snapshot. */
TRACE_EVENT(shadowvm_oos_resync,
	    TP_PROTO(u64 gfn, unsigned int slot, unsigned int changed,
		     unsigned int cause),
	    TP_ARGS(gfn, slot, changed, cause),
	    TP_STRUCT__entry(__field(u64, gfn)
			     __field(unsigned int, slot)
			     __field(unsigned int, changed)
			     __field(unsigned int, cause)),
	    TP_fast_assign(__entry->gfn = gfn;
			   __entry->slot = slot;
			   __entry->changed = changed;
			   __entry->cause = cause;),
	    TP_printk("gfn %#llx slot %u changed %u cause %s", __entry->gfn,
		      __entry->slot, __entry->changed,
		      __print_symbolic(__entry->cause,
				       { MMU_CAUSE_CR3, "cr3" },
				       { MMU_CAUSE_INVLPG, "invlpg" },
				       { MMU_CAUSE_EVICT, "evict" },
				       { MMU_CAUSE_RESHADOW, "reshadow" })));

#endif /* SHADOWVM_TRACE_H */

/*
 * Out of tree, define_trace.h finds this file through the module's
 * -I$(src)/module (Kbuild): "./trace.h" is resolved against the include
 * path. An absolute path would be stringified token by token, and a
 * directory named "linux" or "unix" would become "1".
 */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
