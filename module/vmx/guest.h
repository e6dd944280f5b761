/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest state in the VMCS (guest.c), the world switch (switch.c) and the
 * exit dispatcher (exit.c). All need the vCPU's VMCS current on this CPU.
 */
#ifndef SHADOWVM_VMX_GUEST_H
#define SHADOWVM_VMX_GUEST_H

#include <linux/types.h>
#include <uapi/linux/shadowvm.h>

struct shvm_vcpu;

/* What a VM exit left behind, read while the VMCS was current. */
struct vmx_exit {
	u32 reason;		/* basic exit reason + failed-entry bit */
	u64 qualification;
	u32 intr_info;		/* VM-exit interruption information */
	u32 intr_error;
	u32 vectoring_info;	/* IDT-vectoring information */
	u32 vectoring_error;
	u32 insn_len;
	u32 insn_error;		/* VM_INSTRUCTION_ERROR when vmfail */
	bool vmfail;		/* VMLAUNCH/VMRESUME failed outright */
	unsigned int cpl;	/* guest CPL at the exit */
	u32 cs_ar;		/* guest CS access rights (L and D bits) */
};

void vmx_setup_vmcs(struct shvm_vcpu *v);
u64 vmx_hw_cr0(u64 guest_cr0);
u64 vmx_hw_cr4(u64 guest_cr0, u64 guest_cr4);
bool vmx_guest_cr4_valid(u64 cr4);
bool vmx_guest_efer_valid(u64 efer);
void vmx_write_paging_regs(struct shvm_vcpu *v);
void vmx_get_sregs(struct shvm_vcpu *v, struct shadowvm_sregs *s);
int vmx_set_sregs(struct shvm_vcpu *v, const struct shadowvm_sregs *s);

/*
 * Enter the guest once. Called with preemption and interrupts disabled
 * and the VMCS current; returns with interrupts still disabled.
 */
void vmx_world_switch(struct shvm_vcpu *v, struct vmx_exit *exit);

/*
 * Handle one exit (preemptible, may sleep). Returns 0 to re-enter the
 * guest, 1 when the run page holds an exit for userspace, or -errno.
 */
int vmx_handle_exit(struct shvm_vcpu *v, const struct vmx_exit *exit);

/* Exit helpers shared by exit.c and access.c. */
int vmx_exit_internal(struct shvm_vcpu *v, u32 suberror,
		      const struct vmx_exit *exit);
void vmx_requeue_vectoring_event(struct shvm_vcpu *v,
				 const struct vmx_exit *exit);
int vmx_inject_page_fault(struct shvm_vcpu *v, const struct vmx_exit *exit,
			  u64 addr, u32 error_code);

struct shadow_fault;
/* A load or store outside guest RAM: fills the run page for userspace. */
int vmx_handle_mmio(struct shvm_vcpu *v, const struct vmx_exit *exit,
		    const struct shadow_fault *fault);

/*
 * A guest write to a page table the pager write-protects: emulate it
 * through the pager, or stop shadowing that table and let the guest retry.
 */
int vmx_handle_pt_write(struct shvm_vcpu *v, const struct vmx_exit *exit,
			const struct shadow_fault *fault);

/* Finish an IN or MMIO read with the data userspace left in the run page. */
void vmx_complete_pending(struct shvm_vcpu *v);

#endif /* SHADOWVM_VMX_GUEST_H */
