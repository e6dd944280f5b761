// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory accesses the hardware could not complete and shadowvm
 * must carry out itself: MMIO (guest-physical addresses outside every
 * slot, writes to read-only slots), which crosses to userspace, and writes
 * to guest page tables that the shadow pager keeps write-protected, which
 * are executed here with every store going through the pager so that it
 * updates the shadows in place. Both fetch the instruction through the
 * guest's page tables and decode it with module/emulate.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/kernel.h>
#include <linux/mm.h>

#include "../vcpu.h"
#include "guest.h"

/*
 * Read up to @len instruction bytes at guest RIP through the guest's
 * tables. Returns how many bytes were read; when that is fewer than @len,
 * err says why (-EFAULT: fault_pfec and fault_addr describe the #PF).
 */
static unsigned int fetch_instruction(struct shvm_vcpu *v, unsigned int cpl,
				      u8 *buf, unsigned int len, int *err,
				      u32 *fault_pfec, u64 *fault_addr)
{
	struct shvm_vm *vm = v->vm;
	struct guest_paging gp;
	unsigned int done = 0;
	u32 access = PFEC_FETCH;

	*err = 0;
	shvm_vcpu_guest_paging(v, &gp);
	/* CPL is CS.RPL in long mode; SS.DPL would do too. */
	if (cpl == 3)
		access |= PFEC_USER;
	mutex_lock(&vm->mmu_lock);
	while (done < len) {
		u64 addr = v->rip + done, gpa;
		unsigned int chunk = min_t(unsigned int, len - done,
					   PAGE_SIZE - offset_in_page(addr));
		bool writable;
		struct page *page;

		*err = shadow_translate(&vm->mmu, &gp, addr, access, &gpa,
					fault_pfec);
		if (*err) {
			*fault_addr = addr;
			break;
		}
		page = shvm_gfn_to_page(vm, gpa >> PAGE_SHIFT, &writable);
		if (!page) {
			/* Executing from MMIO: nothing we can emulate. */
			*err = -EOPNOTSUPP;
			break;
		}
		memcpy(buf + done, page_address(page) + offset_in_page(gpa),
		       chunk);
		done += chunk;
	}
	mutex_unlock(&vm->mmu_lock);
	return done;
}

/* The mode the instruction at the exit was fetched in (CS.L, CS.D). */
static enum emul_mode insn_mode(const struct shvm_vcpu *v,
				const struct vmx_exit *e)
{
	if (v->efer & EFER_LMA && e->cs_ar & BIT(13))
		return EMUL_MODE_64;
	return e->cs_ar & BIT(14) ? EMUL_MODE_32 : EMUL_MODE_16;
}

int vmx_handle_mmio(struct shvm_vcpu *v, const struct vmx_exit *e,
		    const struct shadow_fault *f)
{
	struct shadowvm_run *run = v->run;
	u8 insn[EMUL_MAX_INSN_LEN];
	unsigned int len;
	int err, fetch_err;
	bool store;
	u32 pfec;
	u64 addr;

	/*
	 * The instruction may end just before an unmapped page: only a
	 * decode that needs the missing bytes turns the fetch fault into the
	 * guest's #PF.
	 */
	len = fetch_instruction(v, e->cpl, insn, sizeof(insn), &fetch_err,
				&pfec, &addr);
	err = emul_decode(insn, len, insn_mode(v, e), &v->mmio_insn);
	if (err == -ENODATA && fetch_err == -EFAULT)
		return vmx_inject_page_fault(v, e, addr, pfec);
	store = v->mmio_insn.op == EMUL_OP_STORE;
	/* Only plain loads and stores can cross to userspace as MMIO. */
	if (err || (v->mmio_insn.op != EMUL_OP_LOAD && !store) ||
	    f->write != store)
		return vmx_exit_internal(v, SHADOWVM_INTERNAL_ERROR_EMULATION, e);

	memset(&run->mmio, 0, sizeof(run->mmio));
	run->exit_reason = SHADOWVM_EXIT_MMIO;
	run->mmio.phys_addr = f->gpa;
	run->mmio.len = v->mmio_insn.size;
	run->mmio.is_write = f->write;
	if (f->write) {
		u64 val = emul_write_value(&v->mmio_insn, v->regs);

		memcpy(run->mmio.data, &val, run->mmio.len);
	} else {
		v->pending = SHVM_PENDING_MMIO_READ;
	}
	v->rip += v->mmio_insn.len;
	return 1;
}

/* One emulated instruction's view of guest linear memory. */
struct access_ctx {
	struct shvm_vcpu *v;
	struct guest_paging gp;
	u32 user;		/* PFEC_USER when the guest runs at CPL 3 */
	bool faulted;		/* a translation said: guest #PF */
	u32 fault_pfec;
	u64 fault_addr;
};

static int access_translate(struct access_ctx *c, u64 la, u32 access,
			    u64 *gpa)
{
	int err = shadow_translate(&c->v->vm->mmu, &c->gp, la,
				   access | c->user, gpa, &c->fault_pfec);

	if (err == -EFAULT) {
		c->faulted = true;
		c->fault_addr = la;
	}
	return err;
}

/*
 * Translate both pages of an access that may cross a page boundary before
 * touching either, so a fault on the second leaves memory unchanged.
 */
static int access_map(struct access_ctx *c, u64 la, unsigned int len,
		      u32 access, u64 gpa[2], unsigned int *first)
{
	int err;

	*first = min_t(unsigned int, len, PAGE_SIZE - offset_in_page(la));
	err = access_translate(c, la, access, &gpa[0]);
	if (!err && *first < len)
		err = access_translate(c, la + *first, access, &gpa[1]);
	return err;
}

static int read_gpa(struct access_ctx *c, u64 gpa, void *buf,
		    unsigned int len)
{
	struct page *page;
	bool writable;

	page = shvm_gfn_to_page(c->v->vm, gpa >> PAGE_SHIFT, &writable);
	if (!page)
		return -EOPNOTSUPP;	/* MMIO inside a read-modify-write */
	memcpy(buf, page_address(page) + offset_in_page(gpa), len);
	return 0;
}

static int access_read(void *opaque, u64 la, void *buf, unsigned int len)
{
	struct access_ctx *c = opaque;
	unsigned int first;
	u64 gpa[2];
	int err;

	err = access_map(c, la, len, 0, gpa, &first);
	if (!err)
		err = read_gpa(c, gpa[0], buf, first);
	if (!err && first < len)
		err = read_gpa(c, gpa[1], buf + first, len - first);
	return err;
}

static int access_write(void *opaque, u64 la, const void *buf,
			unsigned int len)
{
	struct access_ctx *c = opaque;
	struct shadow_mmu *mmu = &c->v->vm->mmu;
	unsigned int first;
	u64 gpa[2];
	int err;

	err = access_map(c, la, len, PFEC_WRITE, gpa, &first);
	if (!err)
		err = shadow_write_guest(mmu, &c->gp, gpa[0], buf, first);
	if (!err && first < len)
		err = shadow_write_guest(mmu, &c->gp, gpa[1], buf + first,
					 len - first);
	return err;
}

static int access_cmpxchg(void *opaque, u64 la, const void *old,
			  const void *new, unsigned int len)
{
	struct access_ctx *c = opaque;
	unsigned int first;
	u64 gpa[2];
	int err;

	err = access_map(c, la, len, PFEC_WRITE, gpa, &first);
	if (err)
		return err;
	/* A locked access split across pages: leave it to the hardware. */
	if (first < len)
		return -EOPNOTSUPP;
	return shadow_cmpxchg_guest(&c->v->vm->mmu, &c->gp, gpa[0], old, new,
				    len);
}

static const struct emul_mem_ops access_ops = {
	.read = access_read,
	.write = access_write,
	.cmpxchg = access_cmpxchg,
};

/* VMCS base fields in enum emul_seg order. */
static const unsigned long seg_base_field[EMUL_NR_SEGS] = {
	GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE, GUEST_DS_BASE,
	GUEST_FS_BASE, GUEST_GS_BASE,
};

/* REP iterations per exit: bounds the time spent with the MMU lock held. */
#define PT_WRITE_MAX_REP	64

/*
 * Give up emulating: stop shadowing the frame, so the guest's retry of
 * the instruction writes it directly.
 */
static int pt_write_fallback(struct shvm_vcpu *v, const struct vmx_exit *e,
			     u64 gpa)
{
	mutex_lock(&v->vm->mmu_lock);
	shadow_unshadow_gfn(&v->vm->mmu, gpa >> PAGE_SHIFT);
	mutex_unlock(&v->vm->mmu_lock);
	vmx_requeue_vectoring_event(v, e);
	return 0;
}

int vmx_handle_pt_write(struct shvm_vcpu *v, const struct vmx_exit *e,
			const struct shadow_fault *f)
{
	struct access_ctx c = { .v = v, .user = e->cpl == 3 ? PFEC_USER : 0 };
	u8 insn[EMUL_MAX_INSN_LEN];
	struct emul_cpu cpu = {};
	struct emul_insn in;
	unsigned int len, i;
	int err, fetch_err;
	u32 pfec;
	u64 addr;

	/* An event delivery (a push onto the stack) wrote the table. */
	if (e->vectoring_info & VECTORING_INFO_VALID_MASK)
		return pt_write_fallback(v, e, f->gpa);
	len = fetch_instruction(v, e->cpl, insn, sizeof(insn), &fetch_err,
				&pfec, &addr);
	err = emul_decode(insn, len, insn_mode(v, e), &in);
	if (err == -ENODATA && fetch_err == -EFAULT)
		return vmx_inject_page_fault(v, e, addr, pfec);
	if (err)
		return pt_write_fallback(v, e, f->gpa);

	shvm_vcpu_guest_paging(v, &c.gp);
	memcpy(cpu.regs, v->regs, sizeof(cpu.regs));
	cpu.rip = v->rip;
	cpu.rflags = v->rflags;
	/* In 64-bit mode only FS and GS bases count; fill all the same. */
	for (i = 0; i < EMUL_NR_SEGS; i++)
		cpu.seg_base[i] = shvm_vcpu_vmcs_read(v, seg_base_field[i]);

	mutex_lock(&v->vm->mmu_lock);
	err = emul_execute(&in, &cpu, &access_ops, &c, PT_WRITE_MAX_REP);
	mutex_unlock(&v->vm->mmu_lock);

	/* Completed REP iterations stand even when a later one failed. */
	memcpy(v->regs, cpu.regs, sizeof(v->regs));
	v->rip = cpu.rip;
	v->rflags = cpu.rflags;
	if (c.faulted)
		return vmx_inject_page_fault(v, e, c.fault_addr,
					     c.fault_pfec);
	if (err < 0)
		return pt_write_fallback(v, e, f->gpa);
	return 0;
}
