// SPDX-License-Identifier: GPL-2.0
/*
 * The processor, as far as the model needs it: walks the shadow tables
 * from the root the pager handed out (hardware CR0.WP = 1 and EFER.NXE = 1;
 * SMEP and SMAP as the guest set them while its paging is on; 4-level
 * paging for a 64-bit guest, PAE paging for every other), and a vCPU
 * loop that calls the pager on every #PF until the access completes.
 */
#include <stdlib.h>
#include "model.h"

/* Reserved bits of a hardware PAE PDPTE (EFER.LMA=0). */
#define HW_PDPTE_RSVD	(GENMASK_ULL(2, 1) | GENMASK_ULL(8, 5) | \
			 GENMASK_ULL(63, 46))

/*
 * The first shadow table of the walk of @va and its level: the root for
 * 4-level paging; for PAE paging, the table the PDPTE in the root page
 * names (*pdpte: that PDPTE). Returns 0 when the hardware walk cannot
 * even start (malformed root: *bad), or stops at a not-present PDPTE.
 */
static int hw_top(struct mmu_host *h, const struct guest_paging *gp,
		  u64 root_hpa, u64 va, u64 *table, bool *bad)
{
	u64 *pdpt, e;

	*bad = false;
	if (ref_mode(gp) == SHADOW_MODE_64) {
		*table = root_hpa & PTE_ADDR_MASK;
		return 4;
	}
	/* A 32-bit CR3: below 4 GiB, 32-byte aligned PDPT. */
	pdpt = root_hpa < (1ULL << 32) && !(root_hpa & 31) ?
	       model_hpa_va(h, root_hpa) : NULL;
	if (!pdpt) {
		*bad = true;
		return 0;
	}
	e = pdpt[(va >> 30) & 3];
	if (!(e & PTE_P))
		return 0;
	if (e & HW_PDPTE_RSVD) {
		*bad = true;
		return 0;
	}
	*table = e & PTE_ADDR_MASK;
	return 2;
}

void hw_walk(struct mmu_host *h, const struct guest_paging *gp, u64 root_hpa,
	     u64 va, u32 access, bool set_ad, struct hw_result *r)
{
	bool is_w = (access & PFEC_WRITE) && !(access & PFEC_FETCH);
	bool is_x = access & PFEC_FETCH, is_u = access & PFEC_USER;
	/*
	 * Hardware CR4.SMEP/SMAP are the guest's while guest paging is on;
	 * an unpaged guest has neither (they are paging features), so the
	 * vCPU clears them in hardware, as KVM does: the identity map's
	 * entries are user pages, and no shadow could serve both a user
	 * access and a supervisor fetch of the same page under SMEP.
	 */
	bool paged = ref_mode(gp) != SHADOW_MODE_UNPAGED;
	bool smep = paged && (gp->cr4 & CR4_SMEP);
	bool smap = paged && (gp->cr4 & CR4_SMAP);
	u64 table, *ent[5];
	int level, top;
	u32 cause = 0;

	memset(r, 0, sizeof(*r));
	r->w = true;
	r->u = true;
	if (ref_mode(gp) != SHADOW_MODE_64)
		va &= 0xffffffffULL;
	top = hw_top(h, gp, root_hpa, va, &table, &r->bad);
	if (r->bad)
		return;
	if (!top)
		goto fault;
	for (level = top; level >= 1; level--) {
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
	if (!is_u && is_x && r->u && smep)
		goto fault;
	if (!is_u && !is_x && r->u && smap && !(gp->rflags & RFLAGS_AC))
		goto fault;
	if (set_ad) {
		for (level = top; level >= 1; level--)
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

unsigned int hw_path(struct mmu_host *h, const struct guest_paging *gp,
		     u64 root_hpa, u64 va, u64 hpa[4], u64 **leaf)
{
	unsigned int n = 0;
	u64 table;
	bool bad;
	int level;

	*leaf = NULL;
	if (ref_mode(gp) != SHADOW_MODE_64)
		va &= 0xffffffffULL;
	level = hw_top(h, gp, root_hpa, va, &table, &bad);
	for (; level >= 1; level--) {
		u64 *t = model_hpa_va(h, table), *e;

		if (!t || table < MODEL_SHADOW_HPA)
			break;
		hpa[n++] = table;
		e = &t[(va >> (12 + 9 * (level - 1))) & 511];
		if (level == 1)
			*leaf = e;
		if (!(*e & PTE_P))
			break;
		table = *e & PTE_ADDR_MASK;
	}
	return n;
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
	int ret;

	memset(vm, 0, sizeof(*vm));
	model_host_init(&vm->host);
	ret = shadow_mmu_init(&vm->mmu, &vm->host, pool_pages, nr_vcpus);
	if (ret)
		return ret;
	ret = shadow_vcpu_init(&vm->mmu, &vm->sv);
	if (ret)
		shadow_mmu_destroy(&vm->mmu);
	return ret;
}

int model_vm_init(struct model_vm *vm, unsigned long pool_pages)
{
	return model_vm_init_vcpus(vm, pool_pages, 1);
}

void model_vm_destroy(struct model_vm *vm)
{
	shadow_vcpu_destroy(&vm->mmu, &vm->sv);
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
 * Complete an emulated @size byte store at @gpa as the vCPU code would.
 * True when the access is over; false to re-enter the guest (decoder
 * failure).
 */
static bool cpu_emulate_write(struct model_vm *vm, u64 gpa, u64 val,
			      unsigned int size, struct cpu_outcome *o)
{
	u64 old = 0;

	switch (vm->emulate) {
	case EMU_FAIL:
		shadow_unshadow_gfn(&vm->mmu, gpa >> 12);
		return false;
	case EMU_CMPXCHG:
		memcpy(&old, (u8 *)model_gfn_va(&vm->host, gpa >> 12) +
		       (gpa & 4095), size);
		o->err = shadow_cmpxchg_guest(&vm->mmu, &vm->gp, gpa, &old,
					      &val, size);
		break;
	default:
		o->err = shadow_write_guest(&vm->mmu, &vm->gp, gpa, &val, size);
	}
	o->kind = o->err ? CPU_ERROR : CPU_OK;
	return true;
}

void cpu_access(struct model_vm *vm, u64 va, u32 access, u64 *val,
		struct cpu_outcome *o)
{
	cpu_access_size(vm, va, access, 8, val, o);
}

/* Little-endian: the low @size bytes of *val move. */
void cpu_access_size(struct model_vm *vm, u64 va, u32 access,
		     unsigned int size, u64 *val, struct cpu_outcome *o)
{
	u64 off = va & (4096 - size);
	struct shadow_fault f;
	struct hw_result r;

	memset(o, 0, sizeof(*o));
	if (size == 4)
		*val &= 0xffffffffULL;
	for (;;) {
		if (!vm->sv.root_hpa || shadow_root_stale(&vm->sv)) {
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
			u8 *p = model_hpa_va(&vm->host, (r.hfn << 12) | off);

			if (!p) {
				o->kind = CPU_ERROR;
				o->err = -EFAULT;
				return;
			}
			if (access & PFEC_WRITE)
				memcpy(p, val, size);
			else
				memcpy(val, p, size);
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
			printf("#   fault va %llx pfec %x -> %d kind %d gpa %llx\n",
			       va, r.pfec, o->err, f.kind, f.gpa);
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
			if (cpu_emulate_write(vm, f.gpa & ~(u64)(size - 1),
					      *val, size, o))
				return;
		}
	}
}

/*
 * PDPTE load: the model reads the PDPT itself and checks that the
 * pager's helper reads the same. -EINVAL is the guest's #GP; -EPROTO
 * means the two disagree.
 */
static int model_load_pdptes(struct model_vm *vm, u64 cr3, u64 pdpte[4])
{
	u64 theirs[4];
	int ret = ref_read_pdptes(&vm->host, cr3, pdpte);

	if (shadow_read_pdptes(&vm->mmu, cr3, theirs) != ret ||
	    (!ret && memcmp(pdpte, theirs, sizeof(theirs)))) {
		printf("#   shadow_read_pdptes(%#llx) disagrees with the model\n",
		       cr3);
		return -EPROTO;
	}
	if (ret)
		vm->pdpt_gp++;
	return ret;
}

int model_load_cr3(struct model_vm *vm, u64 cr3)
{
	struct guest_paging gp = vm->gp;
	int ret;

	gp.cr3 = cr3;
	if (ref_mode(&gp) == SHADOW_MODE_PAE) {
		ret = model_load_pdptes(vm, cr3, gp.pdpte);
		if (ret)
			return ret;
	}
	vm->gp = gp;
	return shadow_load_root(&vm->mmu, &vm->sv, &vm->gp);
}

int model_set_paging(struct model_vm *vm, u64 cr0, u64 cr4, u64 efer)
{
	struct guest_paging gp = vm->gp;
	int ret;

	gp.cr0 = cr0;
	gp.cr4 = cr4;
	/* LMA follows LME while paging is on (the vCPU does it). */
	gp.efer = efer & ~EFER_LMA;
	if ((cr0 & CR0_PG) && (efer & EFER_LME))
		gp.efer |= EFER_LMA;
	/*
	 * The PDPTEs load when PAE paging is on after a write that changed
	 * CR0.PG or CR4.PAE/PGE/PSE/SMEP (SDM 4.4.1); CR0.WP, CR4.SMAP
	 * and EFER.NXE writes leave the registers alone.
	 */
	if (ref_mode(&gp) == SHADOW_MODE_PAE &&
	    (ref_mode(&vm->gp) != SHADOW_MODE_PAE ||
	     ((gp.cr4 ^ vm->gp.cr4) & (CR4_PGE | CR4_PSE | CR4_SMEP)))) {
		ret = model_load_pdptes(vm, gp.cr3, gp.pdpte);
		if (ret)
			return ret;
	}
	if (ref_mode(&gp) == SHADOW_MODE_NONE)
		return -EINVAL;
	vm->gp = gp;
	shadow_release_root(&vm->mmu, &vm->sv);
	return shadow_load_root(&vm->mmu, &vm->sv, &vm->gp);
}
