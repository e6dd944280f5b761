// SPDX-License-Identifier: GPL-2.0
/*
 * Walk of the guest's page tables in each paging mode, as the processor
 * would do it (SDM Vol. 3, 4.3 "32-Bit Paging", 4.4 "PAE Paging", 4.5
 * "4-Level Paging", 4.6 "Access Rights", 4.7 "Page-Fault Exceptions", 4.8
 * "Accessed and Dirty Flags").
 */
#include "internal.h"

#define SH_WALK_RETRIES	8

enum shadow_guest_mode shadow_guest_mode(const struct guest_paging *gp)
{
	if (!(gp->cr0 & CR0_PE))
		return SHADOW_MODE_NONE;
	if (!(gp->cr0 & CR0_PG))
		return SHADOW_MODE_UNPAGED;
	if (!(gp->cr4 & CR4_PAE))
		return SHADOW_MODE_32;
	if (!(gp->efer & EFER_LMA))
		return SHADOW_MODE_PAE;
	return gp->cr4 & CR4_LA57 ? SHADOW_MODE_NONE : SHADOW_MODE_64;
}

/*
 * Reserved bits of a guest entry at @level (assumed present), normalised
 * (sh_guest_entry_norm()). SDM Vol. 3, 4.3 (2-level), 4.4 (PAE), 4.5.
 */
u64 sh_guest_rsvd_mask(const struct guest_paging *gp, unsigned int level,
		       u64 entry)
{
	u64 rsvd = GENMASK_ULL(51, SHADOW_GUEST_MAXPHYADDR);

	switch (shadow_guest_mode(gp)) {
	case SHADOW_MODE_32:
		/* 4 MiB PDE: bit 21 (bits 20:13 are address bits 39:32). */
		return level == 2 && (entry & PTE_PS) ? BIT_ULL(21) : 0;
	case SHADOW_MODE_PAE:
		/* PAE has no ignored high bits: 62:52 are reserved too. */
		rsvd |= GENMASK_ULL(62, 52);
		break;
	default:
		break;
	}
	if (!(gp->efer & EFER_NXE))
		rsvd |= PTE_NX;
	switch (level) {
	case 4:
		rsvd |= PTE_PS;
		break;
	case 3:
		/* 1 GiB pages are not offered to the guest (CPUID). */
		rsvd |= PTE_PS;
		break;
	case 2:
		/* A 2 MiB page's frame must be 2 MiB aligned. */
		if (entry & PTE_PS)
			rsvd |= GENMASK_ULL(20, 13);
		break;
	default:
		break;
	}
	return rsvd;
}

/*
 * A guest entry of @size bytes read at @level, in the 64-bit format the
 * rest of the pager uses. A 2-level guest's PDE maps 4 MiB only under
 * CR4.PSE (otherwise bit 7 is ignored); its frame's bits 39:32 sit in
 * bits 20:13 (PSE-36 with MAXPHYADDR capped at 40) and move into place,
 * leaving bit 21, which is reserved, where the walk checks it.
 */
u64 sh_guest_entry_norm(const struct guest_paging *gp, unsigned int level,
			unsigned int size, u64 raw)
{
	if (size == 8)
		return raw;
	raw &= 0xffffffffULL;
	if (level != 2 || !(raw & PTE_PS))
		return raw;
	if (!(gp->cr4 & CR4_PSE))
		return raw & ~PTE_PS;
	return (raw & ~GENMASK_ULL(20, 13)) |
	       ((raw & GENMASK_ULL(20, 13)) << (32 - 13));
}

/* Error code for a fault on an access of kind @access. */
static u32 sh_fault_code(const struct guest_paging *gp, u32 access,
			 u32 cause)
{
	u32 code = cause | (access & (PFEC_WRITE | PFEC_USER));

	/*
	 * I/D is reported only when NX or SMEP makes fetches special; NX
	 * exists only in PAE and 4-level paging, whatever EFER.NXE says.
	 */
	if ((access & PFEC_FETCH) &&
	    (((gp->efer & EFER_NXE) &&
	      shadow_guest_mode(gp) != SHADOW_MODE_32) ||
	     (gp->cr4 & CR4_SMEP)))
		code |= PFEC_FETCH;
	return code;
}

/* SDM 4.6: may an access of kind @access use a page with these rights? */
static bool sh_access_allowed(const struct guest_paging *gp, u32 access,
			      bool writable, bool user, bool nx)
{
	bool write = access & PFEC_WRITE, fetch = access & PFEC_FETCH;

	if (fetch && nx)
		return false;
	if (access & PFEC_USER)
		return user && !(write && !writable);
	/* Supervisor-mode access. */
	if (write && !writable && (gp->cr0 & CR0_WP))
		return false;
	if (fetch && user && (gp->cr4 & CR4_SMEP))
		return false;
	if (!fetch && user && (gp->cr4 & CR4_SMAP) &&
	    !(gp->rflags & RFLAGS_AC))
		return false;
	return true;
}

/* Where a walk read one guest entry, to set A/D in it later. */
struct sh_entry_ref {
	void *where;		/* NULL: outside guest RAM */
	unsigned int size;	/* 4 or 8 */
	u64 raw;		/* as read */
};

static u64 sh_read_entry(struct mmu_host *host, u64 gfn, unsigned int idx,
			 unsigned int size, struct sh_entry_ref *ref)
{
	u8 *table = mmu_host_map_gfn(host, gfn);

	ref->size = size;
	ref->where = table ? table + idx * size : NULL;
	/*
	 * A table outside guest RAM reads as all ones, like an unclaimed bus
	 * read: that entry is present with reserved bits set (in a 2-level
	 * guest, a 4 MiB page with bit 21 set), so the walk ends in a
	 * reserved-bit fault as it would on hardware.
	 */
	if (!table)
		ref->raw = size == 8 ? ~0ULL : 0xffffffffULL;
	else if (size == 8)
		ref->raw = READ_ONCE(*(u64 *)ref->where);
	else
		ref->raw = READ_ONCE(*(u32 *)ref->where);
	return ref->raw;
}

/*
 * Set @bits (A, D: the same bit numbers in every format) in the guest
 * entry @ref in frame @table_gfn unless it changed since it was read.
 */
static bool sh_set_guest_bits(struct mmu_host *host, u64 table_gfn,
			      struct sh_entry_ref *ref, u64 bits)
{
	bool writable;
	u64 hfn;

	if ((ref->raw & bits) == bits || !ref->where)
		return true;
	/* Tables in read-only slots are ROM: the write is dropped. */
	if (mmu_host_gfn_to_hfn(host, table_gfn, &hfn, &writable) || !writable)
		return true;
	if (ref->size == 8) {
		if (cmpxchg64((u64 *)ref->where, ref->raw, ref->raw | bits) !=
		    ref->raw)
			return false;
	} else {
		u32 old = ref->raw;

		if (cmpxchg((u32 *)ref->where, old, old | (u32)bits) != old)
			return false;
	}
	ref->raw |= bits;
	return true;
}

/*
 * An unpaged guest: linear is physical, nothing is checked. The walk is a
 * 2 MiB mapping with every right so that the shadow path is built as for
 * a guest superpage (top_level 0: no guest entry to set A/D in).
 */
static void sh_walk_unpaged(u64 addr, struct guest_walk *w)
{
	addr &= 0xffffffffULL;
	w->top_level = 0;
	w->leaf_level = 2;
	w->entry[2] = (addr & ~(BIT_ULL(SH_LARGE_SHIFT) - 1)) | PTE_P |
		      PTE_RW | PTE_US | PTE_A | PTE_D | PTE_PS;
	w->gfn = addr >> SH_PAGE_SHIFT;
	w->gpa = addr;
}

static int sh_walk_once(struct mmu_host *host, const struct guest_paging *gp,
			u64 addr, u32 access, bool set_ad,
			struct guest_walk *w, u32 *pfec)
{
	enum shadow_guest_mode mode = shadow_guest_mode(gp);
	bool writable = true, user = true, nx = false;
	struct sh_entry_ref ref[5] = { };
	unsigned int level, leaf = 1, size = 8, bits = 9;
	u64 table = (gp->cr3 & GENMASK_ULL(SHADOW_GUEST_MAXPHYADDR - 1, 12)) >>
		    SH_PAGE_SHIFT;

	if (mode == SHADOW_MODE_UNPAGED) {
		sh_walk_unpaged(addr, w);
		return 0;
	}
	w->top_level = 4;
	if (mode == SHADOW_MODE_32) {
		/* 1024 4-byte entries a table; CR3 holds a 32-bit address. */
		addr &= 0xffffffffULL;
		table &= 0xfffff;
		w->top_level = 2;
		size = 4;
		bits = 10;
	} else if (mode == SHADOW_MODE_PAE) {
		/* The PDPTE register for addr[31:30]: no rights, no A bit. */
		u64 pdpte = gp->pdpte[(addr >> 30) & 3];

		addr &= 0xffffffffULL;
		w->top_level = 2;
		if (!(pdpte & PTE_P)) {
			*pfec = sh_fault_code(gp, access, 0);
			return -EFAULT;
		}
		table = (pdpte & PTE_ADDR_MASK) >> SH_PAGE_SHIFT;
	}

	for (level = w->top_level; level >= 1; level--) {
		unsigned int idx = (addr >> (SH_PAGE_SHIFT + bits * (level - 1))) &
				   (BIT(bits) - 1);
		u64 e = sh_guest_entry_norm(gp, level, size,
					    sh_read_entry(host, table, idx,
							  size, &ref[level]));

		w->table_gfn[level] = table;
		w->entry[level] = e;
		if (!(e & PTE_P)) {
			*pfec = sh_fault_code(gp, access, 0);
			return -EFAULT;
		}
		if (e & sh_guest_rsvd_mask(gp, level, e)) {
			*pfec = sh_fault_code(gp, access,
					      PFEC_PRESENT | PFEC_RSVD);
			return -EFAULT;
		}
		writable &= !!(e & PTE_RW);
		user &= !!(e & PTE_US);
		if (gp->efer & EFER_NXE)
			nx |= !!(e & PTE_NX);
		if (level == 2 && (e & PTE_PS)) {
			leaf = 2;
			break;
		}
		table = (e & PTE_ADDR_MASK) >> SH_PAGE_SHIFT;
	}
	w->leaf_level = leaf;
	if (leaf == 2) {
		/* A 2 MiB page (bits = 9) or a 2-level guest's 4 MiB page. */
		u64 frames = BIT_ULL(bits), base;

		base = (w->entry[2] & PTE_ADDR_MASK) >> SH_PAGE_SHIFT;
		base &= ~(frames - 1);
		w->gfn = base + ((addr >> SH_PAGE_SHIFT) & (frames - 1));
	} else {
		w->gfn = (w->entry[1] & PTE_ADDR_MASK) >> SH_PAGE_SHIFT;
	}
	w->gpa = (w->gfn << SH_PAGE_SHIFT) | (addr & (SH_PAGE_SIZE - 1));

	if (!sh_access_allowed(gp, access, writable, user, nx)) {
		*pfec = sh_fault_code(gp, access, PFEC_PRESENT);
		return -EFAULT;
	}
	if (!set_ad)
		return 0;

	/*
	 * A on every entry used, D on the leaf for a write. Only after the
	 * access is known to succeed: a faulting access leaves A/D alone.
	 */
	for (level = w->top_level; level >= leaf; level--) {
		u64 bits = PTE_A;

		if (level == leaf && (access & PFEC_WRITE))
			bits |= PTE_D;
		if (!sh_set_guest_bits(host, w->table_gfn[level], &ref[level],
				       bits))
			return -EAGAIN;
		w->entry[level] |= bits;
	}
	return 0;
}

/*
 * Walk the guest tables for an access of kind @access (PFEC_WRITE, USER,
 * FETCH) at @addr. Returns 0 with @w filled in (and the guest's A/D bits
 * updated if @set_ad), or -EFAULT with *@pfec the error code of the #PF
 * the guest must see. Retries if the guest changed an entry under us.
 */
int sh_guest_walk(struct mmu_host *host, const struct guest_paging *gp,
		  u64 addr, u32 access, bool set_ad, struct guest_walk *w,
		  u32 *pfec)
{
	int tries, ret = -EAGAIN;

	access &= PFEC_ACCESS;
	if (access & PFEC_FETCH)
		access &= ~PFEC_WRITE;
	for (tries = 0; tries < SH_WALK_RETRIES && ret == -EAGAIN; tries++)
		ret = sh_walk_once(host, gp, addr, access, set_ad, w, pfec);
	return ret == -EAGAIN ? -EBUSY : ret;
}

/* PDPTE bits that must be clear when it is present (SDM Vol. 3, 4.4.1). */
#define PDPTE_RSVD	(GENMASK_ULL(63, SHADOW_GUEST_MAXPHYADDR) | \
			 GENMASK_ULL(8, 5) | GENMASK_ULL(2, 1))

int shadow_read_pdptes(struct shadow_mmu *mmu, u64 cr3, u64 pdpte[4])
{
	u64 gpa = cr3 & GENMASK_ULL(31, 5);
	const u8 *page = mmu_host_map_gfn(mmu->host, gpa >> SH_PAGE_SHIFT);
	unsigned int i;

	for (i = 0; i < 4; i++) {
		/* 32 bytes aligned to 32 never cross a page. */
		pdpte[i] = page ? READ_ONCE(*(const u64 *)(page +
				  (gpa & (SH_PAGE_SIZE - 1)) + 8 * i)) : ~0ULL;
		if ((pdpte[i] & PTE_P) && (pdpte[i] & PDPTE_RSVD))
			return -EINVAL;
	}
	return 0;
}
