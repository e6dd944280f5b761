// SPDX-License-Identifier: GPL-2.0
/*
 * shadowvm: run guests in VMX non-root with EPT off, on shadow page tables.
 *
 * This file owns /dev/shadowvm and the system ioctls. Loading the module
 * does not touch VMX: the first VM takes it (vmx/vmx.c), so the module can
 * be loaded on any x86 machine and VM creation says why it cannot run.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <uapi/linux/shadowvm.h>

#include "vm.h"
#include "vcpu.h"
#include "debugfs.h"
#include "uapi_check.h"
#include "vmx/vmx.h"

long shvm_check_extension(unsigned long cap)
{
	switch (cap) {
	case SHADOWVM_CAP_NR_MEMSLOTS:
		return SHVM_MAX_MEMSLOTS;
	case SHADOWVM_CAP_MAX_VCPUS:
		return SHVM_MAX_VCPUS;
	case SHADOWVM_CAP_GUEST_MODES:
		return SHADOWVM_GUEST_MODE_LONG64 | SHADOWVM_GUEST_MODE_PAE |
		       SHADOWVM_GUEST_MODE_PAGED32 |
		       SHADOWVM_GUEST_MODE_UNPAGED;
	case SHADOWVM_CAP_READONLY_MEM:
		return 1;
	case SHADOWVM_CAP_STATS:
		return SHADOWVM_STATS_NR;
	case SHADOWVM_CAP_VMX:
		return vmx_available();
	case SHADOWVM_CAP_SHADOW_POOL:
		return SHVM_MIN_POOL_PAGES;
	case SHADOWVM_CAP_STATS_FD:
		return 1;
	}
	return 0;
}

static long dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case SHADOWVM_GET_API_VERSION:
		return arg ? -EINVAL : SHADOWVM_API_VERSION;
	case SHADOWVM_CHECK_EXTENSION:
		return shvm_check_extension(arg);
	case SHADOWVM_CREATE_VM:
		return arg ? -EINVAL : shvm_vm_create();
	case SHADOWVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : SHVM_VCPU_MMAP_SIZE;
	}
	return -ENOTTY;
}

static const struct file_operations dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice shadowvm_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "shadowvm",
	.fops = &dev_fops,
	.mode = 0660,
};

static int __init shadowvm_init(void)
{
	int err;

	shvm_uapi_check();
	if (!IS_ENABLED(CONFIG_X86_64))
		return -ENODEV;
	err = vmx_module_init();
	if (err)
		return err;
	shvm_debugfs_init();
	err = misc_register(&shadowvm_dev);
	if (err) {
		shvm_debugfs_exit();
		vmx_module_exit();
		return err;
	}
	pr_info("loaded; /dev/shadowvm ready (VMX %s)\n",
		vmx_available() ? "available" :
		vmx_in_use_elsewhere() ?
		"in use by another hypervisor: VMs fail with EBUSY until it lets go" :
		"not available on this CPU");
	return 0;
}

static void __exit shadowvm_exit(void)
{
	misc_deregister(&shadowvm_dev);
	shvm_debugfs_exit();
	vmx_module_exit();
}

module_init(shadowvm_init);
module_exit(shadowvm_exit);
MODULE_DESCRIPTION("VMX guests on Xen-style shadow page tables (EPT off)");
MODULE_LICENSE("GPL");
MODULE_VERSION(SHADOWVM_VERSION);
