/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Self-describing statistics: the stats fd of a VM or a vCPU
 * (SHADOWVM_GET_STATS_FD) and the same image in debugfs.
 *
 * A counter is a row in a descriptor table (stats.c) that says where the
 * value lives in the VM or vCPU object; userspace learns the names from
 * the descriptors, so adding a row needs no ABI change.
 */
#ifndef SHADOWVM_STATS_H
#define SHADOWVM_STATS_H

#include <linux/types.h>

struct file;
struct shvm_vm;
struct shvm_vcpu;

/*
 * Counters only one vCPU's thread writes (WRITE_ONCE, no atomics); the
 * stats fd reads them with READ_ONCE at any time.
 */
struct shvm_vcpu_stats {
	u64 runs;			/* SHADOWVM_RUN calls */
	u64 runs_interrupted;		/* ... ended by a signal or immediate_exit */
	u64 entries;			/* guest entries */
	u64 exits[SHADOWVM_STAT_NR];	/* this vCPU's share of the VM's counters */
};

static inline void shvm_stat_inc(u64 *counter)
{
	WRITE_ONCE(*counter, *counter + 1);
}

/* A new read-only stats fd that holds a reference on @vm. */
int shvm_stats_vm_fd(struct shvm_vm *vm);
/* A new read-only stats fd that holds @vcpu_file (and so the vCPU) open. */
int shvm_stats_vcpu_fd(struct shvm_vcpu *v, struct file *vcpu_file);

/*
 * The whole stats image of @vm (header, id, descriptors, values) for
 * debugfs: the caller holds a reference on @vm.
 */
struct shvm_stats_image;
struct shvm_stats_image *shvm_stats_vm_image(struct shvm_vm *vm);
/* Fill in the current values, then copy like a read at *@ppos. */
ssize_t shvm_stats_image_read(struct shvm_stats_image *img, char __user *buf,
			      size_t len, loff_t *ppos);
void shvm_stats_image_free(struct shvm_stats_image *img);
struct shvm_vm *shvm_stats_image_vm(struct shvm_stats_image *img);

/* Number, names and current values of @vm's counters (debugfs text files). */
unsigned int shvm_stats_vm_count(void);
const char *shvm_stats_vm_name(unsigned int i);
u64 shvm_stats_vm_value(struct shvm_vm *vm, unsigned int i);

#endif /* SHADOWVM_STATS_H */
