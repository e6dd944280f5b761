// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory accesses the hardware could not complete and shadowvm
 * must carry out itself: MMIO (guest-physical addresses outside every
 * slot, writes to read-only slots), which crosses to userspace, and writes
 * to guest page tables that the shadow pager keeps write-protected. Both
 * fetch the instruction through the guest's page tables and decode it
 * with module/emulate.
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
	err = emul_decode(insn, len, EMUL_MODE_64, &v->mmio_insn);
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

