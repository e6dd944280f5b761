// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow pager: references, the fault path, write protection and
 * unshadowing, CR3 loads and INVLPG. Documentation/shadow-pager.rst
 * describes the design; the invariants are checked by audit.c.
 */
#include "internal.h"

/* Shadows a fault may have to create: L3, L2, and L1 or FL1. */
#define SH_FAULT_RESERVE	3

static unsigned int sh_entry_index(u64 addr, unsigned int level)
{
	return (addr >> (SH_PAGE_SHIFT + 9 * (level - 1))) & (SH_ENTRIES - 1);
}

/*
 * Key of top-level shadow @q (0-3) for the guest paging state @gp: the L4
 * (q = 0 only) in 4-level mode; otherwise the shadow the PAE root's PDPTE
 * @q links to. False when there is none (a PAE PDPTE not present).
 */
static bool sh_top_key(struct shadow_mmu *mmu, const struct guest_paging *gp,
		       unsigned int q, struct sh_key *k)
{
	u64 cr3_gfn = (gp->cr3 & GENMASK_ULL(SHADOW_GUEST_MAXPHYADDR - 1, 12)) >>
		      SH_PAGE_SHIFT;
	bool want;

	k->part = 0;
	switch (shadow_guest_mode(gp)) {
	case SHADOW_MODE_64:
		k->gfn = cr3_gfn;
		k->type = SH_TYPE_L4_64;
		want = q == 0;
		break;
	case SHADOW_MODE_PAE:
		k->gfn = (gp->pdpte[q] & PTE_ADDR_MASK) >> SH_PAGE_SHIFT;
		k->type = SH_TYPE_L2_PAE;
		want = gp->pdpte[q] & PTE_P;
		break;
	case SHADOW_MODE_32:
		k->gfn = cr3_gfn & 0xfffff;	/* CR3 is 32 bits wide here */
		k->type = SH_TYPE_L2_32;
		k->part = q;
		want = true;
		break;
	case SHADOW_MODE_UNPAGED:
		k->gfn = 0;
		k->type = SH_TYPE_L2_PHYS;
		k->part = q;
		return true;
	default:
		return false;
	}
	/*
	 * A top-level table outside guest RAM has no shadow: the hardware
	 * then finds nothing present there and every access comes to the
	 * pager, whose walk reads that table as all ones (sh_read_entry()).
	 */
	return want && mmu_host_map_gfn(mmu->host, k->gfn);
}

/*
 * Is the root @sv has loaded the one @gp asks for? Compared by what it was
 * loaded from (every fault asks), not by recomputing the keys.
 */
static bool sh_root_matches(const struct shadow_vcpu *sv,
			    const struct guest_paging *gp)
{
	enum shadow_guest_mode mode = shadow_guest_mode(gp);

	if (!sv->root_hpa || sv->mode != mode)
		return false;
	switch (mode) {
	case SHADOW_MODE_UNPAGED:
		return true;
	case SHADOW_MODE_PAE:
		return !memcmp(sv->root_pdpte, gp->pdpte, sizeof(gp->pdpte));
	default:
		return sv->root_cr3 == gp->cr3;
	}
}

/*
 * The top-level shadow covering linear @addr, and the hardware level of
 * its entries: a 64-bit guest's L4, else the PAE root's L2 for addr[31:30].
 */
static struct shadow_page *sh_top(const struct shadow_vcpu *sv, u64 addr,
				  unsigned int *level)
{
	if (sv->mode == SHADOW_MODE_64) {
		*level = 4;
		return sv->root[0];
	}
	*level = 2;
	return sv->root[(addr >> 30) & 3];
}

/* sh_guest_entry() of a table shadow whose guest table is at @table. */
static u64 sh_guest_entry_in(const struct guest_paging *gp,
			     const struct shadow_page *sp, const void *table,
			     unsigned int idx)
{
	unsigned int size = sh_type_guest_entry_size(sp->type);
	unsigned int gidx = sh_guest_index(sp, idx);
	u64 raw;

	if (size == 8)
		raw = READ_ONCE(((const u64 *)table)[gidx]);
	else
		raw = READ_ONCE(((const u32 *)table)[gidx]);
	return sh_guest_entry_norm(gp, sh_type_level(sp->type), size, raw);
}

u64 sh_guest_entry(struct shadow_mmu *mmu, const struct guest_paging *gp,
		   const struct shadow_page *sp, unsigned int idx)
{
	const void *table;

	if (sp->type == SH_TYPE_L2_PHYS)
		return ((u64)(sp->part * SH_ENTRIES + idx) << SH_LARGE_SHIFT) |
		       PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_PS;
	table = mmu_host_map_gfn(mmu->host, sp->gfn);
	return table ? sh_guest_entry_in(gp, sp, table, idx) : 0;
}

bool sh_shadow_range(const struct shadow_page *sp, unsigned int first,
		     unsigned int last, unsigned int *sfirst,
		     unsigned int *slast)
{
	unsigned int per = SH_ENTRIES, lo, hi;

	switch (sp->type) {
	case SH_TYPE_L1_32:
		break;
	case SH_TYPE_L2_32:
		per = SH_ENTRIES / 2;
		break;
	default:
		*sfirst = first;
		*slast = last;
		return true;
	}
	lo = sp->part * per;
	hi = lo + per - 1;
	if (last < lo || first > hi)
		return false;
	first = (first > lo ? first : lo) - lo;
	last = min_t(unsigned int, last, hi) - lo;
	*sfirst = per == SH_ENTRIES ? first : 2 * first;
	*slast = per == SH_ENTRIES ? last : 2 * last + 1;
	return true;
}

void sh_flush_if_needed(struct shadow_mmu *mmu)
{
	if (mmu->flush_pending) {
		mmu->flush_pending = false;
		mmu_host_flush_tlbs(mmu->host);
	}
}

/*
 * @loc: the locator of the entry that now references @sp, or 0. A pinned
 * shadow has no single referencing entry worth remembering: its up field
 * is left alone until sh_unpin() clears it.
 */
void sh_get_ref(struct shadow_mmu *mmu, struct shadow_page *sp, u64 loc)
{
	sp->refcount++;
	if (loc && sh_type_has_up(sp->type) && !sp->pinned && !sp->up)
		sp->up = loc;
}

/* @loc: the locator of the entry that dropped its reference, or 0. */
void sh_put_ref(struct shadow_mmu *mmu, struct shadow_page *sp, u64 loc)
{
	if (loc && !sp->pinned && sp->up == loc)
		sp->up = 0;
	if (sp->refcount && --sp->refcount == 0)
		sh_destroy(mmu, sp);
}

/* Clear entry @idx of @sp, dropping the reference it holds on a child. */
void sh_zap_entry(struct shadow_mmu *mmu, struct shadow_page *sp,
		  unsigned int idx)
{
	u64 e = sp->entries[idx];
	struct shadow_page *child;

	if (!(e & PTE_P))
		return;
	WRITE_ONCE(sp->entries[idx], 0);
	mmu->flush_pending = true;
	if (sh_type_is_leaf(sp->type))
		return;
	child = sh_from_hpa(mmu, e & PTE_ADDR_MASK);
	if (child)
		sh_put_ref(mmu, child, sh_locator(mmu, sp, idx));
}

static void sh_zap_all(struct shadow_mmu *mmu, struct shadow_page *sp)
{
	unsigned int i;

	for (i = 0; i < SH_ENTRIES; i++)
		sh_zap_entry(mmu, sp, i);
}

/* Last reference gone: free @sp and drop what its entries referenced. */
void sh_destroy(struct shadow_mmu *mmu, struct shadow_page *sp)
{
	sh_hash_remove(mmu, sp);
	sh_zap_all(mmu, sp);
	sh_free(mmu, sp);
}

static bool sh_write_protect_leaf(struct shadow_mmu *mmu,
				  struct shadow_page *sp, void *arg)
{
	u64 hfn = *(u64 *)arg;
	unsigned int i;

	if (hfn < sp->wr_lo || hfn > sp->wr_hi)
		return false;
	for (i = 0; i < SH_ENTRIES; i++)
		sh_write_protect_entry(mmu, sp, i, hfn);
	return false;
}

/*
 * Remove write access to guest frame @gfn from every shadow leaf entry:
 * the frame just became a shadowed page table. Brute force over the leaf
 * shadows; out-of-sync L1s track their writable mappings instead (oos.c).
 */
void sh_write_protect_frame(struct shadow_mmu *mmu, u64 gfn)
{
	static const sh_walk_fn leaves[SH_TYPE_NR] = {
		[SH_TYPE_L1_64] = sh_write_protect_leaf,
		[SH_TYPE_L1_32] = sh_write_protect_leaf,
		[SH_TYPE_FL1] = sh_write_protect_leaf,
	};
	bool writable;
	u64 hfn;

	if (mmu_host_gfn_to_hfn(mmu->host, gfn, &hfn, &writable))
		return;
	sh_walk_shadows(mmu, leaves, &hfn);
}

/* Leaf entry @idx of @sp loses write access if it maps host frame @hfn. */
void sh_write_protect_entry(struct shadow_mmu *mmu, struct shadow_page *sp,
			    unsigned int idx, u64 hfn)
{
	u64 e = sp->entries[idx];

	if (!(e & PTE_P) || !(e & PTE_RW) ||
	    ((e & PTE_ADDR_MASK) >> SH_PAGE_SHIFT) != hfn)
		return;
	/*
	 * A supervisor-only entry may be a WP=0 flip (sh_wp0_flip()) whose
	 * U would stay dropped once W goes: zap it, the next access rebuilds
	 * it exactly.
	 */
	if (e & PTE_US)
		e &= ~(PTE_RW | PTE_D);
	else
		e = 0;
	WRITE_ONCE(sp->entries[idx], e);
	mmu->flush_pending = true;
}

/* Find the shadow with key @k or make one (the pool is reserved). */
static struct shadow_page *sh_get_shadow(struct shadow_mmu *mmu,
					 const struct guest_paging *gp,
					 const struct sh_key *k)
{
	struct shadow_page *sp = sh_hash_lookup(mmu, k->gfn, k->type, k->part);
	bool first;

	if (sp)
		return sp;
	sh_oos_before_shadow(mmu, gp, k->gfn, k->type);
	first = sh_type_is_table(k->type) && !sh_frame_is_shadowed(mmu, k->gfn);
	sp = sh_alloc(mmu, k->gfn, k->type, k->part);
	if (sp && first)
		sh_write_protect_frame(mmu, k->gfn);
	return sp;
}

void sh_child_key(const struct guest_paging *gp, const struct shadow_page *sp,
		  unsigned int idx, u64 ge, struct sh_key *k, u64 *flags)
{
	k->gfn = (ge & PTE_ADDR_MASK) >> SH_PAGE_SHIFT;
	k->part = 0;
	*flags = sh_upper_flags(gp, ge);
	if (sp->type == SH_TYPE_L4_64) {
		k->type = SH_TYPE_L3_64;
	} else if (sp->type == SH_TYPE_L3_64) {
		k->type = SH_TYPE_L2_64;
	} else if (ge & PTE_PS) {
		/*
		 * The FL1 is shared by every guest L2e mapping this
		 * superpage, so the L2e's own rights (and its D bit) live in
		 * the shadow L2e. A 2-level guest's 4 MiB page takes two
		 * shadow L2es (even and odd @idx), one 2 MiB FL1 each.
		 */
		k->type = SH_TYPE_FL1;
		k->gfn &= ~((u64)SH_ENTRIES - 1);
		if (sp->type == SH_TYPE_L2_32)
			k->gfn += (idx & 1) * SH_ENTRIES;
		if (!(ge & PTE_D))
			*flags &= ~PTE_RW;
	} else if (sp->type == SH_TYPE_L2_32) {
		/* Shadow L2es 2i, 2i+1: the halves of the guest L1. */
		k->type = SH_TYPE_L1_32;
		k->part = idx & 1;
	} else {
		k->type = SH_TYPE_L1_64;
	}
}

/*
 * The L3-toplevel decision, taken in this one place: a new L4 shadow is
 * being made while more than 2 * nr_vcpus L4s are pinned, so the guest
 * keeps many address spaces (one L4 per process) and pinned L3s would
 * only crowd the pool. Unpin every L3 and stop pinning them in this VM.
 */
static void sh_l3_toplevel_check(struct shadow_mmu *mmu)
{
	struct shadow_page *sp, *tmp;

	if (!mmu->l3_toplevel || mmu->nr_pinned_l4 <= 2 * mmu->nr_vcpus)
		return;
	mmu->l3_toplevel = false;
	mmu->stats.l3_mass_unpins++;
	/* Unpinning an L3 frees at most L2s and L1s: @tmp stays valid. */
	list_for_each_entry_safe(sp, tmp, &mmu->pinned, pin_link)
		if (sp->type == SH_TYPE_L3_64)
			sh_unpin(mmu, sp, MMU_CAUSE_L3_MASS);
}

struct sh_unhook_arg {
	struct shadow_page *child;
	u32 keep;		/* references the child keeps (pin, loads) */
};

/* Clear the entries of @parent that map the child; true once all are. */
static bool sh_unhook_parent(struct shadow_mmu *mmu, struct shadow_page *parent,
			     void *arg)
{
	struct sh_unhook_arg *u = arg;
	unsigned int i;

	if (!sh_type_parent_ok(parent->type, u->child->type))
		return false;
	for (i = 0; i < SH_ENTRIES; i++) {
		u64 e = parent->entries[i];

		if ((e & PTE_P) && (e & PTE_ADDR_MASK) == u->child->hpa)
			sh_zap_entry(mmu, parent, i);
	}
	return u->child->refcount <= u->keep;
}

/*
 * Remove every reference to @sp from parent shadow entries: first the one
 * its up-pointer names (O(1)), then, if references remain, by searching
 * all shadows of the parent types.
 */
static void sh_unhook(struct shadow_mmu *mmu, struct shadow_page *sp,
		      u32 keep)
{
	static const sh_walk_fn parents[SH_TYPE_NR] = {
		[SH_TYPE_L2_64] = sh_unhook_parent,
		[SH_TYPE_L2_PAE] = sh_unhook_parent,
		[SH_TYPE_L2_32] = sh_unhook_parent,
		[SH_TYPE_L2_PHYS] = sh_unhook_parent,
		[SH_TYPE_L3_64] = sh_unhook_parent,
		[SH_TYPE_L4_64] = sh_unhook_parent,
	};
	struct sh_unhook_arg u = { .child = sp, .keep = keep };

	if (sp->up) {
		unsigned long pidx = (sp->up >> 9) - 1;
		unsigned int eidx = sp->up & (SH_ENTRIES - 1);

		if (pidx < mmu->pool_size) {
			struct shadow_page *parent = &mmu->pool[pidx];
			u64 e = parent->entries ? parent->entries[eidx] : 0;

			if (sh_type_parent_ok(parent->type, sp->type) &&
			    (e & PTE_P) &&
			    (e & PTE_ADDR_MASK) == sp->hpa) {
				mmu->stats.unshadows_up++;
				sh_zap_entry(mmu, parent, eidx);
			} else {
				/* Never trust a stale up-pointer (invariant 8) */
				mmu->bad_up++;
			}
		} else {
			mmu->bad_up++;
		}
	}
	if (sp->refcount <= keep || !sh_type_has_up(sp->type))
		return;
	mmu->stats.unshadows_walk++;
	sh_walk_shadows(mmu, parents, &u);
}

/*
 * Tear down shadow @sp: unpin it, unhook it from every parent and free it.
 * A shadow some vCPU has loaded as its root cannot be freed under it: it
 * is emptied, taken out of the hash and marked dead, so that
 * shadow_root_stale() tells the vCPU to reload before it next runs.
 */
void sh_remove_shadow(struct shadow_mmu *mmu, struct shadow_page *sp,
		      enum mmu_cause cause)
{
	/* Hold it: unpinning or unhooking could otherwise free it. */
	sh_get_ref(mmu, sp, 0);
	sh_unpin(mmu, sp, cause);
	sh_unhook(mmu, sp, 1 + sp->nr_loaded);
	if (sp->nr_loaded) {
		sp->dead = true;
		sh_hash_remove(mmu, sp);
		sh_zap_all(mmu, sp);
	}
	sh_put_ref(mmu, sp, 0);
}

/*
 * The guest writes @gfn: drop every shadow of it. True if it had any.
 * @cause: the path that decided it (trace only).
 */
bool sh_unshadow_frame(struct shadow_mmu *mmu, u64 gfn, enum mmu_cause cause)
{
	unsigned int type, part;
	bool found = false;

	for (type = SH_TYPE_L1_64; type < SH_TYPE_NR; type++) {
		struct shadow_page *sp;

		if (!sh_type_is_table(type))
			continue;
		for (part = 0; part < sh_type_parts(type); part++) {
			sp = sh_hash_find(mmu, gfn, type, part);
			if (sp) {
				mmu_host_trace_unshadow(mmu->host, gfn, type,
							part, cause);
				sh_remove_shadow(mmu, sp, cause);
				found = true;
			}
		}
	}
	if (found)
		mmu->stats.unshadows++;
	return found;
}

/*
 * Take back rights granted for one instruction (shadow_fault.single_step):
 * zap the entry unless it was rewritten since, which already took them.
 */
static void sh_step_undo(struct shadow_mmu *mmu)
{
	unsigned long pidx = (mmu->step_loc >> 9) - 1;
	unsigned int idx = mmu->step_loc & (SH_ENTRIES - 1);
	struct shadow_page *sp;

	if (!mmu->step_loc)
		return;
	mmu->step_loc = 0;
	if (pidx >= mmu->pool_size)
		return;
	sp = &mmu->pool[pidx];
	if (sp->type != SH_TYPE_NONE && sp->entries &&
	    sp->entries[idx] == mmu->step_entry)
		sh_zap_entry(mmu, sp, idx);
}

void shadow_step_done(struct shadow_mmu *mmu)
{
	sh_step_undo(mmu);
	sh_flush_if_needed(mmu);
}

/*
 * Every pager entry point is a guest TLB-flush point or a fault: a frame
 * that was left writable while shadowed stops being trusted here.
 */
void sh_resync(struct shadow_mmu *mmu)
{
	sh_step_undo(mmu);
	if (!mmu->path_valid)
		return;
	mmu->path_valid = false;
	sh_unshadow_frame(mmu, mmu->path_gfn, MMU_CAUSE_WALK_PATH);
}

/* Shadows built under other paging controls must not be reused. */
void sh_check_mode(struct shadow_mmu *mmu, const struct guest_paging *gp)
{
	u64 key = sh_mode_key(gp);

	if (mmu->mode_key != key) {
		sh_flush_all(mmu, MMU_CAUSE_MODE);
		mmu->mode_key = key;
	}
}

int shadow_mmu_init(struct shadow_mmu *mmu, struct mmu_host *host,
		    unsigned long pool_pages, unsigned int nr_vcpus)
{
	int ret;

	memset(mmu, 0, sizeof(*mmu));
	mmu->host = host;
	mmu->nr_vcpus = nr_vcpus;
	mmu->mode_key = ~0ULL;
	/* Only 64-bit guests so far, and all of them start with it on. */
	mmu->l3_toplevel = true;
	INIT_LIST_HEAD(&mmu->pinned);
	INIT_LIST_HEAD(&mmu->free_list);
	ret = sh_pool_init(mmu, pool_pages);
	if (ret)
		return ret;
	ret = sh_hash_init(mmu);
	if (!ret)
		ret = sh_oos_init(mmu);
	if (ret) {
		sh_oos_destroy(mmu);
		sh_hash_destroy(mmu);
		sh_pool_destroy(mmu);
		return ret;
	}
	return 0;
}

void shadow_mmu_destroy(struct shadow_mmu *mmu)
{
	unsigned long i;

	if (!mmu->pool)
		return;
	sh_flush_all(mmu, MMU_CAUSE_DESTROY);
	/* Roots still loaded are a caller bug; free them all the same. */
	for (i = 0; i < mmu->pool_size; i++) {
		struct shadow_page *sp = &mmu->pool[i];

		if (sp->type == SH_TYPE_NONE)
			continue;
		sh_unpin(mmu, sp, MMU_CAUSE_DESTROY);
		if (sp->type == SH_TYPE_NONE)
			continue;
		sp->refcount = 0;
		sp->nr_loaded = 0;
		sh_destroy(mmu, sp);
	}
	sh_oos_destroy(mmu);
	sh_hash_destroy(mmu);
	sh_pool_destroy(mmu);
}

void shadow_flush_all(struct shadow_mmu *mmu)
{
	sh_flush_all(mmu, MMU_CAUSE_FLUSH);
}

void sh_flush_all(struct shadow_mmu *mmu, enum mmu_cause cause)
{
	struct shadow_page *sp, *tmp;
	unsigned long i;
	bool again = true;

	/* Unpinning may free other pinned shadows (L3s later): restart. */
	while (again) {
		again = false;
		list_for_each_entry_safe(sp, tmp, &mmu->pinned, pin_link) {
			if (sp->nr_loaded)
				continue;
			sh_unpin(mmu, sp, cause);
			again = true;
			break;
		}
	}
	for (i = 0; i < mmu->pool_size; i++) {
		sp = &mmu->pool[i];
		if (sp->type != SH_TYPE_NONE && sp->nr_loaded)
			sh_zap_all(mmu, sp);
	}
	/* Only roots remain, and no root is an L1. */
	sh_oos_drop_all(mmu);
	sh_flush_if_needed(mmu);
}

int shadow_vcpu_init(struct shadow_mmu *mmu, struct shadow_vcpu *sv)
{
	memset(sv, 0, sizeof(*sv));
	sv->pae_root = mmu_host_alloc_low_page(mmu->host, &sv->pae_root_hpa);
	return sv->pae_root ? 0 : -ENOMEM;
}

void shadow_vcpu_destroy(struct shadow_mmu *mmu, struct shadow_vcpu *sv)
{
	shadow_release_root(mmu, sv);
	if (sv->pae_root)
		mmu_host_free_page(mmu->host, sv->pae_root);
	sv->pae_root = NULL;
}

int shadow_load_root(struct shadow_mmu *mmu, struct shadow_vcpu *sv,
		     const struct guest_paging *gp)
{
	enum shadow_guest_mode mode = shadow_guest_mode(gp);
	struct shadow_page *roots[4] = { NULL };
	struct sh_key k[4];
	bool want[4], hit = true;
	unsigned int q, nr_want = 0;
	int ret;

	if (mode == SHADOW_MODE_NONE || !sv->pae_root)
		return -EINVAL;
	sh_resync(mmu);
	sh_check_mode(mmu, gp);
	/* A CR3 load or mode change is a TLB-flush point. */
	sh_oos_resync_all(mmu, gp, MMU_CAUSE_CR3);
	mmu->stats.root_loads++;

	for (q = 0; q < 4; q++) {
		want[q] = sh_top_key(mmu, gp, q, &k[q]);
		nr_want += want[q];
		if (want[q]) {
			roots[q] = sh_hash_lookup(mmu, k[q].gfn, k[q].type,
						  k[q].part);
			hit &= !!roots[q];
		}
	}
	mmu_host_trace_root_load(mmu->host, gp->cr3, mode, hit);
	if (hit) {
		mmu->stats.root_cache_hits++;
	} else {
		/* Reserving may reclaim: look everything up again after. */
		ret = sh_reserve(mmu, nr_want);
		if (ret) {
			sh_flush_if_needed(mmu);
			return ret;
		}
		if (mode == SHADOW_MODE_64)
			sh_l3_toplevel_check(mmu);
		for (q = 0; q < 4; q++) {
			roots[q] = want[q] ? sh_get_shadow(mmu, gp, &k[q]) :
					     NULL;
			if (want[q] && !roots[q]) {
				/* Cannot happen after the reserve. */
				sh_flush_if_needed(mmu);
				return -ENOMEM;
			}
		}
	}
	/* Take the new roots before dropping the old: they may be the same. */
	for (q = 0; q < 4; q++) {
		if (!roots[q])
			continue;
		sh_pin(mmu, roots[q]);
		sh_get_ref(mmu, roots[q], 0);
		roots[q]->nr_loaded++;
	}
	shadow_release_root(mmu, sv);
	sv->mode = mode;
	sv->root_cr3 = gp->cr3;
	memcpy(sv->root_pdpte, gp->pdpte, sizeof(gp->pdpte));
	for (q = 0; q < 4; q++) {
		sv->root[q] = roots[q];
		/* A PDPTE has no rights bits, only P (SDM Vol. 3, 4.4.1). */
		if (mode != SHADOW_MODE_64)
			sv->pae_root[q] = roots[q] ? roots[q]->hpa | PTE_P : 0;
	}
	/* No L4 (CR3 outside RAM): the empty PAE root page serves as one. */
	sv->root_hpa = mode == SHADOW_MODE_64 && roots[0] ? roots[0]->hpa :
		       sv->pae_root_hpa;
	/* A guest CR3 load flushes its (non-global) TLB entries. */
	mmu->flush_pending = true;
	sh_flush_if_needed(mmu);
	return 0;
}

void shadow_release_root(struct shadow_mmu *mmu, struct shadow_vcpu *sv)
{
	unsigned int q;

	sv->root_hpa = 0;
	sv->mode = SHADOW_MODE_NONE;
	for (q = 0; q < 4; q++) {
		struct shadow_page *sp = sv->root[q];

		if (sv->pae_root)
			sv->pae_root[q] = 0;
		if (!sp)
			continue;
		sv->root[q] = NULL;
		if (sp->nr_loaded)
			sp->nr_loaded--;
		sh_put_ref(mmu, sp, 0);
	}
	sh_flush_if_needed(mmu);
}

bool shadow_root_stale(const struct shadow_vcpu *sv)
{
	unsigned int q;

	for (q = 0; q < 4; q++)
		if (sv->root[q] && sv->root[q]->dead)
			return true;
	return false;
}

/*
 * Point entry @idx of the non-leaf shadow @sp at @child with @flags,
 * moving references if it pointed elsewhere.
 */
void sh_set_link(struct shadow_mmu *mmu, struct shadow_page *sp,
		 unsigned int idx, struct shadow_page *child, u64 flags)
{
	u64 old = sp->entries[idx], new = child->hpa | flags;

	if (old == new)
		return;
	if ((old & PTE_P) && (old & PTE_ADDR_MASK) == child->hpa) {
		/* Same child, other rights: only a loss of rights needs a flush */
		if (old & ~new & (PTE_RW | PTE_US))
			mmu->flush_pending = true;
		if (new & ~old & PTE_NX)
			mmu->flush_pending = true;
		WRITE_ONCE(sp->entries[idx], new);
		return;
	}
	/* Reference the new child first: zapping may free the old one. */
	sh_get_ref(mmu, child, sh_locator(mmu, sp, idx));
	sh_zap_entry(mmu, sp, idx);
	WRITE_ONCE(sp->entries[idx], new);
}

void sh_set_leaf(struct shadow_mmu *mmu, struct shadow_page *sp,
		 unsigned int idx, u64 new)
{
	u64 old = sp->entries[idx], hfn = (new & PTE_ADDR_MASK) >> SH_PAGE_SHIFT;

	if (old == new)
		return;
	if (old & PTE_P)
		mmu->flush_pending = true;
	if (new & PTE_RW) {
		sp->wr_lo = min_t(u64, sp->wr_lo, hfn);
		sp->wr_hi = hfn > sp->wr_hi ? hfn : sp->wr_hi;
	}
	WRITE_ONCE(sp->entries[idx], new);
	sh_oos_note_leaf(mmu, sp, idx, new);
}

/* Rights of a guest non-leaf entry, as shadow entry flags. */
u64 sh_upper_flags(const struct guest_paging *gp, u64 ge)
{
	u64 f = PTE_P | PTE_A | (ge & (PTE_RW | PTE_US));

	if ((gp->efer & EFER_NXE) && (ge & PTE_NX))
		f |= PTE_NX;
	return f;
}

/*
 * May a shadow entry be made from guest entry @ge at @level without a
 * guest walk? Only if it is present, well-formed and already accessed:
 * the pager never sets A on the guest's behalf outside a real access.
 */
bool sh_guest_entry_usable(const struct guest_paging *gp, unsigned int level,
			   u64 ge)
{
	return (ge & PTE_P) && (ge & PTE_A) &&
	       !(ge & sh_guest_rsvd_mask(gp, level, ge));
}

/*
 * May a shadow leaf map guest frame @gfn writable, as far as page tables
 * go? Not if it holds a shadowed guest table (invariant 3), unless its
 * shadows are allowed to lag (shadow_gfn_unsynced()).
 */
static bool sh_frame_writable(const struct shadow_mmu *mmu, u64 gfn)
{
	return !sh_frame_is_shadowed(mmu, gfn) ||
	       shadow_gfn_unsynced(mmu, gfn);
}

/*
 * The shadow L1 entry for guest L1 entry @ge (present, A set), or 0 when
 * its frame is outside guest RAM (MMIO is never mapped). Writable only if
 * the guest entry is writable and dirty, the slot is writable and the
 * frame holds no shadowed page table (invariants 1-3).
 */
u64 sh_leaf_entry(struct shadow_mmu *mmu, const struct guest_paging *gp,
		  u64 ge)
{
	u64 gfn = (ge & GENMASK_ULL(SHADOW_GUEST_MAXPHYADDR - 1, 12)) >>
		  SH_PAGE_SHIFT;
	bool slot_writable;
	u64 hfn, leaf;

	if (mmu_host_gfn_to_hfn(mmu->host, gfn, &hfn, &slot_writable))
		return 0;
	leaf = (hfn << SH_PAGE_SHIFT) | PTE_P | PTE_A | (ge & PTE_US);
	if ((gp->efer & EFER_NXE) && (ge & PTE_NX))
		leaf |= PTE_NX;
	if (slot_writable && (ge & PTE_RW) && (ge & PTE_D) &&
	    sh_frame_writable(mmu, gfn))
		leaf |= PTE_RW | PTE_D;
	return leaf;
}

/* Entries around a faulting one that a fault also fills in (aligned). */
#define SH_PREFETCH	16

/*
 * Prefetch: a fault on entry @idx of shadow L1 @sp also fills the empty
 * neighbouring entries whose guest entries are present and already
 * accessed (the guest will likely touch them next, and A is never set on
 * its behalf). Rights as on a fault: sh_leaf_entry() keeps them read-only
 * unless dirty, and never maps MMIO.
 */
static void sh_prefetch(struct shadow_mmu *mmu, const struct guest_paging *gp,
			struct shadow_page *sp, unsigned int idx)
{
	const void *table = mmu_host_map_gfn(mmu->host, sp->gfn);
	unsigned int first = idx & ~(SH_PREFETCH - 1), i;
	u64 ge, leaf;

	if (!table)
		return;
	for (i = first; i < first + SH_PREFETCH; i++) {
		if (i == idx || (sp->entries[i] & PTE_P))
			continue;
		ge = sh_guest_entry_in(gp, sp, table, i);
		if (!sh_guest_entry_usable(gp, 1, ge))
			continue;
		leaf = sh_leaf_entry(mmu, gp, ge);
		if (!leaf)
			continue;
		sh_set_leaf(mmu, sp, i, leaf);
		sh_oos_note_guest(mmu, sp, i, ge);
		mmu->stats.prefetched++;
	}
}

/*
 * FL1 entry for guest frame @gfn: rights are in the shadow L2e, the FL1
 * adds the per-frame ones (W only for a writable slot and a frame that is
 * no shadowed table). 0 outside guest RAM (MMIO is never mapped).
 */
static u64 sh_fl1_entry(struct shadow_mmu *mmu, u64 gfn)
{
	bool slot_writable;
	u64 hfn, leaf;

	if (mmu_host_gfn_to_hfn(mmu->host, gfn, &hfn, &slot_writable))
		return 0;
	leaf = (hfn << SH_PAGE_SHIFT) | PTE_P | PTE_A | PTE_US;
	if (slot_writable && sh_frame_writable(mmu, gfn))
		leaf |= PTE_RW | PTE_D;
	return leaf;
}

/*
 * FL1 entries filled by one fault (aligned). They cost no guest read, so
 * a superpage is mapped in a few faults rather than one per 4 KiB.
 */
#define SH_PREFETCH_FL1	64

/*
 * The same for a superpage: the neighbours of entry @idx of FL1 @sp map
 * frames of the very guest entry the fault just walked (and set A in),
 * so they need no guest walk at all.
 */
static void sh_prefetch_fl1(struct shadow_mmu *mmu, struct shadow_page *sp,
			    unsigned int idx)
{
	unsigned int first = idx & ~(SH_PREFETCH_FL1 - 1), i;
	u64 leaf;

	for (i = first; i < first + SH_PREFETCH_FL1; i++) {
		if (i == idx || (sp->entries[i] & PTE_P))
			continue;
		leaf = sh_fl1_entry(mmu, sp->gfn + i);
		if (!leaf)
			continue;
		sh_set_leaf(mmu, sp, i, leaf);
		mmu->stats.prefetched++;
	}
}

/*
 * Guest CR0.WP=0 lets a supervisor write through entries that deny writes,
 * but the hardware runs with CR0.WP=1 (guest tables must stay protected).
 * As KVM does, the shadow entry then gets W and loses U: supervisor writes
 * go through, and a user access faults so that the pager puts the guest's
 * own rights back (sh_build() with @sup_write false). @flags are rights
 * the guest entry @ge grants (shadow entry flags); only changed if the
 * guest denies writes there. Under CR4.SMEP the entry also gets NX when U
 * is dropped, or supervisor fetches from the guest's user pages below it
 * would no longer fault; the pager re-walks them. The caller has checked
 * sh_wp0_flip_ok().
 */
static u64 sh_wp0_flip(const struct guest_paging *gp, u64 flags)
{
	if (flags & PTE_RW)
		return flags;
	if ((flags & PTE_US) && (gp->cr4 & CR4_SMEP))
		flags |= PTE_NX;
	return (flags | PTE_RW) & ~PTE_US;
}

/* A supervisor write that guest CR0.WP=0 lets through read-only entries? */
static bool sh_wp0_write(const struct guest_paging *gp, u32 access)
{
	return (access & PFEC_WRITE) && !(access & PFEC_USER) &&
	       !(gp->cr0 & CR0_WP);
}

/*
 * May the shadows express the WP=0 write of walk @w by dropping U?
 * Dropping U at a level hides, from CR4.SMAP, every guest user page below
 * it: nothing traps a later supervisor read with EFLAGS.AC clear. So under
 * SMAP, U may be dropped only where a guest entry at that level or above
 * already denies user access; otherwise the write is emulated.
 */
static bool sh_wp0_flip_ok(const struct guest_paging *gp,
			   const struct guest_walk *w)
{
	bool user_above = true;
	unsigned int level;

	if (!(gp->cr4 & CR4_SMAP))
		return true;
	for (level = w->top_level; level >= w->leaf_level; level--) {
		user_above &= !!(w->entry[level] & PTE_US);
		if (!(w->entry[level] & PTE_RW) && user_above)
			return false;
	}
	return true;
}

/*
 * Build the shadow path and leaf for a successful walk @w of @addr;
 * @sup_write: a supervisor write under guest CR0.WP=0 (sh_wp0_flip()),
 * and *@flip_loc (0 on entry) then locates the topmost entry flipped.
 */
static int sh_build(struct shadow_mmu *mmu, struct shadow_vcpu *sv,
		    const struct guest_paging *gp, u64 addr,
		    const struct guest_walk *w, bool sup_write, u64 *flip_loc)
{
	struct shadow_page *sp, *child;
	unsigned int level, idx;
	struct sh_key k;
	u64 flags, leaf;

	sp = sh_top(sv, addr, &level);
	/* A walk can succeed through a top table outside RAM: all ones. */
	if (!sp)
		return -EINVAL;
	for (; level > 1; level--) {
		idx = sh_entry_index(addr, level);
		sh_child_key(gp, sp, idx, w->entry[level], &k, &flags);
		if (sup_write && !(flags & PTE_RW)) {
			flags = sh_wp0_flip(gp, flags);
			if (!*flip_loc)
				*flip_loc = sh_locator(mmu, sp, idx);
		}
		child = sh_get_shadow(mmu, gp, &k);
		if (!child)
			return -ENOMEM;
		sh_set_link(mmu, sp, idx, child, flags);
		/*
		 * Under L3-toplevel an L3 is pinned when made, and pinned
		 * again (or made most recently used) whenever a fault goes
		 * through it, so it survives the L4s above it coming and
		 * going. Pinned after linking: its up field may name that
		 * link, and stops being maintained - sh_unpin() clears it.
		 */
		if (k.type == SH_TYPE_L3_64 && mmu->l3_toplevel)
			sh_pin(mmu, child);
		sp = child;
	}

	if (w->leaf_level == 1 && sup_write && !(w->entry[1] & PTE_RW)) {
		/* The walk set D; W only if the frame may be written at all. */
		leaf = sh_leaf_entry(mmu, gp, w->entry[1] | PTE_RW);
		if (leaf & PTE_RW) {
			leaf = sh_wp0_flip(gp, leaf & ~PTE_RW) | PTE_RW | PTE_D;
			if (!*flip_loc)
				*flip_loc = sh_locator(mmu, sp,
						       sh_entry_index(addr, 1));
		}
	} else if (w->leaf_level == 1) {
		leaf = sh_leaf_entry(mmu, gp, w->entry[1]);
	} else {
		leaf = sh_fl1_entry(mmu, w->gfn);
	}
	sh_set_leaf(mmu, sp, sh_entry_index(addr, 1), leaf);
	if (w->leaf_level == 1) {
		sh_oos_note_guest(mmu, sp, sh_entry_index(addr, 1), w->entry[1]);
		sh_prefetch(mmu, gp, sp, sh_entry_index(addr, 1));
	} else {
		sh_prefetch_fl1(mmu, sp, sh_entry_index(addr, 1));
	}
	return 0;
}

/*
 * Is @gfn one of the tables @sv has loaded as its root? Unshadowing it
 * would only make the vCPU shadow it again before the write is retried.
 */
static bool sh_is_root(const struct shadow_vcpu *sv, u64 gfn)
{
	unsigned int q;

	for (q = 0; q < 4; q++)
		if (sv->root[q] && sh_type_is_table(sv->root[q]->type) &&
		    sv->root[q]->gfn == gfn)
			return true;
	return false;
}

static bool sh_on_walk_path(const struct guest_walk *w, u64 gfn)
{
	unsigned int level;

	for (level = w->top_level; level >= w->leaf_level; level--)
		if (w->table_gfn[level] == gfn)
			return true;
	return false;
}

int shadow_page_fault(struct shadow_mmu *mmu, struct shadow_vcpu *sv,
		      const struct guest_paging *gp, u64 addr, u32 pfec,
		      struct shadow_fault *out)
{
	u32 access = pfec & PFEC_ACCESS, guest_pfec = 0;
	struct guest_walk w;
	bool slot_writable, native, sup_write, step, emulate = false;
	u64 hfn, flip_loc = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (shadow_guest_mode(gp) == SHADOW_MODE_NONE || !sv->root_hpa)
		return -EINVAL;
	sh_resync(mmu);
	sh_check_mode(mmu, gp);
	if (shadow_root_stale(sv)) {
		/* Nothing to fix on a dead root: the vCPU reloads, retries. */
		out->kind = SHADOW_FAULT_FIXED;
		sh_flush_if_needed(mmu);
		return 0;
	}
	if (!sh_root_matches(sv, gp)) {
		sh_flush_if_needed(mmu);
		return -EINVAL;
	}

	ret = sh_guest_walk(mmu->host, gp, addr, access, true, &w, &guest_pfec);
	if (ret == -EFAULT) {
		mmu->stats.guest_faults++;
		out->kind = SHADOW_FAULT_GUEST;
		out->error_code = guest_pfec;
		ret = 0;
		goto out;
	}
	if (ret) {
		/* The guest keeps rewriting the entry: let it retry. */
		out->kind = SHADOW_FAULT_FIXED;
		ret = 0;
		goto out;
	}

	if (mmu_host_gfn_to_hfn(mmu->host, w.gfn, &hfn, &slot_writable) ||
	    (!slot_writable && (access & PFEC_WRITE))) {
		mmu->stats.mmio_faults++;
		out->kind = SHADOW_FAULT_MMIO;
		out->gpa = w.gpa;
		out->write = access & PFEC_WRITE;
		goto out;
	}

	ret = sh_reserve(mmu, SH_FAULT_RESERVE);
	if (ret)
		goto out;
	sh_emulate_note_walk(mmu, &w);

	/*
	 * A write to one of the guest's page tables is normally emulated
	 * (below). It runs natively instead when it comes from user mode
	 * (page tables are not user data: the frame is being reused) or
	 * when the emulator gave up on this frame (shadow_unshadow_gfn()):
	 * then the shadows of the frame are dropped. A frame on the path
	 * of this very write, or one the vCPU has loaded as a root, cannot
	 * be dropped (building the path or reloading the root shadows it
	 * again), so it is left writable until the next pager entry.
	 */
	native = (access & PFEC_USER) ||
		 (mmu->native_valid && mmu->native_gfn == w.gfn);
	if ((access & PFEC_WRITE) && native) {
		if (mmu->native_gfn == w.gfn)
			mmu->native_valid = false;
		if (sh_on_walk_path(&w, w.gfn) || sh_is_root(sv, w.gfn)) {
			mmu->path_valid = true;
			mmu->path_gfn = w.gfn;
		} else if (sh_frame_is_shadowed(mmu, w.gfn)) {
			sh_unshadow_frame(mmu, w.gfn,
					  (access & PFEC_USER) ?
					  MMU_CAUSE_USER_WRITE :
					  MMU_CAUSE_NATIVE_RETRY);
		}
	}

	sup_write = sh_wp0_write(gp, access);
	step = sup_write && !sh_wp0_flip_ok(gp, &w);
	if (step && !native) {
		/*
		 * No shadow rights express this write (see sh_wp0_flip_ok()):
		 * the vCPU emulates it, as it does guest page-table writes.
		 * If its emulator gives up, the retry is native: the flip is
		 * then granted for that one instruction.
		 */
		sup_write = false;
		emulate = true;
	}
	/*
	 * A supervisor write to a guest L1 (shadowed as nothing else) lets
	 * it go out of sync rather than be emulated: sh_build() then maps
	 * it writable and the guest writes it natively (oos.c).
	 */
	if ((access & PFEC_WRITE) && !native && !emulate &&
	    !sh_oos_find(mmu, w.gfn) && !sh_on_walk_path(&w, w.gfn) &&
	    sh_oos_eligible(mmu, w.gfn))
		sh_oos_unsync(mmu, gp, w.gfn, hfn);
	ret = sh_build(mmu, sv, gp, addr, &w, sup_write, &flip_loc);
	if (ret)
		goto out;
	if (step && flip_loc) {
		struct shadow_page *fsp = &mmu->pool[(flip_loc >> 9) - 1];

		mmu->step_loc = flip_loc;
		mmu->step_entry = fsp->entries[flip_loc & (SH_ENTRIES - 1)];
		out->single_step = true;
	}
	mmu->stats.shadow_faults++;
	out->kind = SHADOW_FAULT_FIXED;
	if ((access & PFEC_WRITE) && !native &&
	    (emulate || !sh_frame_writable(mmu, w.gfn))) {
		/* The path is built (read-only leaf): emulate the write. */
		out->kind = SHADOW_FAULT_EMULATE;
		out->gpa = w.gpa;
		out->write = true;
	}
out:
	if (!ret)
		mmu_host_trace_fault(mmu->host, addr, pfec, out->kind,
				     out->error_code, out->gpa);
	sh_flush_if_needed(mmu);
	return ret;
}

void shadow_invlpg(struct shadow_mmu *mmu, struct shadow_vcpu *sv,
		   const struct guest_paging *gp, u64 addr)
{
	struct shadow_page *sp;
	unsigned int level;

	mmu->stats.invlpg++;
	if (!sv->root_hpa || !sh_root_matches(sv, gp))
		return;
	sh_resync(mmu);
	sh_check_mode(mmu, gp);
	/*
	 * INVLPG is a TLB-flush point: out-of-sync L1s are resynced. Only
	 * @addr must be fresh architecturally, and KVM refreshes just that
	 * entry; doing so here left a stale translation in the long
	 * differential run (make bench: pttorture seed 3, op 0x685e) that
	 * resyncing everything does not. Until that is understood, this.
	 */
	sh_oos_resync_all(mmu, gp, MMU_CAUSE_INVLPG);
	for (sp = sh_top(sv, addr, &level); sp && !sp->dead && level >= 1;
	     level--) {
		unsigned int idx = sh_entry_index(addr, level);
		u64 e = sp->entries[idx];

		if (level == 1) {
			sh_zap_entry(mmu, sp, idx);
			break;
		}
		if (!(e & PTE_P))
			break;
		sp = sh_from_hpa(mmu, e & PTE_ADDR_MASK);
	}
	/* The guest expects this address gone from its TLB in any case. */
	mmu->flush_pending = true;
	sh_flush_if_needed(mmu);
}

int shadow_translate(struct shadow_mmu *mmu, const struct guest_paging *gp,
		     u64 addr, u32 pfec, u64 *gpa, u32 *fault_pfec)
{
	struct guest_walk w;
	int ret;

	*fault_pfec = 0;
	switch (shadow_guest_mode(gp)) {
	case SHADOW_MODE_NONE:
		return -EINVAL;
	case SHADOW_MODE_64:
		/* Non-canonical addresses raise #GP, not #PF: the caller's. */
		if ((u64)((s64)(addr << 16) >> 16) != addr)
			return -EINVAL;
		break;
	default:
		/* Linear addresses are 32 bits wide. */
		addr &= 0xffffffffULL;
		break;
	}
	ret = sh_guest_walk(mmu->host, gp, addr, pfec, true, &w, fault_pfec);
	if (ret == -EBUSY)
		return -EAGAIN;
	if (ret)
		return -EFAULT;
	*gpa = w.gpa;
	return 0;
}
