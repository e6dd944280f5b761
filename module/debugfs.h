/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /sys/kernel/debug/shadowvm/<pid>-<id>/: one directory per VM, so tools
 * (shadowvm-stat) can list the VMs that exist and read their counters.
 */
#ifndef SHADOWVM_DEBUGFS_H
#define SHADOWVM_DEBUGFS_H

struct shvm_vm;

void shvm_debugfs_init(void);
void shvm_debugfs_exit(void);
/* Failures only cost the directory: debugfs is optional. */
void shvm_debugfs_vm_add(struct shvm_vm *vm);
/* Waits for readers inside debugfs calls; open files hold a reference. */
void shvm_debugfs_vm_remove(struct shvm_vm *vm);

#endif /* SHADOWVM_DEBUGFS_H */
