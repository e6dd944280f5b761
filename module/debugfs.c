// SPDX-License-Identifier: GPL-2.0
/*
 * One debugfs directory per VM, /sys/kernel/debug/shadowvm/<pid>-<id>/:
 *   stats      the VM's stats image, the same bytes as its stats fd
 *   <counter>  one text file per VM counter ("%llu\n"), named as in the
 *              stats descriptors
 *
 * Lifetime: the directory goes when the VM is destroyed (its last
 * reference). A reader can race with that: opening a file takes a VM
 * reference with shvm_vm_tryget(), which fails once the count is zero,
 * as its last step: an open never drops a reference, since dropping the
 * last one would remove the directory, which waits for this very open.
 * debugfs's proxy file operations make debugfs_remove_recursive() wait
 * for an open that is in progress, so the VM (and the i_private pointers
 * into it) stays valid until the open has either got its reference or
 * failed. An open file keeps the VM alive; its release (which debugfs
 * calls even after removal) uses only file->private_data and drops the
 * reference, possibly destroying the VM.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vm.h"
#include "stats.h"
#include "debugfs.h"

/* i_private of a counter file: the VM and which counter. */
struct shvm_debugfs_file {
	struct shvm_vm *vm;
	unsigned int index;
};

static struct dentry *debugfs_root;

static int stats_open(struct inode *inode, struct file *file)
{
	struct shvm_vm *vm = inode->i_private;
	struct shvm_stats_image *img;

	/*
	 * Allocate before taking the reference: a put here could be the
	 * last one, and destroying the VM removes this directory, which
	 * waits for this open to finish.
	 */
	img = shvm_stats_vm_image(vm);
	if (!img)
		return -ENOMEM;
	if (!shvm_vm_tryget(vm)) {
		shvm_stats_image_free(img);
		return -ENOENT;
	}
	file->private_data = img;
	return 0;
}

static ssize_t stats_read(struct file *file, char __user *buf, size_t len,
			  loff_t *ppos)
{
	return shvm_stats_image_read(file->private_data, buf, len, ppos);
}

static int stats_release(struct inode *inode, struct file *file)
{
	struct shvm_stats_image *img = file->private_data;
	/* Not inode->i_private: it may be gone after removal. */
	struct shvm_vm *vm = shvm_stats_image_vm(img);

	shvm_stats_image_free(img);
	shvm_vm_put(vm);
	return 0;
}

static const struct file_operations stats_fops = {
	.owner = THIS_MODULE,
	.open = stats_open,
	.read = stats_read,
	.release = stats_release,
	.llseek = default_llseek,
};

static int counter_show(struct seq_file *m, void *unused)
{
	struct shvm_debugfs_file *f = m->private;

	seq_printf(m, "%llu\n", shvm_stats_vm_value(f->vm, f->index));
	return 0;
}

static int counter_open(struct inode *inode, struct file *file)
{
	struct shvm_debugfs_file *f = inode->i_private;
	int err;

	/* single_open() first: no reference to drop (see stats_open()). */
	err = single_open(file, counter_show, f);
	if (err)
		return err;
	if (!shvm_vm_tryget(f->vm)) {
		single_release(inode, file);
		return -ENOENT;
	}
	return 0;
}

static int counter_release(struct inode *inode, struct file *file)
{
	struct shvm_debugfs_file *f = ((struct seq_file *)file->private_data)->private;
	struct shvm_vm *vm = f->vm;	/* f lives in the VM: read it first */

	single_release(inode, file);
	shvm_vm_put(vm);
	return 0;
}

static const struct file_operations counter_fops = {
	.owner = THIS_MODULE,
	.open = counter_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = counter_release,
};

void shvm_debugfs_vm_add(struct shvm_vm *vm)
{
	unsigned int i, n = shvm_stats_vm_count();
	char name[32];

	if (IS_ERR_OR_NULL(debugfs_root))
		return;
	vm->debugfs_files = kcalloc(n, sizeof(*vm->debugfs_files),
				    GFP_KERNEL_ACCOUNT);
	if (!vm->debugfs_files)
		return;
	snprintf(name, sizeof(name), "%d-%u", vm->pid, vm->id);
	vm->debugfs = debugfs_create_dir(name, debugfs_root);
	if (IS_ERR(vm->debugfs)) {
		pr_notice_ratelimited("debugfs directory %s: error %ld\n", name,
				      PTR_ERR(vm->debugfs));
		kfree(vm->debugfs_files);
		vm->debugfs_files = NULL;
		vm->debugfs = NULL;
		return;
	}
	debugfs_create_file("stats", 0444, vm->debugfs, vm, &stats_fops);
	for (i = 0; i < n; i++) {
		vm->debugfs_files[i].vm = vm;
		vm->debugfs_files[i].index = i;
		debugfs_create_file(shvm_stats_vm_name(i), 0444, vm->debugfs,
				    &vm->debugfs_files[i], &counter_fops);
	}
}

void shvm_debugfs_vm_remove(struct shvm_vm *vm)
{
	debugfs_remove_recursive(vm->debugfs);
	vm->debugfs = NULL;
	kfree(vm->debugfs_files);
	vm->debugfs_files = NULL;
}

void shvm_debugfs_init(void)
{
	debugfs_root = debugfs_create_dir("shadowvm", NULL);
}

void shvm_debugfs_exit(void)
{
	debugfs_remove_recursive(debugfs_root);
	debugfs_root = NULL;
}
