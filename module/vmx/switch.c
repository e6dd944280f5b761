// SPDX-License-Identifier: GPL-2.0
/*
 * The world switch: everything between "interrupts off, VMCS current"
 * and "guest exited", including host state that VM exit does not restore
 * (data segment selectors, LDT, KERNEL_GS_BASE, the GDT and TSS limits,
 * CR2 and the x87/SSE registers).
 */
#include <linux/kernel.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/special_insns.h>

#include "../vcpu.h"
#include "guest.h"

static void write_guest_state(struct shvm_vcpu *v)
{
	vmcs_write(GUEST_RIP, v->rip);
	vmcs_write(GUEST_RSP, v->regs[VCPU_RSP]);
	vmcs_write(GUEST_RFLAGS, v->rflags);
	vmcs_write(GUEST_CR3, v->shadow.root_hpa);
	if (v->paging_dirty) {
		vmx_write_paging_regs(v);
		v->paging_dirty = false;
	}
	if (v->event.valid) {
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, v->event.info);
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, v->event.error_code);
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, v->event.insn_len);
	}
}

static void read_exit(struct shvm_vcpu *v, struct vmx_exit *e)
{
	e->reason = vmcs_read(VM_EXIT_REASON);
	e->qualification = vmcs_read(EXIT_QUALIFICATION);
	e->intr_info = vmcs_read(VM_EXIT_INTR_INFO);
	e->intr_error = vmcs_read(VM_EXIT_INTR_ERROR_CODE);
	e->vectoring_info = vmcs_read(IDT_VECTORING_INFO_FIELD);
	e->vectoring_error = vmcs_read(IDT_VECTORING_ERROR_CODE);
	e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	e->cpl = (vmcs_read(GUEST_SS_AR_BYTES) >> 5) & 3;
	e->cs_ar = vmcs_read(GUEST_CS_AR_BYTES);
	v->rip = vmcs_read(GUEST_RIP);
	v->regs[VCPU_RSP] = vmcs_read(GUEST_RSP);
	v->rflags = vmcs_read(GUEST_RFLAGS);
}

void vmx_world_switch(struct shvm_vcpu *v, struct vmx_exit *e)
{
	u16 ds, es, fs, gs, ldt;
	u64 host_kernel_gs_base;
	int failed;

	vmx_vmcs_refresh_host(&v->vmcs);
	write_guest_state(v);

	savesegment(ds, ds);
	savesegment(es, es);
	savesegment(fs, fs);
	savesegment(gs, gs);
	asm volatile("sldt %0" : "=g"(ldt));
	rdmsrl(MSR_KERNEL_GS_BASE, host_kernel_gs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
	/* The guest's CR2 is the real CR2: VMX does not switch it. */
	if (native_read_cr2() != v->cr2)
		native_write_cr2(v->cr2);
	asm volatile("fxrstor64 %0" : : "m"(v->fxsave));

	failed = shvm_vmx_enter(v->regs, v->vmcs.launched);

	asm volatile("fxsave64 %0" : "=m"(v->fxsave));
	v->cr2 = native_read_cr2();
	rdmsrl(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
	/* VM exit loaded null selectors, the host bases and a 0x67 TR limit. */
	if (ds)
		loadsegment(ds, ds);
	if (es)
		loadsegment(es, es);
	if (fs) {
		loadsegment(fs, fs);
		wrmsrl(MSR_FS_BASE, v->vmcs.host_fs_base);
	}
	if (gs)
		load_gs_index(gs);
	wrmsrl(MSR_KERNEL_GS_BASE, host_kernel_gs_base);
	if (ldt)
		asm volatile("lldt %0" : : "rm"(ldt));
	invalidate_tss_limit();
	/* VM exit sets the GDTR limit to 0xffff. */
	load_fixmap_gdt(raw_smp_processor_id());

	memset(e, 0, sizeof(*e));
	if (failed) {
		e->vmfail = true;
		e->insn_error = vmcs_read(VM_INSTRUCTION_ERROR);
		return;
	}
	read_exit(v, e);
	/*
	 * An entry that failed its guest-state checks exits with bit 31 set
	 * and leaves the launch state as it was: VMLAUNCH again next time.
	 */
	if (e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return;
	v->vmcs.launched = true;
	v->event.valid = false;
	/* An NMI that caused the exit is the host's: hand it over now. */
	if ((e->reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI &&
	    (e->intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		asm volatile("int $2");
}
