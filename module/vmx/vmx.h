/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX: ownership of VMX operation on the host CPUs, the VMCS of a vCPU,
 * guest entry and the exit dispatcher.
 */
#ifndef SHADOWVM_VMX_H
#define SHADOWVM_VMX_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <asm/asm.h>
#include <asm/vmx.h>

/* What the host CPU lets us use, fixed while VMX is owned. */
struct vmx_caps {
	u32 revision;
	u32 pin_ctls;
	u32 proc_ctls;
	u32 proc2_ctls;
	u32 exit_ctls;
	u32 entry_ctls;
	u64 cr0_fixed0, cr0_fixed1;
	u64 cr4_fixed0, cr4_fixed1;
	bool vpid;		/* VPID with INVVPID single-context */
	bool invvpid_addr;	/* INVVPID individual-address */
	bool invvpid_nonglobal;	/* INVVPID single-context retaining globals */
};

extern struct vmx_caps vmx_caps;

/* Take/drop a reference on VMX operation (VMXON on every online CPU). */
int vmx_get(void);
void vmx_put(void);
/* 1 if the CPU can run guests for us now (for SHADOWVM_CAP_VMX). */
int vmx_available(void);
bool vmx_in_use_elsewhere(void);
int vmx_module_init(void);
/* VMCLEAR every VMCS active on this CPU (it leaves VMX operation). */
void vmx_clear_loaded_vmcss(void);
/* The same from an emergency callback: VMCLEAR only, lists untouched. */
void vmx_emergency_clear_loaded_vmcss(void);
void vmx_module_exit(void);

/*
 * The host going down (shutdown.c): once true, VMX is off or about to be
 * on every CPU, no vCPU may enter and VMX instructions that fault are
 * expected, not bugs. Creating a VM then fails with ESHUTDOWN (vmx_get()),
 * every VMCS-touching vCPU ioctl with EIO (vcpu.c).
 */
bool vmx_host_going_down(void);
/* Reboot notifier: VMXOFF everywhere; returns how many CPUs were on. */
unsigned int vmx_shutdown(void);
/* Emergency (crash, kexec, NMI shootdown): this CPU, no locks, irqs off. */
void vmx_emergency_off_this_cpu(void);
/* A VMX instruction faulted: fine while going down, a bug otherwise. */
void vmx_insn_fault(const char *insn);
int shutdown_module_init(void);
void shutdown_module_exit(void);
/* The emergency callback follows VMX ownership (vmx_get/vmx_put). */
void shutdown_emergency_register(void);
void shutdown_emergency_unregister(void);

/* Guest general-purpose registers in x86 encoding order (RSP unused). */
enum vmx_reg {
	VCPU_RAX, VCPU_RCX, VCPU_RDX, VCPU_RBX,
	VCPU_RSP, VCPU_RBP, VCPU_RSI, VCPU_RDI,
	VCPU_R8, VCPU_R9, VCPU_R10, VCPU_R11,
	VCPU_R12, VCPU_R13, VCPU_R14, VCPU_R15,
	VCPU_NR_REGS
};

/* One VMCS and where it is loaded. */
struct vmx_vmcs {
	void *region;
	int cpu;			/* CPU it is active on, or -1 */
	bool launched;
	struct list_head on_cpu;	/* per-CPU list of active VMCSs */
	/* Host state last written, to skip VMWRITEs that change nothing. */
	unsigned long host_cr3, host_cr4, host_fs_base, host_gs_base;
	u16 vpid;			/* 0 when VPID is not used */
};

int vmx_vmcs_alloc(struct vmx_vmcs *vmcs);
void vmx_vmcs_free(struct vmx_vmcs *vmcs);
/*
 * Make @vmcs current on this CPU (preemption disabled). Returns true when
 * it moved here from another CPU: the caller must flush the guest TLB.
 */
bool vmx_vmcs_load(struct vmx_vmcs *vmcs);
/* Refresh host state that changes between entries (irqs disabled). */
void vmx_vmcs_refresh_host(struct vmx_vmcs *vmcs);

/* Per CPU, defined in vmx.c: the VMCSs active there, and the current one. */
DECLARE_PER_CPU(struct list_head, vmx_loaded_vmcss);
DECLARE_PER_CPU(struct vmx_vmcs *, vmx_current_vmcs);

/* Enter the guest; 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed. */
int shvm_vmx_enter(u64 *regs, unsigned long launched);
/* Where a VM exit lands (HOST_RIP), inside shvm_vmx_enter. */
extern const char shvm_vmx_exit_point[];

void vmx_flush_vpid(u16 vpid);
void vmx_flush_vpid_addr(u16 vpid, u64 addr);
void vmx_flush_vpid_nonglobal(u16 vpid);

/*
 * Every VMX instruction has an exception fixup: a shutdown turns VMX off
 * by IPI while a vCPU thread may be between two VMX instructions with
 * interrupts on, and the next one raises #UD (see shutdown.c). The
 * instruction runs at label 1; the fixup resumes at label 2, past the MOV
 * that clears "faulted", so "faulted" says whether it raised anything.
 */
#define VMX_INSN_CHECKED(insn)			\
	"mov $1, %[faulted]\n\t"		\
	"1: " insn "\n\t"			\
	"mov $0, %[faulted]\n\t"		\
	"2:\n\t"				\
	_ASM_EXTABLE(1b, 2b)

static __always_inline unsigned long vmcs_read(unsigned long field)
{
	unsigned long value;
	unsigned int faulted;

	asm volatile(VMX_INSN_CHECKED("vmread %[field], %[value]")
		     : [value] "=r"(value), [faulted] "=&r"(faulted)
		     : [field] "r"(field) : "cc");
	if (unlikely(faulted)) {
		vmx_insn_fault("VMREAD");
		return 0;
	}
	return value;
}

static __always_inline void vmcs_write(unsigned long field,
				       unsigned long value)
{
	unsigned int faulted;

	asm volatile(VMX_INSN_CHECKED("vmwrite %[value], %[field]")
		     : [faulted] "=&r"(faulted)
		     : [field] "r"(field), [value] "rm"(value)
		     : "cc", "memory");
	if (unlikely(faulted))
		vmx_insn_fault("VMWRITE");
}

static __always_inline void vmx_vmclear(u64 pa)
{
	unsigned int faulted;

	asm volatile(VMX_INSN_CHECKED("vmclear %[pa]")
		     : [faulted] "=&r"(faulted) : [pa] "m"(pa)
		     : "cc", "memory");
	if (unlikely(faulted))
		vmx_insn_fault("VMCLEAR");
}

static __always_inline void vmx_vmptrld(u64 pa)
{
	unsigned int faulted;

	asm volatile(VMX_INSN_CHECKED("vmptrld %[pa]")
		     : [faulted] "=&r"(faulted) : [pa] "m"(pa)
		     : "cc", "memory");
	if (unlikely(faulted))
		vmx_insn_fault("VMPTRLD");
}

#endif /* SHADOWVM_VMX_H */
