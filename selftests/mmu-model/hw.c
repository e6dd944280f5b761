// SPDX-License-Identifier: GPL-2.0
/*
 * The processor, as far as the model needs it: walks the shadow tables
 * from the root the pager handed out (hardware CR0.WP = 1 and EFER.NXE = 1;
 * SMEP and SMAP as the guest set them), and a vCPU loop that calls the
 * pager on every #PF until the access completes.
 */
#include <stdlib.h>
#include "model.h"

void hw_walk(struct mmu_host *h, const struct guest_paging *gp, u64 root_hpa,
	     u64 va, u32 access, bool set_ad, struct hw_result *r)
{
	bool is_w = (access & PFEC_WRITE) && !(access & PFEC_FETCH);
	bool is_x = access & PFEC_FETCH, is_u = access & PFEC_USER;
	u64 table = root_hpa & PTE_ADDR_MASK, *ent[5];
	u32 cause = 0;
	int level;

	memset(r, 0, sizeof(*r));
	r->w = true;
	r->u = true;
	for (level = 4; level >= 1; level--) {
		u64 *t = model_hpa_va(h, table);
		u64 e;

		if (!t || table < MODEL_SHADOW_HPA) {
			/* Upper shadow entries must point at shadow pages. */
			r->bad = true;
			return;
		}
		ent[level] = &t[(va >> (12 + 9 * (level - 1))) & 511];
		e = *ent[level];
		if (!(e & PTE_P))
			goto fault;
		if ((level > 1 && (e & PTE_PS)) || (e & GENMASK_ULL(51, 46))) {
			r->bad = true;
			return;
		}
		r->w &= !!(e & PTE_RW);
		r->u &= !!(e & PTE_US);
		/*
		 * Hardware EFER.NXE is always 1 (module/vmx/guest.c): the
		 * pager uses XD under guest CR4.SMEP for WP=0 flips even
		 * when the guest has NXE clear; the audit checks where.
		 */
		r->nx |= !!(e & PTE_NX);
		table = e & PTE_ADDR_MASK;
	}
	r->hfn = table >> 12;
	cause = PFEC_PRESENT;
	if (is_x && r->nx)
		goto fault;
	if (is_u && (!r->u || (is_w && !r->w)))
		goto fault;
	if (!is_u && is_w && !r->w)
		goto fault;
	if (!is_u && is_x && r->u && (gp->cr4 & CR4_SMEP))
		goto fault;
	if (!is_u && !is_x && r->u && (gp->cr4 & CR4_SMAP) &&
	    !(gp->rflags & RFLAGS_AC))
		goto fault;
	if (set_ad) {
		for (level = 4; level >= 1; level--)
			*ent[level] |= PTE_A;
		if (is_w)
			*ent[1] |= PTE_D;
	}
	return;
fault:
	r->fault = true;
	/*
	 * The vCPU runs the guest with hardware EFER.NXE = 1 whatever the
	 * guest's setting, so fetches are always reported with I/D.
	 */
	r->pfec = cause | (is_w ? PFEC_WRITE : 0) | (is_u ? PFEC_USER : 0) |
		  (is_x ? PFEC_FETCH : 0);
}

void model_long_mode(struct guest_paging *gp, u64 cr3)
{
	memset(gp, 0, sizeof(*gp));
	gp->cr0 = CR0_PE | CR0_WP | CR0_PG;
	gp->cr4 = CR4_PAE;
	gp->efer = EFER_LMA | (1ULL << 8) | EFER_NXE;
	gp->cr3 = cr3;
}

/*
 * @nr_vcpus only sets the pager's L3-toplevel threshold: the model runs
 * one vCPU, but with 2 it never crosses it (4 address spaces).
 */
int model_vm_init_vcpus(struct model_vm *vm, unsigned long pool_pages,
			unsigned int nr_vcpus)
{
	memset(vm, 0, sizeof(*vm));
	model_host_init(&vm->host);
	return shadow_mmu_init(&vm->mmu, &vm->host, pool_pages, nr_vcpus);
}

int model_vm_init(struct model_vm *vm, unsigned long pool_pages)
{
	return model_vm_init_vcpus(vm, pool_pages, 1);
}

void model_vm_destroy(struct model_vm *vm)
{
	shadow_release_root(&vm->mmu, &vm->sv);
	shadow_mmu_destroy(&vm->mmu);
	if (vm->host.pages_live || vm->host.zallocs_live) {
		fprintf(stderr, "model: leak: %lu pages, %lu allocations\n",
			vm->host.pages_live, vm->host.zallocs_live);
		abort();
	}
	model_host_destroy(&vm->host);
}

#define CPU_MAX_FAULTS	8

/*
 * Complete an emulated 8-byte store at @gpa as the vCPU code would. True
 * when the access is over; false to re-enter the guest (decoder failure).
 */
static bool cpu_emulate_write(struct model_vm *vm, u64 gpa, u64 val,
			      struct cpu_outcome *o)
{
	u64 old;

	switch (vm->emulate) {
	case EMU_FAIL:
		shadow_unshadow_gfn(&vm->mmu, gpa >> 12);
		return false;
	case EMU_CMPXCHG:
		memcpy(&old, (u8 *)model_gfn_va(&vm->host, gpa >> 12) +
		       (gpa & 4095), 8);
		o->err = shadow_cmpxchg_guest(&vm->mmu, &vm->gp, gpa, &old,
					      &val, 8);
		break;
	default:
		o->err = shadow_write_guest(&vm->mmu, &vm->gp, gpa, &val, 8);
	}
	o->kind = o->err ? CPU_ERROR : CPU_OK;
	return true;
}

void cpu_access(struct model_vm *vm, u64 va, u32 access, u64 *val,
		struct cpu_outcome *o)
{
	struct shadow_fault f;
	struct hw_result r;

	memset(o, 0, sizeof(*o));
	for (;;) {
		if (!vm->sv.root || shadow_root_stale(&vm->sv)) {
			o->err = shadow_load_root(&vm->mmu, &vm->sv, &vm->gp);
			if (o->err) {
				o->kind = CPU_ERROR;
				return;
			}
		}
		hw_walk(&vm->host, &vm->gp, vm->sv.root_hpa, va, access, true,
			&r);
		if (r.bad) {
			o->kind = CPU_ERROR;
			o->err = -EINVAL;
			return;
		}
		if (!r.fault) {
			u64 *p = model_hpa_va(&vm->host,
					      (r.hfn << 12) | (va & 4088));

			if (!p) {
				o->kind = CPU_ERROR;
				o->err = -EFAULT;
				return;
			}
			if (access & PFEC_WRITE)
				*p = *val;
			else
				*val = *p;
			o->kind = CPU_OK;
			/* The single-stepped instruction is over. */
			if (o->stepped)
				shadow_step_done(&vm->mmu);
			return;
		}
		if (o->faults++ == CPU_MAX_FAULTS) {
			o->kind = CPU_ERROR;	/* livelock */
			o->err = -ELOOP;
			return;
		}
		o->err = shadow_page_fault(&vm->mmu, &vm->sv, &vm->gp, va,
					   r.pfec, &f);
		if (getenv("MODEL_TRACE"))
			printf("#   fault va %llx pfec %x -> %d kind %d oos %d/%llx\n",
			       va, r.pfec, o->err, f.kind, vm->mmu.oos_valid,
			       vm->mmu.oos_gfn);
		if (o->err) {
			o->kind = CPU_ERROR;
			return;
		}
		if (f.single_step)
			o->stepped++;
		if (f.kind == SHADOW_FAULT_GUEST) {
			o->kind = CPU_GUEST_FAULT;
			o->pfec = f.error_code;
			return;
		}
		if (f.kind == SHADOW_FAULT_MMIO) {
			o->kind = CPU_MMIO;
			o->mmio_gpa = f.gpa;
			o->mmio_write = f.write;
			return;
		}
		if (f.kind == SHADOW_FAULT_EMULATE) {
			o->emulated++;
			if (!(access & PFEC_WRITE) || !f.write ||
			    (f.gpa & 4095) != (va & 4095)) {
				o->kind = CPU_ERROR;
				o->err = -EPROTO;
				return;
			}
			if (cpu_emulate_write(vm, f.gpa & ~7ULL, *val, o))
				return;
		}
	}
}
