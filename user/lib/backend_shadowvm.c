// SPDX-License-Identifier: GPL-2.0
/*
 * The shadowvm backend: the ioctl layer of shadowvm.c behind the
 * interface of backend.h. shadowvm's exit reasons are the common ones,
 * so exits translate field by field.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "shadowvm.h"
#include "stats.h"

static const char *create_vm_hint(int err)
{
	switch (err) {
	case -EBUSY:
		return " (another hypervisor, e.g. kvm_intel, owns VMX: rmmod kvm_intel; the kernel log says more)";
	case -EOPNOTSUPP:
		return " (this CPU has no usable VMX)";
	default:
		return "";
	}
}

static int svmb_create(struct vmb *b, void *ram, uint64_t size)
{
	int err;

	b->sys_fd = svm_open_dev();
	if (b->sys_fd < 0)
		return vmb_fail(b, b->sys_fd, "%s: %s%s", SHADOWVM_DEV_PATH,
				strerror(-b->sys_fd),
				b->sys_fd == -ENOENT ? " (is shadowvm.ko loaded?)" : "");
	err = svm_api_version(b->sys_fd);
	if (err != SHADOWVM_API_VERSION)
		return vmb_fail(b, -EPROTO, "module API version %d, expected %d%s",
				err, SHADOWVM_API_VERSION,
				err == -ENOTTY ? " (a shadowvm.ko older than API version 2?)" : "");
	b->run_size = svm_vcpu_mmap_size(b->sys_fd);
	if (b->run_size < (long)sizeof(struct shadowvm_run))
		return vmb_fail(b, b->run_size < 0 ? b->run_size : -EPROTO,
				"GET_VCPU_MMAP_SIZE: %ld", b->run_size);
	b->vm_fd = svm_create_vm(b->sys_fd);
	if (b->vm_fd < 0)
		return vmb_fail(b, b->vm_fd, "CREATE_VM: %s%s",
				strerror(-b->vm_fd), create_vm_hint(b->vm_fd));
	err = svm_set_region(b->vm_fd, 0, 0, 0, size, ram);
	if (err)
		return vmb_fail(b, err, "SET_MEMORY_REGION (%llu bytes): %s%s",
				(unsigned long long)size, strerror(-err),
				err == -ENOMEM || err == -EPERM ?
				" (RLIMIT_MEMLOCK too small? try ulimit -l)" : "");
	b->vcpu_fd = svm_create_vcpu(b->vm_fd, 0,
				     (struct shadowvm_run **)&b->run);
	if (b->vcpu_fd < 0)
		return vmb_fail(b, b->vcpu_fd, "CREATE_VCPU: %s",
				strerror(-b->vcpu_fd));
	return 0;
}

static int svmb_set_state(struct vmb *b, const struct shadowvm_sregs *s,
			  const struct shadowvm_regs *r)
{
	int err = svm_set_sregs(b->vcpu_fd, s);

	if (!err)
		err = svm_set_regs(b->vcpu_fd, r);
	if (err)
		return vmb_fail(b, err, "setting the entry state: %s",
				strerror(-err));
	return 0;
}

static int svmb_get_regs(struct vmb *b, struct shadowvm_regs *r)
{
	return svm_get_regs(b->vcpu_fd, r);
}

static int svmb_get_sregs(struct vmb *b, struct shadowvm_sregs *s)
{
	return svm_get_sregs(b->vcpu_fd, s);
}

static int svmb_run(struct vmb *b, struct vmb_exit *e)
{
	struct shadowvm_run *run = b->run;
	int err = svm_run(b->vcpu_fd);

	if (err)
		return vmb_fail(b, err, "RUN: %s", strerror(-err));
	memset(e, 0, sizeof(*e));
	e->reason = run->exit_reason;
	e->raw_reason = run->exit_reason;
	switch (run->exit_reason) {
	case SHADOWVM_EXIT_IO:
		if (run->io.data_offset + (uint64_t)run->io.size * run->io.count >
		    (uint64_t)b->run_size)
			return vmb_fail(b, -EFAULT, "IO exit data outside the run page");
		e->io.out = run->io.direction == SHADOWVM_EXIT_IO_OUT;
		e->io.size = run->io.size;
		e->io.port = run->io.port;
		e->io.count = run->io.count;
		e->io.data = (uint8_t *)run + run->io.data_offset;
		break;
	case SHADOWVM_EXIT_MMIO:
		e->mmio.addr = run->mmio.phys_addr;
		e->mmio.len = run->mmio.len;
		e->mmio.is_write = run->mmio.is_write;
		e->mmio.data = run->mmio.data;
		break;
	case SHADOWVM_EXIT_FAIL_ENTRY:
		e->fail_entry.reason = run->fail_entry.hardware_entry_failure_reason;
		e->fail_entry.cpu = run->fail_entry.cpu;
		break;
	case SHADOWVM_EXIT_INTERNAL_ERROR:
		e->internal.suberror = run->internal.suberror;
		e->internal.ndata = run->internal.ndata > 16 ? 16 : run->internal.ndata;
		memcpy(e->internal.data, run->internal.data,
		       e->internal.ndata * sizeof(e->internal.data[0]));
		break;
	case SHADOWVM_EXIT_HLT:
	case SHADOWVM_EXIT_SHUTDOWN:
	case SHADOWVM_EXIT_INTR:
		break;
	default:
		e->reason = VMB_EXIT_OTHER;
		break;
	}
	return 0;
}

/* Append the counters of the stats fd of @fd, names prefixed by @prefix. */
static int add_stats_fd(struct vmb *b, int fd, const char *prefix,
			struct vmb_stat *st, int n, int max)
{
	struct svm_stats s;
	uint32_t i;
	int err, sfd = svm_get_stats_fd(fd);

	if (sfd < 0)
		return vmb_fail(b, sfd, "GET_STATS_FD: %s", strerror(-sfd));
	err = svm_stats_open(&s, sfd);
	if (!err)
		err = svm_stats_read(&s);
	if (err) {
		svm_stats_close(&s);
		return vmb_fail(b, err, "reading the stats fd: %s", strerror(-err));
	}
	for (i = 0; i < s.num_desc && n < max; i++, n++) {
		snprintf(st[n].name, sizeof(st[n].name), "%s%s", prefix,
			 s.desc[i].name);
		st[n].val = svm_stats_value(&s, i);
	}
	svm_stats_close(&s);
	return n;
}

/* The VM's counters by their names, then vCPU 0's as "vcpu0.NAME". */
static int svmb_stats(struct vmb *b, struct vmb_stat *st, int max)
{
	int n = add_stats_fd(b, b->vm_fd, "", st, 0, max);

	if (n >= 0)
		n = add_stats_fd(b, b->vcpu_fd, "vcpu0.", st, n, max);
	return n;
}

static const char *svmb_suberror_name(uint32_t suberror)
{
	switch (suberror) {
	case SHADOWVM_INTERNAL_ERROR_EMULATION:
		return "exit not handled";
	case SHADOWVM_INTERNAL_ERROR_SHADOW:
		return "shadow pool exhausted";
	case SHADOWVM_INTERNAL_ERROR_DELIVERY:
		return "event delivery failed";
	default:
		return "unknown";
	}
}

static void svmb_destroy(struct vmb *b)
{
	if (b->run)
		svm_unmap_run(b->run);
}

const struct vmb_ops vmb_shadowvm_ops = {
	.name = "shadowvm",
	.create = svmb_create,
	.set_state = svmb_set_state,
	.get_regs = svmb_get_regs,
	.get_sregs = svmb_get_sregs,
	.run = svmb_run,
	.stats = svmb_stats,
	.exit_name = svm_exit_name,
	.suberror_name = svmb_suberror_name,
	.destroy = svmb_destroy,
};
