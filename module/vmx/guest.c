// SPDX-License-Identifier: GPL-2.0
/*
 * Guest state in the VMCS: execution controls, segment and control
 * registers, and the translation between what the guest believes its CR0
 * and CR4 hold and what the hardware must hold under shadow paging.
 *
 * Without EPT there is no unrestricted guest: hardware CR0.PE and CR0.PG
 * stay 1 and the hardware CR3 holds the shadow root. The guest reads its
 * own values from the read shadows; a write to a bit in the guest/host
 * mask exits and is checked in exit.c.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/kernel.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>

#include "../vcpu.h"
#include "guest.h"

/* CR0 bits the guest may not change without an exit. */
#define GUEST_CR0_OWNED_BY_HOST (X86_CR0_PE | X86_CR0_PG | X86_CR0_WP | \
				 X86_CR0_NE | X86_CR0_CD | X86_CR0_NW | \
				 X86_CR0_ET)
/* CR4 bits whose change the pager must see, or that we hide. */
#define GUEST_CR4_OWNED_BY_HOST (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE | \
				 X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_VMXE | \
				 X86_CR4_PCIDE | X86_CR4_OSXSAVE | \
				 X86_CR4_LA57 | X86_CR4_PKE | X86_CR4_SMXE | \
				 X86_CR4_FSGSBASE | X86_CR4_CET | X86_CR4_UMIP)

/* CR4 bits a guest may set (the CPUID we report offers no more). */
#define GUEST_CR4_ALLOWED (X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
			   X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
			   X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
			   X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
			   X86_CR4_SMEP | X86_CR4_SMAP)

#define GUEST_EFER_ALLOWED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

u64 vmx_hw_cr0(u64 guest_cr0)
{
	u64 cr0 = guest_cr0 & ~(X86_CR0_CD | X86_CR0_NW);

	/*
	 * CR0.WP=1 in hardware always: the pager's write protection of guest
	 * page tables must hold for supervisor writes too.
	 */
	cr0 |= vmx_caps.cr0_fixed0 | X86_CR0_WP;
	return cr0 & vmx_caps.cr0_fixed1;
}

u64 vmx_hw_cr4(u64 guest_cr0, u64 guest_cr4)
{
	u64 cr4 = guest_cr4 & GUEST_CR4_ALLOWED;

	/*
	 * Paging off: nothing is checked. The identity shadows are user
	 * pages (CPL 3 may run unpaged too), which SMEP and SMAP would
	 * refuse to supervisor code.
	 */
	if (!(guest_cr0 & X86_CR0_PG))
		cr4 &= ~(X86_CR4_SMEP | X86_CR4_SMAP);

	/*
	 * The shadow tables are 4-level tables for a long-mode guest and PAE
	 * tables for every other (guest.c and mmu/shadow.h): PAE always.
	 */
	cr4 |= X86_CR4_PAE | vmx_caps.cr4_fixed0;
	return cr4 & vmx_caps.cr4_fixed1;
}

bool vmx_guest_cr4_valid(u64 cr4)
{
	return !(cr4 & ~GUEST_CR4_ALLOWED);
}

bool vmx_guest_efer_valid(u64 efer)
{
	return !(efer & ~GUEST_EFER_ALLOWED);
}

/* Write CR0/CR4/EFER as the guest sees them, and the hardware values. */
void vmx_write_paging_regs(struct shvm_vcpu *v)
{
	u32 entry = vmx_caps.entry_ctls;
	u64 efer;

	vmcs_write(CR0_READ_SHADOW, v->cr0);
	vmcs_write(GUEST_CR0, vmx_hw_cr0(v->cr0));
	vmcs_write(CR4_READ_SHADOW, v->cr4);
	vmcs_write(GUEST_CR4, vmx_hw_cr4(v->cr0, v->cr4));
	if (v->efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	vmcs_write(VM_ENTRY_CONTROLS, entry);
	/*
	 * Without the load-EFER controls the guest runs on the host's EFER
	 * (LME/LMA follow the IA-32e entry control); NXE is then on, which
	 * the shadows never rely on since a guest NX bit with NXE clear is
	 * a reserved-bit fault the pager reports itself. With the controls,
	 * hardware NXE is forced on all the same: only then do fetch faults
	 * report I/D, which the pager needs to tell a fetch from a read.
	 * Hardware CR0.PG is always 1, so hardware LME must equal LMA: a
	 * guest that set LME with its paging off is not in long mode yet.
	 */
	efer = v->efer | EFER_NX;
	if (!(efer & EFER_LMA))
		efer &= ~EFER_LME;
	if (entry & VM_ENTRY_LOAD_IA32_EFER)
		vmcs_write(GUEST_IA32_EFER, efer);
}

void vmx_setup_vmcs(struct shvm_vcpu *v)
{
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin_ctls);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx_caps.proc_ctls);
	if (vmx_caps.proc_ctls & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_caps.proc2_ctls);
	if (v->vmcs.vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, v->vmcs.vpid);
	vmcs_write(VM_EXIT_CONTROLS, vmx_caps.exit_ctls);
	vmcs_write(VM_ENTRY_CONTROLS, vmx_caps.entry_ctls);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	/* Every #PF exits: the pager decides who sees it. */
	vmcs_write(EXCEPTION_BITMAP, BIT(X86_TRAP_PF) | BIT(X86_TRAP_MC));
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR0_GUEST_HOST_MASK, GUEST_CR0_OWNED_BY_HOST);
	vmcs_write(CR4_GUEST_HOST_MASK, GUEST_CR4_OWNED_BY_HOST);
	vmcs_write(VMCS_LINK_POINTER, -1ull);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
}

struct seg_fields {
	u32 selector, base, limit, ar;
};

#define SEG(name) { GUEST_##name##_SELECTOR, GUEST_##name##_BASE, \
		    GUEST_##name##_LIMIT, GUEST_##name##_AR_BYTES }

/* In struct shadowvm_sregs order: cs, ds, es, fs, gs, ss, tr, ldt. */
static const struct seg_fields seg_fields[8] = {
	SEG(CS), SEG(DS), SEG(ES), SEG(FS), SEG(GS), SEG(SS), SEG(TR),
	SEG(LDTR),
};

#define VMX_AR_UNUSABLE BIT(16)

static u32 seg_to_ar(const struct shadowvm_segment *s)
{
	if (s->unusable || !s->present)
		return VMX_AR_UNUSABLE;
	return (s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       1 << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
	       (s->db & 1) << 14 | (s->g & 1) << 15;
}

static void ar_to_seg(u32 ar, struct shadowvm_segment *s)
{
	s->unusable = !!(ar & VMX_AR_UNUSABLE);
	s->type = ar & 15;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = !s->unusable && ((ar >> 7) & 1);
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
	s->padding = 0;
}

static struct shadowvm_segment *sregs_seg(struct shadowvm_sregs *s, int i)
{
	struct shadowvm_segment *segs[8] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr,
		&s->ldt,
	};

	return segs[i];
}

void vmx_get_sregs(struct shvm_vcpu *v, struct shadowvm_sregs *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ARRAY_SIZE(seg_fields); i++) {
		struct shadowvm_segment *seg = sregs_seg(s, i);

		seg->selector = vmcs_read(seg_fields[i].selector);
		seg->base = vmcs_read(seg_fields[i].base);
		seg->limit = vmcs_read(seg_fields[i].limit);
		ar_to_seg(vmcs_read(seg_fields[i].ar), seg);
	}
	s->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_read(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	s->cr0 = v->cr0;
	s->cr2 = v->cr2;
	s->cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->cr8 = v->cr8;
	s->efer = v->efer;
	s->apic_base = 0;
}

/* Why @s cannot be a vCPU's state, or NULL. */
static const char *sregs_invalid(const struct shadowvm_sregs *s)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(s->interrupt_bitmap); i++)
		if (s->interrupt_bitmap[i])
			return "interrupt_bitmap must be zero (no interrupt injection)";
	for (i = 0; i < 8; i++)
		if (sregs_seg((struct shadowvm_sregs *)s, i)->padding)
			return "segment padding must be zero";
	if (s->gdt.padding[0] | s->gdt.padding[1] | s->gdt.padding[2] |
	    s->idt.padding[0] | s->idt.padding[1] | s->idt.padding[2])
		return "descriptor-table padding must be zero";
	if (!(s->cr0 & X86_CR0_PE))
		return "real mode (CR0.PE=0) is not supported";
	if (s->cr0 >> 32 || (s->cr0 & X86_CR0_NW && !(s->cr0 & X86_CR0_CD)))
		return "CR0 has reserved or invalid bits";
	if (!vmx_guest_cr4_valid(s->cr4))
		return "CR4 sets bits this vCPU does not offer";
	if (!vmx_guest_efer_valid(s->efer))
		return "EFER sets bits this vCPU does not offer";
	if (!!(s->efer & EFER_LMA) !=
	    (!!(s->efer & EFER_LME) && !!(s->cr0 & X86_CR0_PG)))
		return "EFER.LMA must be set exactly when EFER.LME and CR0.PG are";
	if ((s->efer & EFER_LMA) && !(s->cr4 & X86_CR4_PAE))
		return "long mode needs CR4.PAE";
	if (!(s->efer & EFER_LMA) && s->cs.l)
		return "CS.L is set outside long mode";
	if ((s->efer & EFER_LMA) && s->cs.l && s->cs.db)
		return "CS.L and CS.D are both set";
	if (s->cr3 >> 52 || s->cr8 > 15)
		return "CR3 or CR8 has reserved bits set";
	return NULL;
}

int vmx_set_sregs(struct shvm_vcpu *v, const struct shadowvm_sregs *s)
{
	const char *why = sregs_invalid(s);
	int i;

	if (why) {
		pr_notice_ratelimited("SET_SREGS refused: %s\n", why);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(seg_fields); i++) {
		const struct shadowvm_segment *seg =
			sregs_seg((struct shadowvm_sregs *)s, i);

		vmcs_write(seg_fields[i].selector, seg->selector);
		vmcs_write(seg_fields[i].base, seg->base);
		vmcs_write(seg_fields[i].limit, seg->limit);
		vmcs_write(seg_fields[i].ar, seg_to_ar(seg));
	}
	vmcs_write(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, s->idt.limit);
	v->cr0 = s->cr0;
	v->cr2 = s->cr2;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	v->cr8 = s->cr8;
	v->efer = s->efer;
	vmx_write_paging_regs(v);
	return 0;
}
