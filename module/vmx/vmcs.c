// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's VMCS: allocation, making it current on a CPU (with migration),
 * and the host-state fields, which describe the CPU it runs on.
 *
 * A VMCS may be active on one CPU only. Each CPU keeps the list of VMCSs
 * active on it; moving a vCPU VMCLEARs its VMCS on the old CPU by IPI, and
 * a CPU leaving VMX operation VMCLEARs all of its list.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/desc.h>
#include <asm/mmu_context.h>
#include <asm/msr.h>
#include <asm/tlbflush.h>

#include "vmx.h"

/* VPID 0 is the host's; each VMCS gets its own for its lifetime. */
static DEFINE_IDA(vpid_ida);

static void vmcs_clear(struct vmx_vmcs *vmcs)
{
	vmx_vmclear(__pa(vmcs->region));
	if (this_cpu_read(vmx_current_vmcs) == vmcs)
		this_cpu_write(vmx_current_vmcs, NULL);
	list_del(&vmcs->on_cpu);
	/* Readers on other CPUs see the list removal before cpu == -1. */
	smp_wmb();
	WRITE_ONCE(vmcs->cpu, -1);
	vmcs->launched = false;
}

static void vmcs_clear_ipi(void *data)
{
	struct vmx_vmcs *vmcs = data;

	if (READ_ONCE(vmcs->cpu) == raw_smp_processor_id())
		vmcs_clear(vmcs);
}

/* Called on a CPU leaving VMX operation, irqs disabled. */
void vmx_clear_loaded_vmcss(void)
{
	struct vmx_vmcs *vmcs, *tmp;

	list_for_each_entry_safe(vmcs, tmp, this_cpu_ptr(&vmx_loaded_vmcss),
				 on_cpu)
		vmcs_clear(vmcs);
}

/*
 * The same in an emergency (NMI, crash): the list may be half-updated by
 * the code this interrupted, so only VMCLEAR, leave the list alone; the
 * CPU is not coming back to it.
 */
void vmx_emergency_clear_loaded_vmcss(void)
{
	struct vmx_vmcs *vmcs;

	list_for_each_entry(vmcs, this_cpu_ptr(&vmx_loaded_vmcss), on_cpu)
		vmx_vmclear(__pa(vmcs->region));
}

/* VMCLEAR @vmcs wherever it is active (preemptible or not, irqs on). */
static void vmcs_clear_remote(struct vmx_vmcs *vmcs)
{
	int cpu = READ_ONCE(vmcs->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmcs_clear_ipi, vmcs, 1);
}

int vmx_vmcs_alloc(struct vmx_vmcs *vmcs)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	int vpid = 0;

	if (!page)
		return -ENOMEM;
	if (vmx_caps.vpid) {
		vpid = ida_alloc_range(&vpid_ida, 1, 0xffff, GFP_KERNEL);
		if (vpid < 0) {
			__free_page(page);
			return vpid;
		}
	}
	vmcs->region = page_address(page);
	*(u32 *)vmcs->region = vmx_caps.revision;
	vmcs->cpu = -1;
	vmcs->launched = false;
	vmcs->vpid = vpid;
	INIT_LIST_HEAD(&vmcs->on_cpu);
	return 0;
}

void vmx_vmcs_free(struct vmx_vmcs *vmcs)
{
	if (!vmcs->region)
		return;
	vmcs_clear_remote(vmcs);
	if (vmcs->vpid)
		ida_free(&vpid_ida, vmcs->vpid);
	free_page((unsigned long)vmcs->region);
	vmcs->region = NULL;
}

static unsigned long segment_base(u16 selector)
{
	struct desc_struct *gdt = get_current_gdt_ro();
	struct desc_struct *d = &gdt[selector >> 3];
	unsigned long base = get_desc_base(d);

	/* System descriptors (the TSS) are 16 bytes with the high base. */
	if (!d->s)
		base |= (unsigned long)((struct ldttss_desc *)d)->base3 << 32;
	return base;
}

/* Host state that depends on the CPU; written when the VMCS moves. */
static void vmcs_set_host_cpu_state(void)
{
	struct desc_ptr idt;
	u64 v;

	store_idt(&idt);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	vmcs_write(HOST_TR_BASE, segment_base(GDT_ENTRY_TSS * 8));
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_write(HOST_IA32_SYSENTER_ESP, v);
}

/* Host state that is the same everywhere; written once per VMCS. */
static void vmcs_set_host_constant_state(void)
{
	u64 v;

	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	/* Data selectors are reloaded after exit (see vcpu.c) if not zero. */
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_write(HOST_RIP, (unsigned long)shvm_vmx_exit_point);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_write(HOST_IA32_SYSENTER_EIP, v);
	if (vmx_caps.exit_ctls & VM_EXIT_LOAD_IA32_EFER) {
		rdmsrl(MSR_EFER, v);
		vmcs_write(HOST_IA32_EFER, v);
	}
}

bool vmx_vmcs_load(struct vmx_vmcs *vmcs)
{
	int cpu = smp_processor_id();
	bool moved = false;
	u64 pa = __pa(vmcs->region);

	if (READ_ONCE(vmcs->cpu) != cpu) {
		/* Preemption is off; IPIs need interrupts, which are on. */
		vmcs_clear_remote(vmcs);
		local_irq_disable();
		/* VMCLEAR leaves the launch state "clear": VMLAUNCH next. */
		vmx_vmclear(pa);
		list_add(&vmcs->on_cpu, this_cpu_ptr(&vmx_loaded_vmcss));
		/* Pairs with vmcs_clear(): the list holds it before cpu says so. */
		smp_wmb();
		WRITE_ONCE(vmcs->cpu, cpu);
		vmcs->launched = false;
		vmx_vmptrld(pa);
		this_cpu_write(vmx_current_vmcs, vmcs);
		local_irq_enable();
		/* VMCLEAR may have dropped cached fields: write them all. */
		vmcs_set_host_constant_state();
		vmcs_set_host_cpu_state();
		vmcs->host_cr3 = 0;
		vmcs->host_cr4 = 0;
		vmcs->host_fs_base = 0;
		vmcs->host_gs_base = 0;
		moved = true;
	} else if (this_cpu_read(vmx_current_vmcs) != vmcs) {
		vmx_vmptrld(pa);
		this_cpu_write(vmx_current_vmcs, vmcs);
	}
	return moved;
}

void vmx_vmcs_refresh_host(struct vmx_vmcs *vmcs)
{
	unsigned long v;

	/* PCID and PTI make the host CR3 vary; CR4 changes at run time. */
	v = __get_current_cr3_fast();
	if (v != vmcs->host_cr3) {
		vmcs_write(HOST_CR3, v);
		vmcs->host_cr3 = v;
	}
	v = cr4_read_shadow();
	if (v != vmcs->host_cr4) {
		vmcs_write(HOST_CR4, v);
		vmcs->host_cr4 = v;
	}
	rdmsrl(MSR_FS_BASE, v);
	if (v != vmcs->host_fs_base) {
		vmcs_write(HOST_FS_BASE, v);
		vmcs->host_fs_base = v;
	}
	rdmsrl(MSR_GS_BASE, v);
	if (v != vmcs->host_gs_base) {
		vmcs_write(HOST_GS_BASE, v);
		vmcs->host_gs_base = v;
	}
}
