// SPDX-License-Identifier: GPL-2.0
/*
 * Reference page walker for the model, written from the SDM (Vol. 3,
 * chapter 4) independently of module/mmu/walk.c: no shared helpers, its
 * own reserved-bit tables, one function per paging mode. It never writes
 * guest memory: the tests use it as the oracle, and check the A/D bits
 * the pager set against the entries it reports.
 */
#include "model.h"

#define REF_MAXPHY	46		/* SHADOW_GUEST_MAXPHYADDR */
#define B(n)		(1ULL << (n))
#define BITS(h, l)	((~0ULL >> (63 - (h))) & ~(B(l) - 1))

/* Bits (MAXPHYADDR-1):12 of an entry: the address it holds. */
#define REF_ADDR	BITS(REF_MAXPHY - 1, 12)

enum shadow_guest_mode ref_mode(const struct guest_paging *gp)
{
	if (!(gp->cr0 & CR0_PE))
		return SHADOW_MODE_NONE;
	if (!(gp->cr0 & CR0_PG))
		return SHADOW_MODE_UNPAGED;
	if (!(gp->cr4 & CR4_PAE))
		return SHADOW_MODE_32;
	if (!(gp->efer & EFER_LMA))
		return SHADOW_MODE_PAE;
	return SHADOW_MODE_64;
}

/* The rights and effects accumulated along one walk. */
struct ref_walk_state {
	struct mmu_host *h;
	struct ref_result *r;
	bool rw, us, xd;
};

/*
 * Read the @size byte entry at guest-physical @gpa and record it. Memory
 * outside guest RAM reads as all ones (a bus with nothing on it).
 */
static u64 ref_read(struct ref_walk_state *s, u64 gpa, unsigned int size)
{
	struct ref_result *r = s->r;
	u8 *page = model_gfn_va(s->h, gpa >> 12);
	void *p = page ? page + (gpa & 4095) : NULL;

	r->table_gfn[r->nr] = gpa >> 12;
	r->entry[r->nr] = p;
	r->entry_size = size;
	r->nr++;
	if (!p)
		return size == 4 ? 0xffffffffULL : ~0ULL;
	return size == 4 ? *(u32 *)p : *(u64 *)p;
}

/* Rights of a present entry, combined over the levels as the SDM says. */
static void ref_rights(struct ref_walk_state *s, u64 e, bool nxe)
{
	s->rw &= !!(e & B(1));
	s->us &= !!(e & B(2));
	if (nxe && (e & B(63)))
		s->xd = true;
}

/*
 * Reserved bits of an 8-byte entry at @level (1..4) of 4-level paging
 * (@long_mode) or PAE paging (levels 1 and 2). In 4-level paging bits
 * 62:52 are ignored; under PAE paging bits 62:MAXPHYADDR are reserved.
 */
static u64 ref_rsvd64(unsigned int level, u64 e, bool nxe, bool long_mode)
{
	u64 m = long_mode ? BITS(51, REF_MAXPHY) : BITS(62, REF_MAXPHY);

	if (!nxe)
		m |= B(63);
	if (level == 4)
		m |= B(7);		/* PML4E.PS */
	if (level == 3)
		m |= B(7);		/* 1 GiB pages not offered to guests */
	if (level == 2 && (e & B(7)))
		m |= BITS(20, 13);	/* 2 MiB page: address bits 20:13 */
	return m;
}

/* 0, or the PFEC cause bits: not present (0) or P|RSVD. */
static int ref_fault_cause(u64 e, u64 rsvd, u32 *cause)
{
	if (!(e & B(0))) {
		*cause = 0;
		return 1;
	}
	if (e & rsvd) {
		*cause = PFEC_PRESENT | PFEC_RSVD;
		return 1;
	}
	return 0;
}

/* 4-level paging (long mode). */
static int ref_walk_64(struct ref_walk_state *s, const struct guest_paging *gp,
		       u64 va, u32 *cause)
{
	bool nxe = gp->efer & EFER_NXE;
	u64 table = gp->cr3 & REF_ADDR, e = 0;
	int level;

	for (level = 4; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		e = ref_read(s, table + 8 * ((va >> shift) & 511), 8);
		if (ref_fault_cause(e, ref_rsvd64(level, e, nxe, true), cause))
			return 1;
		ref_rights(s, e, nxe);
		if (level == 2 && (e & B(7))) {
			s->r->page_shift = 21;
			s->r->gpa = (e & REF_ADDR & ~BITS(20, 0)) |
				    (va & BITS(20, 0));
			return 0;
		}
		table = e & REF_ADDR;
	}
	s->r->page_shift = 12;
	s->r->gpa = (e & REF_ADDR) | (va & 4095);
	return 0;
}

/*
 * PAE paging: the PDPTE comes from the registers loaded at the last CR3
 * load (gp->pdpte), not from memory; it carries no rights and no A bit.
 * Below it, a 2-level structure of 8-byte entries.
 */
static int ref_walk_pae(struct ref_walk_state *s,
			const struct guest_paging *gp, u64 va, u32 *cause)
{
	bool nxe = gp->efer & EFER_NXE;
	u64 e = gp->pdpte[(va >> 30) & 3], table;
	int level;

	/* Present PDPTEs with reserved bits never load (#GP at CR3). */
	if (ref_fault_cause(e, B(1) | B(2) | BITS(8, 5) | BITS(63, REF_MAXPHY),
			    cause))
		return 1;
	table = e & REF_ADDR;
	for (level = 2; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		e = ref_read(s, table + 8 * ((va >> shift) & 511), 8);
		if (ref_fault_cause(e, ref_rsvd64(level, e, nxe, false),
				    cause))
			return 1;
		ref_rights(s, e, nxe);
		if (level == 2 && (e & B(7))) {
			s->r->page_shift = 21;
			s->r->gpa = (e & REF_ADDR & ~BITS(20, 0)) |
				    (va & BITS(20, 0));
			return 0;
		}
		table = e & REF_ADDR;
	}
	s->r->page_shift = 12;
	s->r->gpa = (e & REF_ADDR) | (va & 4095);
	return 0;
}

/*
 * 32-bit paging: 1024 4-byte entries per table, no XD. With CR4.PSE a
 * PDE with PS=1 maps 4 MiB: address bits 31:22 from PDE bits 31:22,
 * bits 39:32 from PDE bits 20:13; bit 21 is reserved (MAXPHYADDR >= 40
 * leaves no other reserved bit). Without CR4.PSE, PS is ignored.
 */
static int ref_walk_32(struct ref_walk_state *s, const struct guest_paging *gp,
		       u64 va, u32 *cause)
{
	bool pse = gp->cr4 & CR4_PSE;
	u64 pde, pte;

	pde = ref_read(s, (gp->cr3 & BITS(31, 12)) + 4 * ((va >> 22) & 1023),
		       4);
	if (ref_fault_cause(pde, pse && (pde & B(7)) ? B(21) : 0, cause))
		return 1;
	ref_rights(s, pde, false);
	if (pse && (pde & B(7))) {
		s->r->page_shift = 22;
		s->r->gpa = (pde & BITS(31, 22)) |
			    (((pde >> 13) & 0xff) << 32) | (va & BITS(21, 0));
		return 0;
	}
	pte = ref_read(s, (pde & BITS(31, 12)) + 4 * ((va >> 12) & 1023), 4);
	if (ref_fault_cause(pte, 0, cause))
		return 1;
	ref_rights(s, pte, false);
	s->r->page_shift = 12;
	s->r->gpa = (pte & BITS(31, 12)) | (va & 4095);
	return 0;
}

void ref_walk(struct mmu_host *h, const struct guest_paging *gp, u64 va,
	      u32 access, struct ref_result *r)
{
	enum shadow_guest_mode mode = ref_mode(gp);
	bool nxe = gp->efer & EFER_NXE;
	bool smep = gp->cr4 & CR4_SMEP, smap = gp->cr4 & CR4_SMAP;
	bool wp = gp->cr0 & CR0_WP, ac = gp->rflags & RFLAGS_AC;
	bool is_w = (access & PFEC_WRITE) && !(access & PFEC_FETCH);
	bool is_u = access & PFEC_USER, is_x = access & PFEC_FETCH;
	struct ref_walk_state s = { h, r, true, true, false };
	u32 cause = 0, code;
	int fault;

	memset(r, 0, sizeof(*r));
	r->entry_size = 8;
	if (mode != SHADOW_MODE_64)
		va &= 0xffffffffULL;
	switch (mode) {
	case SHADOW_MODE_UNPAGED:
		/* Linear is physical; no protection at all. */
		r->page_shift = 12;
		r->gpa = va;
		return;
	case SHADOW_MODE_32:
		fault = ref_walk_32(&s, gp, va, &cause);
		break;
	case SHADOW_MODE_PAE:
		fault = ref_walk_pae(&s, gp, va, &cause);
		break;
	case SHADOW_MODE_64:
		fault = ref_walk_64(&s, gp, va, &cause);
		break;
	default:
		/* Real mode: the model never asks. */
		r->fault = true;
		r->pfec = ~0U;
		return;
	}
	if (fault)
		goto fault;

	cause = PFEC_PRESENT;
	if (is_u) {
		if (!s.us || (is_w && !s.rw) || (is_x && s.xd))
			goto fault;
	} else {
		if (is_w && !s.rw && wp)
			goto fault;
		if (is_x && (s.xd || (smep && s.us)))
			goto fault;
		if (!is_x && smap && s.us && !ac)
			goto fault;
	}
	return;
fault:
	code = cause;
	if (is_w)
		code |= PFEC_WRITE;
	if (is_u)
		code |= PFEC_USER;
	/*
	 * I/D: a fetch, and SMEP on or XD in use (NXE with PAE or 4-level
	 * paging; 32-bit paging has no XD, whatever EFER.NXE says).
	 */
	if (is_x && (smep || (nxe && (mode == SHADOW_MODE_PAE ||
				      mode == SHADOW_MODE_64))))
		code |= PFEC_FETCH;
	r->fault = true;
	r->pfec = code;
}

int ref_read_pdptes(struct mmu_host *h, u64 cr3, u64 pdpte[4])
{
	u64 gpa = cr3 & BITS(31, 5);
	u8 *page = model_gfn_va(h, gpa >> 12);
	int i, ret = 0;

	for (i = 0; i < 4; i++) {
		/* 32-byte aligned: the four never cross a frame. */
		pdpte[i] = page ? *(u64 *)(page + (gpa & 4095) + 8 * i) : ~0ULL;
		if ((pdpte[i] & B(0)) &&
		    (pdpte[i] & (B(1) | B(2) | BITS(8, 5) |
				 BITS(63, REF_MAXPHY))))
			ret = -EINVAL;
	}
	return ret;
}
