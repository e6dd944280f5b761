/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU objects.
 */
#ifndef SHADOWVM_VCPU_H
#define SHADOWVM_VCPU_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <uapi/linux/shadowvm.h>

#include "vm.h"
#include "stats.h"
#include "vmx/vmx.h"
#include "emulate/emulate.h"

/*
 * Bytes of the vCPU fd's mmap area (SHADOWVM_GET_VCPU_MMAP_SIZE): the run
 * structure and the data of I/O exits. Allocated as one page today.
 */
#define SHVM_VCPU_MMAP_SIZE	PAGE_SIZE

/* Bits in shvm_vcpu.requests, handled before the next guest entry. */
#define SHVM_REQ_TLB_FLUSH	0	/* flush all guest translations */
#define SHVM_REQ_TLB_FLUSH_NONGLOBAL 1	/* guest CR3 load */

/* What the next RUN must finish before entering the guest. */
enum shvm_pending {
	SHVM_PENDING_NONE,
	SHVM_PENDING_IO_IN,	/* copy run page data into RAX */
	SHVM_PENDING_MMIO_READ,	/* copy run->mmio.data into a register */
};

/* An event to inject at the next entry (VM-entry interruption info). */
struct shvm_event {
	bool valid;
	u32 info;
	u32 error_code;
	u32 insn_len;
};

struct shvm_vcpu {
	struct shvm_vm *vm;
	unsigned int id;
	struct mutex lock;		/* one ioctl at a time */
	struct shadowvm_run *run;	/* shared with userspace by mmap */
	struct vmx_vmcs vmcs;
	unsigned long requests;		/* SHVM_REQ_* */
	bool in_guest;			/* between request check and exit */

	/* Guest state kept in software (the rest lives in the VMCS). */
	u64 regs[VCPU_NR_REGS];		/* RSP mirrors GUEST_RSP */
	u64 rip, rflags;
	u64 cr0, cr2, cr3, cr4, cr8, efer;
	u64 pdpte[4];			/* PAE paging: loaded at CR3 (SDM 4.4.1) */
	u64 kernel_gs_base;
	u64 star, lstar, cstar, sfmask, pat;
	struct shvm_event event;
	bool sregs_set;			/* SET_SREGS succeeded once */
	bool paging_dirty;		/* CR0/CR4/EFER to write to the VMCS */

	struct shadow_vcpu shadow;
	struct shvm_vcpu_stats stat;
	enum shvm_pending pending;
	u8 pending_io_size;
	struct emul_insn mmio_insn;

	/* Guest x87/SSE state, swapped with FXSAVE/FXRSTOR around entry. */
	u8 fxsave[512] __aligned(16);
};

int shvm_vcpu_create(struct shvm_vm *vm, unsigned long id);
/* The paging state the shadow pager needs, from the guest's view. */
void shvm_vcpu_guest_paging(struct shvm_vcpu *v, struct guest_paging *gp);
/*
 * PAE paging is (or stays) in use after a CR0/CR3/CR4 write or SET_SREGS:
 * read the PDPTEs at @cr3 into v->pdpte as the processor does. -EINVAL
 * (nothing loaded) when a present one has reserved bits: the guest gets
 * #GP.
 */
int shvm_vcpu_load_pdptes(struct shvm_vcpu *v, u64 cr3);
/* VMCS access from preemptible context (makes the VMCS current). */
u64 shvm_vcpu_vmcs_read(struct shvm_vcpu *v, unsigned long field);
void shvm_vcpu_vmcs_write(struct shvm_vcpu *v, unsigned long field, u64 val);
/* Kick @v out of the guest so it sees a request; may sleep. */
void shvm_vcpu_kick(struct shvm_vcpu *v);

#endif /* SHADOWVM_VCPU_H */
