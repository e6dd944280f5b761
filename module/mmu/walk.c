// SPDX-License-Identifier: GPL-2.0
/*
 * Walk of the guest's 4-level page tables, as the processor would do it
 * (SDM Vol. 3, 4.5 "4-Level Paging", 4.6 "Access Rights", 4.7 "Page-Fault
 * Exceptions", 4.8 "Accessed and Dirty Flags").
 */
#include "internal.h"

#define SH_WALK_RETRIES	8

/* Reserved bits of a guest entry at @level (assumed present). */
u64 sh_guest_rsvd_mask(const struct guest_paging *gp, unsigned int level,
		       u64 entry)
{
	u64 rsvd = GENMASK_ULL(51, SHADOW_GUEST_MAXPHYADDR);

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

/* Error code for a fault on an access of kind @access. */
static u32 sh_fault_code(const struct guest_paging *gp, u32 access,
			 u32 cause)
{
	u32 code = cause | (access & (PFEC_WRITE | PFEC_USER));

	/* I/D is reported only when NX or SMEP makes fetches special. */
	if ((access & PFEC_FETCH) &&
	    ((gp->efer & EFER_NXE) || (gp->cr4 & CR4_SMEP)))
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

static u64 sh_read_entry(struct mmu_host *host, u64 gfn, unsigned int idx,
			 u64 **where)
{
	u64 *table = mmu_host_map_gfn(host, gfn);

	*where = table ? &table[idx] : NULL;
	/*
	 * A table outside guest RAM reads as all ones, like an unclaimed bus
	 * read: that entry is present with reserved bits set, so the walk
	 * ends in a reserved-bit fault as it would on hardware.
	 */
	return table ? READ_ONCE(table[idx]) : ~0ULL;
}

/*
 * Set @bits in the guest entry at @where (last read as *@entry) unless it
 * changed since; *@entry follows what memory now holds.
 */
static bool sh_set_guest_bits(struct mmu_host *host, u64 table_gfn,
			      u64 *where, u64 *entry, u64 bits)
{
	bool writable;
	u64 hfn;

	if ((*entry & bits) == bits)
		return true;
	/* Tables in read-only slots are ROM: the write is dropped. */
	if (mmu_host_gfn_to_hfn(host, table_gfn, &hfn, &writable) || !writable)
		return true;
	if (cmpxchg64(where, *entry, *entry | bits) != *entry)
		return false;
	*entry |= bits;
	return true;
}

static int sh_walk_once(struct mmu_host *host, const struct guest_paging *gp,
			u64 addr, u32 access, bool set_ad,
			struct guest_walk *w, u32 *pfec)
{
	bool writable = true, user = true, nx = false;
	u64 *where[5] = { NULL };
	u64 table = (gp->cr3 & GENMASK_ULL(SHADOW_GUEST_MAXPHYADDR - 1, 12)) >>
		    SH_PAGE_SHIFT;
	unsigned int level, leaf = 1;

	for (level = 4; level >= 1; level--) {
		unsigned int idx = (addr >> (SH_PAGE_SHIFT + 9 * (level - 1))) &
				   (SH_ENTRIES - 1);
		u64 e = sh_read_entry(host, table, idx, &where[level]);

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
		u64 base = (w->entry[2] & PTE_ADDR_MASK) >> SH_PAGE_SHIFT;

		base &= ~((u64)SH_ENTRIES - 1);
		w->gfn = base + ((addr >> SH_PAGE_SHIFT) & (SH_ENTRIES - 1));
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
	for (level = 4; level >= leaf; level--) {
		u64 bits = PTE_A;

		if (level == leaf && (access & PFEC_WRITE))
			bits |= PTE_D;
		if (!sh_set_guest_bits(host, w->table_gfn[level], where[level],
				       &w->entry[level], bits))
			return -EAGAIN;
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
