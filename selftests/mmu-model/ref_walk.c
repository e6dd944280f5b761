// SPDX-License-Identifier: GPL-2.0
/*
 * Reference 4-level page walker for the model, written from the SDM
 * independently of module/mmu/walk.c (table-driven, no shared helpers).
 * It never writes guest memory: the tests use it as the oracle.
 */
#include "model.h"

#define REF_MAXPHY	46

static const struct {
	unsigned int shift;
	u64 always_rsvd;	/* besides high address bits and XD */
} ref_level[5] = {
	[4] = { 39, 1ULL << 7 },	/* PML4E: bit 7 must be 0 */
	[3] = { 30, 1ULL << 7 },	/* PDPTE: no 1 GiB pages offered */
	[2] = { 21, 0 },
	[1] = { 12, 0 },
};

static u64 ref_rsvd(unsigned int level, u64 e, bool nxe)
{
	u64 m = ref_level[level].always_rsvd;
	unsigned int b;

	for (b = REF_MAXPHY; b <= 51; b++)
		m |= 1ULL << b;
	if (!nxe)
		m |= 1ULL << 63;
	if (level == 2 && (e & (1ULL << 7)))
		m |= 0xffULL << 13;	/* bits 20:13 of a 2 MiB PDE */
	return m;
}

void ref_walk(struct mmu_host *h, const struct guest_paging *gp, u64 va,
	      u32 access, struct ref_result *r)
{
	bool nxe = gp->efer & (1ULL << 11);
	bool smep = gp->cr4 & (1ULL << 20), smap = gp->cr4 & (1ULL << 21);
	bool wp = gp->cr0 & (1ULL << 16), ac = gp->rflags & (1ULL << 18);
	bool is_w = (access & PFEC_WRITE) && !(access & PFEC_FETCH);
	bool is_u = access & PFEC_USER, is_x = access & PFEC_FETCH;
	u64 frame = (gp->cr3 >> 12) & ((1ULL << (REF_MAXPHY - 12)) - 1);
	unsigned int rw = 1, us = 1, xd = 0, level, cause = 0;
	u32 code;

	memset(r, 0, sizeof(*r));
	for (level = 4; level >= 1; level--) {
		u64 *table = model_gfn_va(h, frame);
		unsigned int idx = (va >> ref_level[level].shift) & 511;
		u64 e = table ? table[idx] : ~0ULL;

		r->table_gfn[r->nr] = frame;
		r->entry[r->nr] = table ? &table[idx] : NULL;
		r->nr++;
		if (!(e & 1)) {
			cause = 0;
			goto fault;
		}
		if (e & ref_rsvd(level, e, nxe)) {
			cause = PFEC_PRESENT | PFEC_RSVD;
			goto fault;
		}
		rw &= (e >> 1) & 1;
		us &= (e >> 2) & 1;
		xd |= nxe ? (unsigned int)(e >> 63) : 0;
		frame = (e >> 12) & ((1ULL << 40) - 1);
		if (level == 2 && (e & 0x80)) {
			r->page_shift = 21;
			frame &= ~511ULL;
			frame += (va >> 12) & 511;
			break;
		}
		if (level == 1)
			r->page_shift = 12;
	}
	r->gpa = (frame << 12) | (va & 4095);

	cause = PFEC_PRESENT;
	if (is_u) {
		if (!us || (is_w && !rw) || (is_x && xd))
			goto fault;
	} else {
		if (is_w && !rw && wp)
			goto fault;
		if (is_x && (xd || (smep && us)))
			goto fault;
		if (!is_x && smap && us && !ac)
			goto fault;
	}
	return;
fault:
	code = cause;
	if (is_w)
		code |= PFEC_WRITE;
	if (is_u)
		code |= PFEC_USER;
	if (is_x && (nxe || smep))
		code |= PFEC_FETCH;
	r->fault = true;
	r->pfec = code;
}
