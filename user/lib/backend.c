// SPDX-License-Identifier: GPL-2.0
/*
 * What both backends share: lookup by name, RUN timing, statistics
 * framing. See backend.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"

const struct vmb_ops *vmb_find(const char *name)
{
	if (!strcmp(name, vmb_shadowvm_ops.name))
		return &vmb_shadowvm_ops;
	if (!strcmp(name, vmb_kvm_ops.name))
		return &vmb_kvm_ops;
	return NULL;
}

int vmb_fail(struct vmb *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	return err;
}

int vmb_create(struct vmb *b, const struct vmb_ops *ops, void *ram,
	       uint64_t size)
{
	memset(b, 0, sizeof(*b));
	b->ops = ops;
	b->sys_fd = b->vm_fd = b->vcpu_fd = -1;
	return ops->create(b, ram, size);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + t.tv_nsec;
}

int vmb_run(struct vmb *b, struct vmb_exit *e)
{
	uint64_t t0 = now_ns();
	int ret = b->ops->run(b, e);

	/*
	 * Everything between entering and leaving the ioctl counts,
	 * including the hypervisor's own exit handling: that is the cost
	 * the comparison is about.
	 */
	b->run_ns += now_ns() - t0;
	b->runs++;
	return ret;
}

static void put_stat(struct vmb_stat *st, int *n, int max, const char *name,
		     uint64_t val)
{
	if (*n >= max)
		return;
	snprintf(st[*n].name, sizeof(st[*n].name), "%s", name);
	st[*n].val = val;
	(*n)++;
}

int vmb_stats(struct vmb *b, struct vmb_stat *st, int max)
{
	int n = b->ops->stats(b, st, max);

	if (n < 0)
		return n;
	put_stat(st, &n, max, "run_time_ns", b->run_ns);
	put_stat(st, &n, max, "run_calls", b->runs);
	return n;
}

void vmb_destroy(struct vmb *b)
{
	/* The backend unmaps its run area; the descriptors are alike. */
	if (b->ops)
		b->ops->destroy(b);
	b->ops = NULL;
	b->run = NULL;
	if (b->vcpu_fd >= 0)
		close(b->vcpu_fd);
	if (b->vm_fd >= 0)
		close(b->vm_fd);
	if (b->sys_fd >= 0)
		close(b->sys_fd);
	b->sys_fd = b->vm_fd = b->vcpu_fd = -1;
}
