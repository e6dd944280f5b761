/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin userspace layer over the shadowvm ioctls.
 *
 * Every function returns a non-negative result or -errno; nothing here
 * prints or exits, so the kselftests can check exact errors. This is the
 * only file that knows about /dev/shadowvm: a KVM backend replaces it and
 * reuses the loader (guest.h) and the device model (devices.h), which work
 * on the KVM-compatible register structures.
 */
#ifndef SHADOWVM_USER_LIB_H
#define SHADOWVM_USER_LIB_H

#include <stdint.h>
#include <linux/shadowvm.h>

#define SHADOWVM_DEV_PATH	"/dev/shadowvm"

/* open(/dev/shadowvm, O_RDWR | O_CLOEXEC) */
int svm_open_dev(void);
int svm_api_version(int fd);
/*
 * SHADOWVM_GET_VCPU_MMAP_SIZE: bytes to map of a vCPU fd. svm_open_dev()
 * asks once and svm_create_vcpu()/svm_unmap_run() use the answer.
 */
long svm_vcpu_mmap_size(int sys_fd);
long svm_check_extension(int fd, unsigned long cap);
/* Returns a VM fd. */
int svm_create_vm(int sys_fd);
int svm_set_region(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa,
		   uint64_t size, void *host);
int svm_delete_region(int vm_fd, uint32_t slot);
/* Deprecated SHADOWVM_GET_STATS; new code reads a stats fd (stats.h). */
int svm_get_stats(int vm_fd, struct shadowvm_stats *st);

/* Returns a vCPU fd; *run receives the mapped run area. */
int svm_create_vcpu(int vm_fd, unsigned long id, struct shadowvm_run **run);
int svm_unmap_run(struct shadowvm_run *run);
int svm_get_regs(int vcpu_fd, struct shadowvm_regs *r);
int svm_set_regs(int vcpu_fd, const struct shadowvm_regs *r);
int svm_get_sregs(int vcpu_fd, struct shadowvm_sregs *s);
int svm_set_sregs(int vcpu_fd, const struct shadowvm_sregs *s);
/* One SHADOWVM_RUN; 0 when run->exit_reason says why it stopped. */
int svm_run(int vcpu_fd);

/* Name of a statistic (enum shadowvm_stat) or NULL past the known ones. */
const char *svm_stat_name(unsigned int i);
/* Name of an exit reason, "UNKNOWN" for values this build does not know. */
const char *svm_exit_name(uint32_t reason);

#endif /* SHADOWVM_USER_LIB_H */
