// SPDX-License-Identifier: GPL-2.0
/*
 * Leaving VMX when the host goes down while VMs exist.
 *
 * A CPU in VMX operation blocks INIT, so a reboot that does not VMXOFF
 * every CPU can hang in the firmware, and a VMCS that is not VMCLEARed
 * may never reach memory (a crash dump would show stale contents).
 *
 * Orderly reboot, power-off, halt and kexec all call the reboot notifier
 * chain while the system still schedules: the notifier below turns VMX
 * off on every CPU by IPI (vmx_shutdown()). vCPU threads keep running
 * until the machine stops; they may be between two VMX instructions when
 * the IPI lands, so every VMX instruction has an exception fixup, and
 * vcpu.c refuses to enter a guest once the host is going down (RUN fails
 * with EIO).
 *
 * Panic, crash dump (kdump) and emergency restart stop the other CPUs by
 * NMI or the reboot vector and call the architecture's emergency
 * virtualization callback on each one, in a state where no lock can be
 * taken. Its one slot (cpu_emergency_register_virt_callback(), exported
 * GPL-only on both the Debian 6.1 and 6.12 kernels) holds ours while
 * shadowvm owns VMX. kvm_intel uses the same slot and registering over it
 * WARNs, so ours stays out while kvm is loaded: KVM's callback VMXOFFs a
 * CPU whenever CR4.VMXE is set, whoever set it, though it cannot VMCLEAR
 * shadowvm's VMCSs.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/reboot.h>
#include <linux/string.h>
#include <asm/reboot.h>

#include "vmx.h"

static DEFINE_MUTEX(emergency_lock);
static bool emergency_wanted;		/* shadowvm owns VMX */
static bool emergency_registered;	/* the slot holds our callback */

static void shutdown_emergency_cb(void)
{
	vmx_emergency_off_this_cpu();
}

/* Whether kvm.ko is loaded, and so may hold the callback slot. */
static bool kvm_loaded(void)
{
	if (!__symbol_get("kvm_rebooting"))
		return false;
	__symbol_put("kvm_rebooting");
	return true;
}

/* With emergency_lock held. */
static void emergency_try_register(bool check_kvm)
{
	if (emergency_registered || !emergency_wanted)
		return;
	if (check_kvm && kvm_loaded()) {
		pr_notice("kvm is loaded: its emergency callback turns VMX off on a crash; shadowvm's VMCSs are not VMCLEARed then\n");
		return;
	}
	cpu_emergency_register_virt_callback(shutdown_emergency_cb);
	emergency_registered = true;
}

static void emergency_drop(void)
{
	if (!emergency_registered)
		return;
	cpu_emergency_unregister_virt_callback(shutdown_emergency_cb);
	emergency_registered = false;
}

void shutdown_emergency_register(void)
{
	mutex_lock(&emergency_lock);
	emergency_wanted = true;
	emergency_try_register(true);
	mutex_unlock(&emergency_lock);
}

void shutdown_emergency_unregister(void)
{
	mutex_lock(&emergency_lock);
	emergency_wanted = false;
	emergency_drop();
	mutex_unlock(&emergency_lock);
}

/*
 * kvm_intel registers its callback while it initializes (6.1) or enables
 * virtualization (6.12): leave the slot to it before it runs, take it back
 * once kvm_intel has gone.
 */
static int shutdown_module_event(struct notifier_block *nb,
				 unsigned long state, void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, "kvm_intel"))
		return NOTIFY_DONE;
	mutex_lock(&emergency_lock);
	if (state == MODULE_STATE_COMING)
		emergency_drop();
	else if (state == MODULE_STATE_GOING)
		emergency_try_register(false);
	mutex_unlock(&emergency_lock);
	return NOTIFY_DONE;
}

static struct notifier_block shutdown_module_nb = {
	.notifier_call = shutdown_module_event,
};

static int shutdown_reboot(struct notifier_block *nb, unsigned long action,
			   void *cmd)
{
	unsigned int cpus = vmx_shutdown();

	if (cpus)
		pr_info("%s: VMX off on %u CPUs\n",
			action == SYS_RESTART ? "reboot" :
			action == SYS_POWER_OFF ? "power-off" : "halt", cpus);
	return NOTIFY_DONE;
}

static struct notifier_block shutdown_reboot_nb = {
	.notifier_call = shutdown_reboot,
};

int shutdown_module_init(void)
{
	int err;

	err = register_module_notifier(&shutdown_module_nb);
	if (err)
		return err;
	err = register_reboot_notifier(&shutdown_reboot_nb);
	if (err)
		unregister_module_notifier(&shutdown_module_nb);
	return err;
}

void shutdown_module_exit(void)
{
	unregister_reboot_notifier(&shutdown_reboot_nb);
	unregister_module_notifier(&shutdown_module_nb);
}
