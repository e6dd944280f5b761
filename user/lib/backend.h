/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The launcher's VM/vCPU layer, one implementation per hypervisor:
 * shadowvm (/dev/shadowvm, backend_shadowvm.c) and KVM (/dev/kvm, kvm.c).
 *
 * The loader (guest.h) fills KVM-compatible struct shadowvm_regs/sregs
 * and the device model (devices.h) works on (port, size, data), so only
 * this layer differs between the two: it creates one VM with guest RAM
 * at guest-physical 0 and one vCPU, sets the entry state, runs, and
 * translates the hypervisor's exits into struct vmb_exit. Exit reasons
 * use the shadowvm numbers (enum shadowvm_exit_reason) as the common
 * vocabulary; VMB_EXIT_OTHER carries anything else.
 *
 * Functions return 0 (or a non-negative result) or -errno. When they fail
 * they leave a message for the user in vmb->err, so that hints that only
 * one backend knows (kvm_intel loaded with ept=1, shadowvm.ko missing)
 * reach the user without the caller knowing about them.
 */
#ifndef SHADOWVM_USER_BACKEND_H
#define SHADOWVM_USER_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/shadowvm.h>

#define VMB_EXIT_OTHER	0x100	/* reason the common set has no name for */

struct vmb_exit {
	uint32_t reason;	/* SHADOWVM_EXIT_* or VMB_EXIT_OTHER */
	uint32_t raw_reason;	/* the backend's own exit reason */
	union {
		struct {
			bool out;
			uint8_t size;		/* 1, 2 or 4 */
			uint16_t port;
			uint32_t count;
			uint8_t *data;		/* count * size bytes in the run page */
		} io;
		struct {
			uint64_t addr;
			uint32_t len;
			bool is_write;
			uint8_t *data;		/* 8 bytes in the run page */
		} mmio;
		struct {
			uint64_t reason;
			uint32_t cpu;
		} fail_entry;
		struct {
			uint32_t suberror;
			uint32_t ndata;
			uint64_t data[16];
		} internal;
	};
};

/* One statistic by name, as --stats prints it. */
struct vmb_stat {
	char name[64];
	uint64_t val;
};

struct vmb;

struct vmb_ops {
	const char *name;		/* "shadowvm", "kvm" */
	/* Open the device, make the VM with @size bytes of RAM at 0 and vCPU 0. */
	int (*create)(struct vmb *b, void *ram, uint64_t size);
	int (*set_state)(struct vmb *b, const struct shadowvm_sregs *s,
			 const struct shadowvm_regs *r);
	int (*get_regs)(struct vmb *b, struct shadowvm_regs *r);
	int (*get_sregs)(struct vmb *b, struct shadowvm_sregs *s);
	/* One RUN; on 0, @e says why it stopped. */
	int (*run)(struct vmb *b, struct vmb_exit *e);
	/*
	 * Up to @max statistics of the live VM into @st, the names shadowvm
	 * prints first; returns how many.
	 */
	int (*stats)(struct vmb *b, struct vmb_stat *st, int max);
	const char *(*exit_name)(uint32_t raw_reason);
	const char *(*suberror_name)(uint32_t suberror);
	void (*destroy)(struct vmb *b);
};

struct vmb {
	const struct vmb_ops *ops;
	int sys_fd, vm_fd, vcpu_fd;
	void *run;			/* mapped run page (area) */
	long run_size;
	uint64_t run_ns;		/* host time inside RUN, CLOCK_MONOTONIC */
	uint64_t runs;			/* RUN calls */
	char err[512];			/* why the last call failed */
};

extern const struct vmb_ops vmb_shadowvm_ops;
extern const struct vmb_ops vmb_kvm_ops;

/* The ops of backend @name ("shadowvm", "kvm"), NULL if unknown. */
const struct vmb_ops *vmb_find(const char *name);

/* Set up @b for @ops and create the VM; on error b->err says why. */
int vmb_create(struct vmb *b, const struct vmb_ops *ops, void *ram,
	       uint64_t size);
/* One RUN through the backend, adding the time spent to b->run_ns. */
int vmb_run(struct vmb *b, struct vmb_exit *e);
/*
 * The backend's statistics followed by run_time_ns and runs; returns
 * how many were stored (at most @max) or -errno.
 */
int vmb_stats(struct vmb *b, struct vmb_stat *st, int max);
void vmb_destroy(struct vmb *b);

/* printf into b->err; returns @err so callers can "return vmb_fail(...)". */
int vmb_fail(struct vmb *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* SHADOWVM_USER_BACKEND_H */
