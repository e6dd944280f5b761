// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit dispatch: one handler per exit reason. Handlers run preemptible
 * (they may take the MMU lock and allocate) and touch only the vCPU's
 * software state; the run loop writes it back to the VMCS before entry.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "../vcpu.h"
#include "guest.h"
#include "cpuid.h"

static bool is_canonical(u64 addr)
{
	return (u64)(((s64)addr << 16) >> 16) == addr;
}

/* Where OUT data and IN results live in the run page. */
#define RUN_IO_DATA_OFFSET	1024

static void vm_stat_inc(struct shvm_vcpu *v, enum shadowvm_stat stat)
{
	atomic64_inc(&v->vm->exit_stats[stat]);
	shvm_stat_inc(&v->stat.exits[stat]);
}

static void skip_instruction(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	v->rip += e->insn_len;
}

static void queue_exception(struct shvm_vcpu *v, unsigned int vector,
			    bool has_error, u32 error_code)
{
	v->event.valid = true;
	v->event.info = vector | INTR_TYPE_HARD_EXCEPTION |
			INTR_INFO_VALID_MASK |
			(has_error ? INTR_INFO_DELIVER_CODE_MASK : 0);
	v->event.error_code = error_code;
	v->event.insn_len = 0;
}

static void inject_gp(struct shvm_vcpu *v)
{
	queue_exception(v, X86_TRAP_GP, true, 0);
}

static void inject_ud(struct shvm_vcpu *v)
{
	queue_exception(v, X86_TRAP_UD, false, 0);
}

int vmx_exit_internal(struct shvm_vcpu *v, u32 suberror,
		      const struct vmx_exit *e)
{
	struct shadowvm_run *run = v->run;

	run->exit_reason = SHADOWVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 4;
	run->internal.data[0] = e->reason;
	run->internal.data[1] = e->qualification;
	run->internal.data[2] = e->intr_info;
	run->internal.data[3] = v->rip;
	return 1;
}

/*
 * An exit that interrupted the delivery of an event (IDT-vectoring info
 * valid) must deliver it again, unless the handler replaces it.
 */
void vmx_requeue_vectoring_event(struct shvm_vcpu *v,
				 const struct vmx_exit *e)
{
	u32 type = e->vectoring_info & INTR_INFO_INTR_TYPE_MASK;

	if (!(e->vectoring_info & VECTORING_INFO_VALID_MASK))
		return;
	v->event.valid = true;
	v->event.info = e->vectoring_info & ~INTR_INFO_RESVD_BITS_MASK;
	v->event.error_code = e->vectoring_error;
	v->event.insn_len = (type == INTR_TYPE_SOFT_INTR ||
			     type == INTR_TYPE_SOFT_EXCEPTION ||
			     type == INTR_TYPE_PRIV_SW_EXCEPTION) ?
			    e->insn_len : 0;
}

/*
 * Deliver the guest's own #PF, combining it with an event whose delivery
 * it interrupted as the SDM's double-fault rules say. Returns 1 when the
 * combination is a triple fault.
 */
int vmx_inject_page_fault(struct shvm_vcpu *v, const struct vmx_exit *e,
			  u64 addr, u32 error_code)
{
	u32 prev = e->vectoring_info;

	if (prev & VECTORING_INFO_VALID_MASK &&
	    (prev & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION) {
		switch (prev & VECTORING_INFO_VECTOR_MASK) {
		case X86_TRAP_PF:
			queue_exception(v, X86_TRAP_DF, true, 0);
			return 0;
		case X86_TRAP_DF:
			v->run->exit_reason = SHADOWVM_EXIT_SHUTDOWN;
			return 1;
		}
	}
	v->cr2 = addr;
	queue_exception(v, X86_TRAP_PF, true, error_code);
	return 0;
}

static int handle_page_fault(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	struct shvm_vm *vm = v->vm;
	struct guest_paging gp;
	struct shadow_fault f;
	int err;

	shvm_vcpu_guest_paging(v, &gp);
	mutex_lock(&vm->mmu_lock);
	err = shadow_page_fault(&vm->mmu, &v->shadow, &gp, e->qualification,
				e->intr_error, &f);
	if (!err && shvm_audit && shadow_audit(&vm->mmu))
		atomic64_inc(&vm->exit_stats[SHADOWVM_STAT_AUDIT_FAILURES]);
	mutex_unlock(&vm->mmu_lock);
	if (err)
		return vmx_exit_internal(v, SHADOWVM_INTERNAL_ERROR_SHADOW, e);

	switch (f.kind) {
	case SHADOW_FAULT_FIXED:
		vmx_requeue_vectoring_event(v, e);
		return 0;
	case SHADOW_FAULT_GUEST:
		return vmx_inject_page_fault(v, e, e->qualification, f.error_code);
	case SHADOW_FAULT_MMIO:
		return vmx_handle_mmio(v, e, &f);
	case SHADOW_FAULT_EMULATE:
		return vmx_handle_pt_write(v, e, &f);
	}
	return vmx_exit_internal(v, SHADOWVM_INTERNAL_ERROR_SHADOW, e);
}

static int handle_exception(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	u32 type = e->intr_info & INTR_INFO_INTR_TYPE_MASK;
	u32 vector = e->intr_info & INTR_INFO_VECTOR_MASK;

	/* NMIs were handed to the host right after the exit (switch.c). */
	if (type == INTR_TYPE_NMI_INTR) {
		vmx_requeue_vectoring_event(v, e);
		return 0;
	}
	vm_stat_inc(v, SHADOWVM_STAT_EXIT_EXCEPTION);
	if (vector == X86_TRAP_PF)
		return handle_page_fault(v, e);
	return vmx_exit_internal(v, SHADOWVM_INTERNAL_ERROR_EMULATION, e);
}

/*
 * The guest changed its paging mode or a control the shadows depend on:
 * reload the root before the next entry (the pager retires shadows built
 * under the old mode or controls itself) and flush the whole TLB.
 */
static void paging_changed(struct shvm_vcpu *v)
{
	mutex_lock(&v->vm->mmu_lock);
	shadow_release_root(&v->vm->mmu, &v->shadow);
	mutex_unlock(&v->vm->mmu_lock);
	v->paging_dirty = true;
	set_bit(SHVM_REQ_TLB_FLUSH, &v->requests);
}

static bool pae_paging(u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LME);
}

static bool code64(const struct shvm_vcpu *v, const struct vmx_exit *e)
{
	return (v->efer & EFER_LMA) && (e->cs_ar & VMX_AR_L_MASK);
}

/*
 * MOV to CR0. Paging turned on with EFER.LME enters IA-32e mode (LMA set,
 * from compatibility mode only), turned off leaves it; SDM Vol. 3, 9.8.5
 * and the MOV to CR0 #GP conditions. Real mode is refused: without EPT
 * there is no unrestricted guest to run it.
 */
static int set_cr0(struct shvm_vcpu *v, const struct vmx_exit *e, u64 val)
{
	u64 changed = val ^ v->cr0, efer = v->efer;

	if (val >> 32 || (val & X86_CR0_NW && !(val & X86_CR0_CD)) ||
	    (val & X86_CR0_PG && !(val & X86_CR0_PE))) {
		inject_gp(v);
		return 0;
	}
	if (!(val & X86_CR0_PE)) {
		pr_notice_ratelimited("guest cleared CR0.PE (%#llx -> %#llx): real mode is not supported\n",
				      v->cr0, val);
		return vmx_exit_internal(v, SHADOWVM_INTERNAL_ERROR_EMULATION, e);
	}
	if (changed & X86_CR0_PG) {
		if ((val & X86_CR0_PG) && (efer & EFER_LME) &&
		    (!(v->cr4 & X86_CR4_PAE) || (e->cs_ar & VMX_AR_L_MASK))) {
			inject_gp(v);
			return 0;
		}
		/* Paging off from 64-bit code would leave no valid mode. */
		if (!(val & X86_CR0_PG) && code64(v, e)) {
			inject_gp(v);
			return 0;
		}
		efer &= ~EFER_LMA;
		if ((val & X86_CR0_PG) && (efer & EFER_LME))
			efer |= EFER_LMA;
	}
	if (pae_paging(val, v->cr4, efer) &&
	    (changed & (X86_CR0_PG | X86_CR0_CD | X86_CR0_NW)) &&
	    shvm_vcpu_load_pdptes(v, v->cr3)) {
		inject_gp(v);
		return 0;
	}
	v->cr0 = val | X86_CR0_ET;
	v->efer = efer;
	v->paging_dirty = true;
	/*
	 * Hardware CR0.WP stays 1; the pager emulates WP=0 in the shadows it
	 * builds, so shadows made under the other value must go (invariant 9).
	 */
	if (changed & (X86_CR0_PG | X86_CR0_PE | X86_CR0_WP))
		paging_changed(v);
	return 0;
}

static int set_cr4(struct shvm_vcpu *v, u64 val)
{
	u64 changed = val ^ v->cr4;

	if (!vmx_guest_cr4_valid(val) ||
	    (v->efer & EFER_LMA && !(val & X86_CR4_PAE))) {
		inject_gp(v);
		return 0;
	}
	if (pae_paging(v->cr0, val, v->efer) &&
	    (changed & (X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PSE |
			X86_CR4_SMEP)) &&
	    shvm_vcpu_load_pdptes(v, v->cr3)) {
		inject_gp(v);
		return 0;
	}
	v->cr4 = val;
	v->paging_dirty = true;
	/*
	 * PAE switches paging modes; PSE, SMEP and SMAP change what the
	 * guest's tables mean; a PGE toggle flushes global translations.
	 */
	if (changed & (X86_CR4_PAE | X86_CR4_PGE | X86_CR4_SMEP |
		       X86_CR4_SMAP | X86_CR4_PSE))
		paging_changed(v);
	return 0;
}

static int set_cr3(struct shvm_vcpu *v, const struct vmx_exit *e, u64 val)
{
	struct guest_paging gp;
	int err;

	if (val >> 52) {
		inject_gp(v);
		return 0;
	}
	/* PAE paging: the PDPTEs are read now, #GP if malformed. */
	if (pae_paging(v->cr0, v->cr4, v->efer) &&
	    shvm_vcpu_load_pdptes(v, val)) {
		inject_gp(v);
		return 0;
	}
	v->cr3 = val;
	vm_stat_inc(v, SHADOWVM_STAT_CR3_LOADS);
	shvm_vcpu_guest_paging(v, &gp);
	mutex_lock(&v->vm->mmu_lock);
	err = shadow_load_root(&v->vm->mmu, &v->shadow, &gp);
	mutex_unlock(&v->vm->mmu_lock);
	if (err)
		return vmx_exit_internal(v, SHADOWVM_INTERNAL_ERROR_SHADOW, e);
	set_bit(SHVM_REQ_TLB_FLUSH_NONGLOBAL, &v->requests);
	return 0;
}

static int handle_cr(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	unsigned int cr = e->qualification & 15;
	unsigned int type = (e->qualification >> 4) & 3;
	unsigned int reg = (e->qualification >> 8) & 15;
	u64 val = v->regs[reg];
	int ret = 0;

	/* Outside 64-bit code the operand is 32 bits wide. */
	if (!code64(v, e))
		val = (u32)val;

	vm_stat_inc(v, SHADOWVM_STAT_EXIT_CR);
	if (type == 0) {			/* MOV to CR */
		switch (cr) {
		case 0:
			ret = set_cr0(v, e, val);
			break;
		case 3:
			ret = set_cr3(v, e, val);
			break;
		case 4:
			ret = set_cr4(v, val);
			break;
		case 8:
			if (val > 15)
				inject_gp(v);
			else
				v->cr8 = val;
			break;
		default:
			return vmx_exit_internal(v,
					SHADOWVM_INTERNAL_ERROR_EMULATION, e);
		}
	} else if (type == 1) {			/* MOV from CR */
		switch (cr) {
		case 3:
			v->regs[reg] = code64(v, e) ? v->cr3 : (u32)v->cr3;
			break;
		case 8:
			v->regs[reg] = v->cr8;
			break;
		default:
			return vmx_exit_internal(v,
					SHADOWVM_INTERNAL_ERROR_EMULATION, e);
		}
	} else {
		/* CLTS does not exit (TS is the guest's); LMSW cannot clear PE. */
		return vmx_exit_internal(v, SHADOWVM_INTERNAL_ERROR_EMULATION, e);
	}
	if (!ret && !v->event.valid)
		skip_instruction(v, e);
	return ret;
}

static int handle_invlpg(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	struct guest_paging gp;

	vm_stat_inc(v, SHADOWVM_STAT_EXIT_INVLPG);
	shvm_vcpu_guest_paging(v, &gp);
	mutex_lock(&v->vm->mmu_lock);
	shadow_invlpg(&v->vm->mmu, &v->shadow, &gp, e->qualification);
	mutex_unlock(&v->vm->mmu_lock);
	/* shadow_invlpg requested the flush it needs through the host. */
	skip_instruction(v, e);
	return 0;
}

static int handle_io(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	struct shadowvm_run *run = v->run;
	unsigned int size = (e->qualification & 7) + 1;
	bool in = e->qualification & BIT(3);

	vm_stat_inc(v, SHADOWVM_STAT_EXIT_IO);
	if (e->qualification & BIT(4)) {
		/* INS/OUTS need the emulator's string support (issue 3). */
		pr_notice_ratelimited("guest string I/O is not supported yet\n");
		return vmx_exit_internal(v, SHADOWVM_INTERNAL_ERROR_EMULATION, e);
	}
	memset(&run->io, 0, sizeof(run->io));
	run->exit_reason = SHADOWVM_EXIT_IO;
	run->io.direction = in ? SHADOWVM_EXIT_IO_IN : SHADOWVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = e->qualification >> 16;
	run->io.count = 1;
	run->io.data_offset = RUN_IO_DATA_OFFSET;
	if (in) {
		v->pending = SHVM_PENDING_IO_IN;
		v->pending_io_size = size;
	} else {
		memcpy((u8 *)run + RUN_IO_DATA_OFFSET, &v->regs[VCPU_RAX],
		       size);
	}
	skip_instruction(v, e);
	return 1;
}

/* Write @val of @size bytes into register @reg as x86-64 does. */
static void set_reg_sized(u64 *reg, u64 val, unsigned int size)
{
	switch (size) {
	case 1:
		*reg = (*reg & ~0xffull) | (val & 0xff);
		break;
	case 2:
		*reg = (*reg & ~0xffffull) | (val & 0xffff);
		break;
	case 4:
		*reg = (u32)val;	/* 32-bit writes zero the upper half */
		break;
	default:
		*reg = val;
	}
}

void vmx_complete_pending(struct shvm_vcpu *v)
{
	struct shadowvm_run *run = v->run;
	u64 val = 0;

	switch (v->pending) {
	case SHVM_PENDING_IO_IN:
		memcpy(&val, (u8 *)run + RUN_IO_DATA_OFFSET,
		       v->pending_io_size);
		set_reg_sized(&v->regs[VCPU_RAX], val, v->pending_io_size);
		break;
	case SHVM_PENDING_MMIO_READ:
		memcpy(&val, run->mmio.data, v->mmio_insn.size);
		emul_complete_read(&v->mmio_insn, v->regs, val);
		break;
	case SHVM_PENDING_NONE:
		break;
	}
	v->pending = SHVM_PENDING_NONE;
}

static int handle_cpuid(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	vm_stat_inc(v, SHADOWVM_STAT_EXIT_CPUID);
	shvm_cpuid(&v->regs[VCPU_RAX], &v->regs[VCPU_RBX],
		   &v->regs[VCPU_RCX], &v->regs[VCPU_RDX]);
	skip_instruction(v, e);
	return 0;
}

/* MSRs that are only stored for now: the guest reads back what it wrote. */
static u64 *stored_msr(struct shvm_vcpu *v, u32 msr)
{
	switch (msr) {
	case MSR_KERNEL_GS_BASE:
		return &v->kernel_gs_base;
	case MSR_STAR:
		return &v->star;
	case MSR_LSTAR:
		return &v->lstar;
	case MSR_CSTAR:
		return &v->cstar;
	case MSR_SYSCALL_MASK:
		return &v->sfmask;
	case MSR_IA32_CR_PAT:
		return &v->pat;
	}
	return NULL;
}

/* Whether @val may go into @msr, or the write raises #GP. */
static bool msr_value_valid(u32 msr, u64 val)
{
	int i;

	switch (msr) {
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		return is_canonical(val);
	case MSR_IA32_CR_PAT:
		/* Each byte a memory type: UC, WC, WT, WP, WB or UC-. */
		for (i = 0; i < 8; i++) {
			u8 type = val >> (i * 8);

			if (type > 7 || type == 2 || type == 3)
				return false;
		}
		return true;
	}
	return true;
}

static int get_msr(struct shvm_vcpu *v, u32 msr, u64 *val)
{
	u64 *stored = stored_msr(v, msr);

	switch (msr) {
	case MSR_EFER:
		*val = v->efer;
		return 0;
	case MSR_FS_BASE:
		*val = shvm_vcpu_vmcs_read(v, GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*val = shvm_vcpu_vmcs_read(v, GUEST_GS_BASE);
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc();
		return 0;
	}
	if (!stored)
		return -EINVAL;
	*val = *stored;
	return 0;
}

static int set_msr(struct shvm_vcpu *v, u32 msr, u64 val)
{
	u64 *stored = stored_msr(v, msr);

	if (!msr_value_valid(msr, val))
		return -EINVAL;
	switch (msr) {
	case MSR_EFER:
		if (!vmx_guest_efer_valid(val) ||
		    ((val ^ v->efer) & EFER_LME && v->cr0 & X86_CR0_PG))
			return -EINVAL;
		/* LMA is read-only: the processor owns it. */
		val = (val & ~EFER_LMA) | (v->efer & EFER_LMA);
		if ((val ^ v->efer) & EFER_NX)
			paging_changed(v);
		v->efer = val;
		v->paging_dirty = true;
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		shvm_vcpu_vmcs_write(v, msr == MSR_FS_BASE ? GUEST_FS_BASE :
				     GUEST_GS_BASE, val);
		return 0;
	}
	if (!stored)
		return -EINVAL;
	*stored = val;
	return 0;
}

static int handle_msr(struct shvm_vcpu *v, const struct vmx_exit *e,
		      bool write)
{
	u32 msr = v->regs[VCPU_RCX];
	u64 val;

	vm_stat_inc(v, SHADOWVM_STAT_EXIT_MSR);
	if (write) {
		val = (u32)v->regs[VCPU_RAX] |
		      (v->regs[VCPU_RDX] << 32);
		if (set_msr(v, msr, val)) {
			inject_gp(v);
			return 0;
		}
	} else {
		if (get_msr(v, msr, &val)) {
			inject_gp(v);
			return 0;
		}
		v->regs[VCPU_RAX] = (u32)val;
		v->regs[VCPU_RDX] = val >> 32;
	}
	skip_instruction(v, e);
	return 0;
}

static int handle_dr(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	unsigned int reg = (e->qualification >> 8) & 15;
	unsigned int dr = e->qualification & 7;

	/* No guest debugging yet: reads give reset values, writes vanish. */
	if (e->qualification & BIT(4))
		v->regs[reg] = dr == 6 ? 0xffff0ff0 : dr == 7 ? 0x400 : 0;
	skip_instruction(v, e);
	return 0;
}

static int handle_hlt(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	vm_stat_inc(v, SHADOWVM_STAT_EXIT_HLT);
	skip_instruction(v, e);
	v->run->exit_reason = SHADOWVM_EXIT_HLT;
	return 1;
}

static int handle_failed_entry(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	struct shadowvm_run *run = v->run;

	run->exit_reason = SHADOWVM_EXIT_FAIL_ENTRY;
	run->fail_entry.cpu = v->vmcs.cpu;
	if (e->vmfail)
		run->fail_entry.hardware_entry_failure_reason =
			VMX_EXIT_REASONS_FAILED_VMENTRY | e->insn_error |
			BIT_ULL(32);
	else
		run->fail_entry.hardware_entry_failure_reason =
			e->reason | (e->qualification << 32);
	pr_notice_ratelimited("VM entry failed: %s %u, qualification %llu\n",
			      e->vmfail ? "VM-instruction error" : "exit reason",
			      e->vmfail ? e->insn_error : e->reason & 0xffff,
			      e->qualification);
	return 1;
}

int vmx_handle_exit(struct shvm_vcpu *v, const struct vmx_exit *e)
{
	vm_stat_inc(v, SHADOWVM_STAT_EXITS);
	if (e->vmfail || e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return handle_failed_entry(v, e);

	switch (e->reason & 0xffff) {
	case EXIT_REASON_EXCEPTION_NMI:
		return handle_exception(v, e);
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		vm_stat_inc(v, SHADOWVM_STAT_EXIT_EXTINT);
		vmx_requeue_vectoring_event(v, e);
		return 0;
	case EXIT_REASON_TRIPLE_FAULT:
		v->run->exit_reason = SHADOWVM_EXIT_SHUTDOWN;
		return 1;
	case EXIT_REASON_CR_ACCESS:
		return handle_cr(v, e);
	case EXIT_REASON_INVLPG:
		return handle_invlpg(v, e);
	case EXIT_REASON_IO_INSTRUCTION:
		return handle_io(v, e);
	case EXIT_REASON_CPUID:
		return handle_cpuid(v, e);
	case EXIT_REASON_MSR_READ:
		return handle_msr(v, e, false);
	case EXIT_REASON_MSR_WRITE:
		return handle_msr(v, e, true);
	case EXIT_REASON_DR_ACCESS:
		return handle_dr(v, e);
	case EXIT_REASON_HLT:
		return handle_hlt(v, e);
	case EXIT_REASON_INVD:
	case EXIT_REASON_WBINVD:
		/* Guest memory is ordinary cached host memory. */
		skip_instruction(v, e);
		return 0;
	case EXIT_REASON_VMCALL:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
	case EXIT_REASON_XSETBV:
		/* The CPUID we report offers none of these. */
		inject_ud(v);
		return 0;
	case EXIT_REASON_RDPMC:
		inject_gp(v);
		return 0;
	}
	vm_stat_inc(v, SHADOWVM_STAT_EXIT_OTHER);
	pr_notice_ratelimited("unhandled VM exit %u at rip %#llx\n",
			      e->reason & 0xffff, v->rip);
	return vmx_exit_internal(v, SHADOWVM_INTERNAL_ERROR_EMULATION, e);
}
