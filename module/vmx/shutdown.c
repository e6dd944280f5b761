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
 * once the host is going down vcpu.c refuses to enter a guest or touch a
 * VMCS (RUN, GET/SET_REGS and GET/SET_SREGS fail with EIO) and vmx_get()
 * refuses new VMs (ESHUTDOWN).
 *
 * Panic, crash dump (kdump) and emergency restart stop the other CPUs by
 * NMI or the reboot vector and call the architecture's emergency
 * virtualization callback on each one, in a state where no lock can be
 * taken. There is one slot (cpu_emergency_register_virt_callback(),
 * exported GPL-only on both Debian kernels); registering into a full slot
 * WARNs and keeps the old callback, and an empty slot means no CPU leaves
 * VMX (6.12 even skips the NMI shootdown of an emergency restart). What
 * matters is who holds the slot, which differs per kernel (Kbuild's
 * SHVM_HAVE_KVM_LAZY_VIRT feature test tells them apart):
 *
 * - Lazy KVM (6.12: kvm_arch_enable_virtualization() exists): KVM fills
 *   the slot only while it holds VMX itself, which it cannot while
 *   shadowvm does (its VMXON sees CR4.VMXE and fails with EBUSY). So ours
 *   is in the slot whenever shadowvm owns VMX, except while kvm_intel is
 *   initializing: with enable_virt_at_load=1 its init registers KVM's
 *   callback, then fails to enable VMX; we stay out from its COMING until
 *   it is LIVE or GOING, so that load fails with EBUSY and no WARN. Left
 *   over: a KVM VM created (enable_virt_at_load=0) while shadowvm owns VMX
 *   hits KVM's WARN_ON_ONCE twice (register into our slot, then the
 *   unregister of a callback that is not KVM's); KVM_CREATE_VM fails with
 *   EBUSY and ours stays. Nothing tells us beforehand, so this cannot be
 *   avoided from here.
 * - Eager KVM (6.1, the stable backport of the callback): kvm_intel
 *   registers its callback in its module init and removes it in its exit,
 *   whether or not it uses VMX; kvm.ko alone registers nothing. So ours is
 *   in the slot exactly while kvm_intel is not loaded: the module notifier
 *   follows kvm_intel's COMING and GOING, and until it has seen one,
 *   /sys/module/kvm_intel tells whether kvm_intel was loaded before us.
 *   KVM's callback VMXOFFs any CPU with CR4.VMXE set, whoever set it, but
 *   cannot VMCLEAR shadowvm's VMCSs.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/notifier.h>
#include <linux/path.h>
#include <linux/reboot.h>
#include <linux/string.h>
#include <asm/reboot.h>

#include "vmx.h"

/* What the module notifier has seen of kvm_intel since shadowvm loaded. */
enum kvm_intel_seen {
	KVM_INTEL_UNSEEN,	/* nothing yet: it may have come before us */
	KVM_INTEL_COMING,	/* its module init runs */
	KVM_INTEL_LIVE,
	KVM_INTEL_GONE,
};

static DEFINE_MUTEX(emergency_lock);
static bool emergency_wanted;		/* shadowvm owns VMX */
static bool emergency_registered;	/* the slot holds our callback */
static enum kvm_intel_seen kvm_intel_seen;

static void shutdown_emergency_cb(void)
{
	vmx_emergency_off_this_cpu();
}

#ifdef SHVM_HAVE_KVM_LAZY_VIRT
/*
 * KVM's callback is in the slot only while KVM holds VMX, never while we
 * do; only kvm_intel's init (enable_virt_at_load=1) may briefly put it
 * there, and then fail.
 */
static bool kvm_may_hold_slot(void)
{
	return kvm_intel_seen == KVM_INTEL_COMING;
}

static void kvm_slot_notice(void)
{
	pr_warn_once("kvm_intel is loading: no CPU leaves VMX on a crash until it has loaded or failed\n");
}
#else
/*
 * kvm_intel exports no symbol to look for; its sysfs directory exists
 * from just after its COMING to just after its GOING. Resolved in the
 * caller's mount namespace: without /sys there, it counts as not loaded.
 */
static bool kvm_intel_in_sysfs(void)
{
	struct path path;

	if (kern_path("/sys/module/kvm_intel", 0, &path))
		return false;
	path_put(&path);
	return true;
}

/* kvm_intel's callback is in the slot from its init to its exit. */
static bool kvm_may_hold_slot(void)
{
	if (kvm_intel_seen == KVM_INTEL_UNSEEN)
		return kvm_intel_in_sysfs();
	return kvm_intel_seen != KVM_INTEL_GONE;
}

static void kvm_slot_notice(void)
{
	pr_notice_once("kvm_intel is loaded: its emergency callback turns VMX off on a crash; shadowvm's VMCSs are not VMCLEARed then\n");
}
#endif

/* With emergency_lock held. */
static void emergency_try_register(void)
{
	if (emergency_registered || !emergency_wanted)
		return;
	if (kvm_may_hold_slot()) {
		kvm_slot_notice();
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
	emergency_try_register();
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
 * Leave the slot to kvm_intel's init (which may register KVM's callback),
 * take it back once KVM's cannot be there: on a lazy-KVM kernel when the
 * init is over, whatever its outcome; otherwise once kvm_intel has gone
 * (GOING comes after its exit, or after its init failed).
 */
static int shutdown_module_event(struct notifier_block *nb,
				 unsigned long state, void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, "kvm_intel"))
		return NOTIFY_DONE;
	mutex_lock(&emergency_lock);
	switch (state) {
	case MODULE_STATE_COMING:
		kvm_intel_seen = KVM_INTEL_COMING;
		emergency_drop();
		break;
	case MODULE_STATE_LIVE:
		kvm_intel_seen = KVM_INTEL_LIVE;
		break;
	case MODULE_STATE_GOING:
		kvm_intel_seen = KVM_INTEL_GONE;
		break;
	}
	emergency_try_register();
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
