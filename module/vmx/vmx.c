// SPDX-License-Identifier: GPL-2.0
/*
 * Ownership of VMX operation.
 *
 * VMXON is done lazily, when the first VM is created, on every online CPU,
 * and undone after the last VM is gone, so that an idle shadowvm leaves VMX
 * to whoever wants it (kvm_intel). CPUs that come online while VMX is owned
 * are brought into VMX operation by the hotplug callback; CPUs that go
 * offline VMCLEAR what they hold and leave VMX operation.
 *
 * When the host goes down (reboot, power-off, kexec) the reboot notifier
 * in shutdown.c calls vmx_shutdown(), which leaves VMX on every CPU for
 * good; in an emergency (panic, crash dump, NMI shootdown) the kernel
 * calls vmx_emergency_off_this_cpu() on each CPU.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/tlbflush.h>
#include <asm/asm.h>

#include "vmx.h"

struct vmx_caps vmx_caps;

static DEFINE_MUTEX(vmx_owner_lock);
static unsigned int vmx_users;
static bool vmx_enabled;		/* VMXON wanted on online CPUs */
static bool vmx_going_down;		/* set once, never cleared */
static enum cpuhp_state vmx_hp_state;
static DEFINE_PER_CPU(void *, vmxon_region);
static DEFINE_PER_CPU(bool, vmx_on);
/* Active VMCSs per CPU; see vmcs.c. */
DEFINE_PER_CPU(struct list_head, vmx_loaded_vmcss);
DEFINE_PER_CPU(struct vmx_vmcs *, vmx_current_vmcs);

static int adjust_ctls(u32 required, u32 optional, u32 msr, u32 *result)
{
	u32 allowed0, allowed1, ctl;

	rdmsr(msr, allowed0, allowed1);
	ctl = (required | optional) & allowed1;
	ctl |= allowed0;
	if ((ctl & required) != required)
		return -EOPNOTSUPP;
	*result = ctl;
	return 0;
}

static int vmx_setup_caps(void)
{
	struct vmx_caps *c = &vmx_caps;
	u64 basic, vpid_cap;
	bool true_ctls;
	u32 proc2_optional = 0;
	int err;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	c->revision = vmx_basic_vmcs_revision_id(basic);
	if (vmx_basic_vmcs_size(basic) > PAGE_SIZE) {
		pr_err("VMCS larger than a page\n");
		return -EOPNOTSUPP;
	}
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;

	err = adjust_ctls(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING, 0,
			  true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				      MSR_IA32_VMX_PINBASED_CTLS,
			  &c->pin_ctls);
	/*
	 * Without EPT, CR3 loads and stores must exit (the hardware CR3 holds
	 * the shadow), INVLPG must exit (the shadow pager invalidates), CR8
	 * must exit (there is no TPR shadow, the guest would reach the host's
	 * TPR), and every I/O port and MSR access exits (no bitmaps).
	 */
	err = err ?: adjust_ctls(CPU_BASED_HLT_EXITING |
				 CPU_BASED_INVLPG_EXITING |
				 CPU_BASED_CR3_LOAD_EXITING |
				 CPU_BASED_CR3_STORE_EXITING |
				 CPU_BASED_CR8_LOAD_EXITING |
				 CPU_BASED_CR8_STORE_EXITING |
				 CPU_BASED_MOV_DR_EXITING |
				 CPU_BASED_UNCOND_IO_EXITING |
				 CPU_BASED_MWAIT_EXITING |
				 CPU_BASED_MONITOR_EXITING |
				 CPU_BASED_RDPMC_EXITING,
				 CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
				 true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
					     MSR_IA32_VMX_PROCBASED_CTLS,
				 &c->proc_ctls);
	err = err ?: adjust_ctls(VM_EXIT_HOST_ADDR_SPACE_SIZE,
				 VM_EXIT_LOAD_IA32_EFER,
				 true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
					     MSR_IA32_VMX_EXIT_CTLS,
				 &c->exit_ctls);
	err = err ?: adjust_ctls(0, VM_ENTRY_LOAD_IA32_EFER,
				 true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
					     MSR_IA32_VMX_ENTRY_CTLS,
				 &c->entry_ctls);
	if (err) {
		pr_err("the CPU lacks a VMX control shadowvm needs\n");
		return err;
	}
	/* Entry to a 64-bit guest is chosen per entry, not fixed here. */
	c->entry_ctls &= ~VM_ENTRY_IA32E_MODE;
	/* Both or neither: the host EFER must come back if the guest's went in. */
	if (!(c->exit_ctls & VM_EXIT_LOAD_IA32_EFER))
		c->entry_ctls &= ~VM_ENTRY_LOAD_IA32_EFER;
	if (!(c->entry_ctls & VM_ENTRY_LOAD_IA32_EFER))
		c->exit_ctls &= ~VM_EXIT_LOAD_IA32_EFER;

	c->proc2_ctls = 0;
	c->vpid = false;
	if (c->proc_ctls & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) {
		u64 ctls2;

		rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, ctls2);
		/* Bits 63:32 say which controls may be 1. */
		if ((ctls2 >> 32) & SECONDARY_EXEC_ENABLE_VPID) {
			/* The capability MSR exists only with EPT or VPID. */
			rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, vpid_cap);
			if (vpid_cap & VMX_VPID_INVVPID_BIT &&
			    vpid_cap & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT) {
				proc2_optional |= SECONDARY_EXEC_ENABLE_VPID;
				c->vpid = true;
				c->invvpid_addr = vpid_cap &
					VMX_VPID_EXTENT_INDIVIDUAL_ADDR_BIT;
				c->invvpid_nonglobal = vpid_cap &
					VMX_VPID_EXTENT_SINGLE_NON_GLOBAL_BIT;
			}
		}
		if (adjust_ctls(0, proc2_optional,
				MSR_IA32_VMX_PROCBASED_CTLS2, &c->proc2_ctls))
			c->proc2_ctls = 0;
		if (!(c->proc2_ctls & SECONDARY_EXEC_ENABLE_VPID))
			c->vpid = false;
	}
	if (!c->proc2_ctls)
		c->proc_ctls &= ~CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);
	return 0;
}

/* Whether firmware left VMX usable outside SMX. */
static bool vmx_allowed_by_firmware(void)
{
	u64 fc;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc))
		return false;
	return (fc & FEAT_CTL_LOCKED) &&
	       (fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX);
}

static int vmx_on_this_cpu(void)
{
	void *region = this_cpu_read(vmxon_region);
	u64 pa = __pa(region);
	u8 failed = 1;

	if (this_cpu_read(vmx_on))
		return 0;
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	*(u32 *)region = vmx_caps.revision;
	cr4_set_bits(X86_CR4_VMXE);
	/* A fault (firmware disabled VMX after all) skips the SETNA. */
	asm volatile("1: vmxon %[pa]\n\t"
		     "setna %[failed]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [failed] "+q"(failed) : [pa] "m"(pa) : "cc", "memory");
	if (failed) {
		cr4_clear_bits(X86_CR4_VMXE);
		return -EIO;
	}
	this_cpu_write(vmx_on, true);
	this_cpu_write(vmx_current_vmcs, NULL);
	return 0;
}

/* Leave VMX operation on this CPU. */
static void vmx_leave(void)
{
	unsigned int faulted;

	asm volatile(VMX_INSN_CHECKED("vmxoff")
		     : [faulted] "=&r"(faulted) : : "cc", "memory");
	if (unlikely(faulted))
		vmx_insn_fault("VMXOFF");
}

static void vmx_off_this_cpu(void)
{
	if (!this_cpu_read(vmx_on))
		return;
	vmx_clear_loaded_vmcss();
	vmx_leave();
	cr4_clear_bits(X86_CR4_VMXE);
	this_cpu_write(vmx_on, false);
}

static void vmx_on_ipi(void *failed)
{
	int err = vmx_on_this_cpu();

	if (err)
		atomic_cmpxchg(failed, 0, err);
}

static void vmx_off_ipi(void *unused)
{
	vmx_off_this_cpu();
}

static void vmx_off_counted_ipi(void *count)
{
	if (this_cpu_read(vmx_on))
		atomic_inc(count);
	vmx_off_this_cpu();
}

bool vmx_host_going_down(void)
{
	return READ_ONCE(vmx_going_down);
}

unsigned int vmx_shutdown(void)
{
	atomic_t count = ATOMIC_INIT(0);

	mutex_lock(&vmx_owner_lock);
	/*
	 * Before the IPIs: a vCPU that checks the flag with interrupts off
	 * right before entry (vcpu.c) either sees it or has not taken the IPI
	 * yet, and then the IPI makes it exit from the guest.
	 */
	WRITE_ONCE(vmx_going_down, true);
	cpus_read_lock();
	if (vmx_enabled) {
		vmx_enabled = false;
		on_each_cpu(vmx_off_counted_ipi, &count, 1);
	}
	cpus_read_unlock();
	mutex_unlock(&vmx_owner_lock);
	return atomic_read(&count);
}

void vmx_emergency_off_this_cpu(void)
{
	/*
	 * What this interrupted may fault next; the fixups let it, and so
	 * the VMCLEARs and VMXOFF below if it had set CR4.VMXE but not yet
	 * done VMXON. Ask the hardware, not vmx_on: that flag is written an
	 * instruction after VMXON and VMXOFF.
	 */
	WRITE_ONCE(vmx_going_down, true);
	if (!(__read_cr4() & X86_CR4_VMXE))
		return;
	vmx_emergency_clear_loaded_vmcss();
	vmx_leave();
	cr4_clear_bits(X86_CR4_VMXE);
	this_cpu_write(vmx_on, false);
}

void vmx_insn_fault(const char *insn)
{
	/* #UD after a shutdown turned VMX off under a vCPU is expected. */
	if (READ_ONCE(vmx_going_down))
		return;
	WARN_ONCE(1, "shadowvm: %s faulted while in VMX operation\n", insn);
}

static int vmx_cpu_online(unsigned int cpu)
{
	int err = 0;

	/*
	 * Runs on @cpu under the hotplug lock, which vmx_get()/vmx_put() hold
	 * for reading while they change vmx_enabled: no other lock needed.
	 */
	if (vmx_enabled) {
		local_irq_disable();
		err = vmx_on_this_cpu();
		local_irq_enable();
		if (err)
			pr_err("VMXON failed on new CPU %u (%d)\n", cpu, err);
	}
	return err;
}

static int vmx_cpu_offline(unsigned int cpu)
{
	local_irq_disable();
	vmx_off_this_cpu();
	local_irq_enable();
	return 0;
}

static void vmx_free_regions(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
}

/* Whether another hypervisor is in VMX operation (VMs would get EBUSY). */
bool vmx_in_use_elsewhere(void)
{
	return boot_cpu_has(X86_FEATURE_VMX) &&
	       cr4_read_shadow() & X86_CR4_VMXE && !READ_ONCE(vmx_users);
}

int vmx_available(void)
{
	return boot_cpu_has(X86_FEATURE_VMX) && vmx_allowed_by_firmware() &&
	       !vmx_in_use_elsewhere();
}

/*
 * CR4.VMXE was set: someone else is in VMX operation. Since 6.12
 * kvm_intel does VMXON as soon as it is loaded (kvm.enable_virt_at_load=1),
 * so this is the usual case.
 */
static void vmx_busy_notice(void)
{
	pr_notice_ratelimited("VMX is in use by another hypervisor (kvm_intel?): rmmod kvm_intel, or load kvm with enable_virt_at_load=0 (6.12+), or blacklist kvm_intel\n");
}

int vmx_get(void)
{
	atomic_t failed = ATOMIC_INIT(0);
	int cpu, err = 0;

	mutex_lock(&vmx_owner_lock);
	/*
	 * ESHUTDOWN: nothing is wrong with the request or the device, the
	 * host is on its way down; a vCPU that can no longer run gets EIO
	 * instead (vcpu.c).
	 */
	if (vmx_going_down) {
		pr_notice_ratelimited("CREATE_VM refused: the host is going down and VMX is off\n");
		err = -ESHUTDOWN;
		goto out;
	}
	if (vmx_users) {
		vmx_users++;
		goto out;
	}
	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_notice_ratelimited("this CPU has no VMX: cannot run guests\n");
		err = -EOPNOTSUPP;
		goto out;
	}
	if (!vmx_allowed_by_firmware()) {
		pr_notice_ratelimited("VMX is disabled by the firmware (IA32_FEATURE_CONTROL)\n");
		err = -EOPNOTSUPP;
		goto out;
	}
	/*
	 * Someone else's VMX (kvm_intel on 6.12 holds it, and the emergency
	 * callback slot with it, from load on): stop before registering ours
	 * over KVM's, which would WARN.
	 */
	if (vmx_in_use_elsewhere()) {
		err = -EBUSY;
		vmx_busy_notice();
		goto out;
	}
	err = vmx_setup_caps();
	if (err)
		goto out;
	for_each_possible_cpu(cpu) {
		struct page *p = alloc_pages_node(cpu_to_node(cpu),
						  GFP_KERNEL | __GFP_ZERO, 0);

		if (!p) {
			vmx_free_regions();
			err = -ENOMEM;
			goto out;
		}
		per_cpu(vmxon_region, cpu) = page_address(p);
	}
	/* Before VMXON: an emergency in between finds the callback there. */
	shutdown_emergency_register();
	cpus_read_lock();
	vmx_enabled = true;
	on_each_cpu(vmx_on_ipi, &failed, 1);
	err = atomic_read(&failed);
	if (err) {
		vmx_enabled = false;
		on_each_cpu(vmx_off_ipi, NULL, 1);
	}
	cpus_read_unlock();
	if (err) {
		shutdown_emergency_unregister();
		vmx_free_regions();
		if (err == -EBUSY)
			vmx_busy_notice();
		else
			pr_err_ratelimited("VMXON failed (%d)\n", err);
		goto out;
	}
	vmx_users = 1;
out:
	mutex_unlock(&vmx_owner_lock);
	return err;
}

void vmx_put(void)
{
	mutex_lock(&vmx_owner_lock);
	if (!--vmx_users) {
		cpus_read_lock();
		vmx_enabled = false;
		on_each_cpu(vmx_off_ipi, NULL, 1);
		cpus_read_unlock();
		shutdown_emergency_unregister();
		vmx_free_regions();
	}
	mutex_unlock(&vmx_owner_lock);
}

static void vpid_invalidate(unsigned long type, u16 vpid, u64 addr)
{
	struct {
		u64 vpid;
		u64 addr;
	} desc = { vpid, addr };
	unsigned int faulted;

	asm volatile(VMX_INSN_CHECKED("invvpid %[desc], %[type]")
		     : [faulted] "=&r"(faulted)
		     : [desc] "m"(desc), [type] "r"(type) : "cc", "memory");
	if (unlikely(faulted))
		vmx_insn_fault("INVVPID");
}

/* All of @vpid's translations, global ones included. */
void vmx_flush_vpid(u16 vpid)
{
	vpid_invalidate(VMX_VPID_EXTENT_SINGLE_CONTEXT, vpid, 0);
}

/* What a guest INVLPG @addr must drop. */
void vmx_flush_vpid_addr(u16 vpid, u64 addr)
{
	if (vmx_caps.invvpid_addr)
		vpid_invalidate(VMX_VPID_EXTENT_INDIVIDUAL_ADDR, vpid, addr);
	else
		vmx_flush_vpid(vpid);
}

/* What a guest MOV to CR3 must drop: everything but global pages. */
void vmx_flush_vpid_nonglobal(u16 vpid)
{
	if (vmx_caps.invvpid_nonglobal)
		vpid_invalidate(VMX_VPID_EXTENT_SINGLE_NON_GLOBAL, vpid, 0);
	else
		vmx_flush_vpid(vpid);
}

int vmx_module_init(void)
{
	int cpu, ret;

	/*
	 * Valid from here on, empty whenever the CPU is out of VMX: the
	 * emergency callback may walk it at any time.
	 */
	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(&per_cpu(vmx_loaded_vmcss, cpu));

	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "shadowvm:online",
					vmx_cpu_online, vmx_cpu_offline);
	if (ret < 0)
		return ret;
	vmx_hp_state = ret;
	ret = shutdown_module_init();
	if (ret)
		cpuhp_remove_state_nocalls(vmx_hp_state);
	return ret;
}

void vmx_module_exit(void)
{
	shutdown_module_exit();
	cpuhp_remove_state_nocalls(vmx_hp_state);
}
