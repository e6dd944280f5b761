// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-sync L1s.
 *
 * While a guest L1 is write-protected, every write the guest makes to it
 * (a kernel filling in PTEs) costs an exit and an emulation. Instead, a
 * write fault on a frame that is shadowed only as an L1 lets the frame go
 * out of sync: the pager copies it into a snapshot and maps it writable,
 * and the guest then writes it natively. The frame's shadows may lag
 * behind its entries from then on, as a TLB may: until the guest's next
 * TLB-flush point (CR3 load, INVLPG, paging-mode change). At each of those
 * the pager resyncs every out-of-sync frame: it write-protects the frame
 * again and revalidates, in place, each entry that differs from the
 * snapshot. A fault through a stale shadow entry walks the guest's current
 * tables and fixes the entry, so the guest never sees more than a TLB
 * would have shown it.
 *
 * Only L1s go out of sync: the entries of an upper table decide which
 * shadows exist and are linked, which must stay exact. A frame that gets
 * a shadow of another type is resynced first (sh_oos_before_shadow()).
 * The writable leaves made to an out-of-sync frame are remembered as they
 * are made (sh_oos_note_leaf()), so resyncing need not search the pool.
 */
#include "internal.h"

/* 8-byte words changed since the snapshot that mean "no longer a table". */
#define SH_OOS_REUSED	(SH_ENTRIES / 2)

int sh_oos_init(struct shadow_mmu *mmu)
{
	unsigned int i;
	u64 hpa;

	for (i = 0; i < SHADOW_OOS_SLOTS; i++) {
		mmu->oos[i].snapshot = mmu_host_alloc_page(mmu->host, &hpa);
		if (!mmu->oos[i].snapshot)
			return -ENOMEM;
	}
	return 0;
}

void sh_oos_destroy(struct shadow_mmu *mmu)
{
	unsigned int i;

	/* Also after a failed sh_oos_init(): some may never have come. */
	for (i = 0; i < SHADOW_OOS_SLOTS; i++) {
		if (mmu->oos[i].snapshot)
			mmu_host_free_page(mmu->host, mmu->oos[i].snapshot);
		mmu->oos[i].snapshot = NULL;
		mmu->oos[i].valid = false;
	}
}

struct shadow_oos *sh_oos_find(const struct shadow_mmu *mmu, u64 gfn)
{
	unsigned int i;

	for (i = 0; i < SHADOW_OOS_SLOTS; i++)
		if (mmu->oos[i].valid && mmu->oos[i].gfn == gfn)
			return (struct shadow_oos *)&mmu->oos[i];
	return NULL;
}

bool shadow_gfn_unsynced(const struct shadow_mmu *mmu, u64 gfn)
{
	return (mmu->path_valid && mmu->path_gfn == gfn) ||
	       sh_oos_find(mmu, gfn);
}

/* Is @gfn shadowed, and only as an L1 (of either entry size)? */
bool sh_oos_eligible(const struct shadow_mmu *mmu, u64 gfn)
{
	unsigned int types = sh_frame_table_types(mmu, gfn);

	return types && !(types & ~(BIT(SH_TYPE_L1_64) | BIT(SH_TYPE_L1_32)));
}

/* Shadow leaf entry @idx of @sp now maps @new: remember writable ones. */
void sh_oos_note_leaf(struct shadow_mmu *mmu, struct shadow_page *sp,
		      unsigned int idx, u64 new)
{
	u64 hfn = (new & PTE_ADDR_MASK) >> SH_PAGE_SHIFT;
	unsigned int i;

	if (!(new & PTE_P) || !(new & PTE_RW))
		return;
	for (i = 0; i < SHADOW_OOS_SLOTS; i++) {
		struct shadow_oos *o = &mmu->oos[i];

		if (!o->valid || o->hfn != hfn)
			continue;
		if (o->nr_wmaps < SHADOW_OOS_WMAPS)
			o->wmap[o->nr_wmaps] = sh_locator(mmu, sp, idx);
		if (o->nr_wmaps <= SHADOW_OOS_WMAPS)
			o->nr_wmaps++;
	}
}

void sh_oos_note_guest(struct shadow_mmu *mmu, const struct shadow_page *sp,
		       unsigned int idx, u64 ge)
{
	struct shadow_oos *o = sh_oos_find(mmu, sp->gfn);
	unsigned int gidx = sh_guest_index(sp, idx);

	if (!o)
		return;
	if (sh_type_guest_entry_size(sp->type) == 8)
		o->snapshot[gidx] = ge;
	else
		((u32 *)o->snapshot)[gidx] = ge;
}

/* Take write access to @o's frame back from every shadow leaf. */
static void sh_oos_write_protect(struct shadow_mmu *mmu, struct shadow_oos *o)
{
	unsigned int i;

	if (o->nr_wmaps > SHADOW_OOS_WMAPS) {
		sh_write_protect_frame(mmu, o->gfn);
		return;
	}
	for (i = 0; i < o->nr_wmaps; i++) {
		unsigned long pidx = (o->wmap[i] >> 9) - 1;
		struct shadow_page *sp = &mmu->pool[pidx];

		/* The entry may have been rewritten or freed since: check. */
		if (sh_type_is_leaf(sp->type))
			sh_write_protect_entry(mmu, sp,
					       o->wmap[i] & (SH_ENTRIES - 1),
					       o->hfn);
	}
}

/*
 * Bring @o's frame back in sync with its shadows and free the slot.
 * @cause: why now (trace only).
 */
static void sh_oos_resync(struct shadow_mmu *mmu,
			  const struct guest_paging *gp, struct shadow_oos *o,
			  enum mmu_cause cause)
{
	const u64 *now = mmu_host_map_gfn(mmu->host, o->gfn);
	unsigned int i, changed = 0;
	bool in_use;

	/* First: leaves rebuilt by the revalidation must be read-only. */
	o->valid = false;
	mmu->stats.oos_resyncs++;
	/* Unshadowed meanwhile: its writable mappings are legitimate. */
	in_use = now && sh_frame_is_shadowed(mmu, o->gfn);
	for (i = 0; in_use && i < SH_ENTRIES; i++)
		changed += READ_ONCE(now[i]) != o->snapshot[i];
	mmu_host_trace_oos_resync(mmu->host, o->gfn, o - mmu->oos, changed,
				  cause);
	if (!in_use)
		return;
	/*
	 * Most of the table rewritten between two TLB flushes: the frame
	 * is being reused as data (what the write path's zeroing and
	 * flooding heuristics catch for emulated writes). Unshadowing it
	 * also takes every mapping's write protection away.
	 */
	if (changed >= SH_OOS_REUSED) {
		sh_unshadow_frame(mmu, o->gfn, MMU_CAUSE_OOS_REUSED);
		return;
	}
	sh_oos_write_protect(mmu, o);
	for (i = 0; i < SH_ENTRIES && changed; i++) {
		if (READ_ONCE(now[i]) == o->snapshot[i])
			continue;
		sh_revalidate_range(mmu, gp, o->gfn, i * 8, i * 8 + 7);
		changed--;
	}
}

void sh_oos_resync_all(struct shadow_mmu *mmu, const struct guest_paging *gp,
		       enum mmu_cause cause)
{
	unsigned int i;

	for (i = 0; i < SHADOW_OOS_SLOTS; i++)
		if (mmu->oos[i].valid)
			sh_oos_resync(mmu, gp, &mmu->oos[i], cause);
}

void sh_oos_before_shadow(struct shadow_mmu *mmu,
			  const struct guest_paging *gp, u64 gfn,
			  unsigned int type)
{
	struct shadow_oos *o = sh_oos_find(mmu, gfn);

	if (o && !sh_type_is_leaf(type))
		sh_oos_resync(mmu, gp, o, MMU_CAUSE_RESHADOW);
}

/* All shadows are gone (shadow_flush_all()): nothing is out of sync. */
void sh_oos_drop_all(struct shadow_mmu *mmu)
{
	unsigned int i;

	for (i = 0; i < SHADOW_OOS_SLOTS; i++)
		mmu->oos[i].valid = false;
}

void sh_oos_unsync(struct shadow_mmu *mmu, const struct guest_paging *gp,
		   u64 gfn, u64 hfn)
{
	const u64 *table = mmu_host_map_gfn(mmu->host, gfn);
	struct shadow_oos *o = NULL;
	unsigned int i;

	if (!table)
		return;
	for (i = 0; i < SHADOW_OOS_SLOTS && !o; i++)
		if (!mmu->oos[i].valid)
			o = &mmu->oos[i];
	if (!o) {
		o = &mmu->oos[mmu->oos_next];
		mmu->oos_next = (mmu->oos_next + 1) % SHADOW_OOS_SLOTS;
		sh_oos_resync(mmu, gp, o, MMU_CAUSE_EVICT);
	}
	for (i = 0; i < SH_ENTRIES; i++)
		o->snapshot[i] = READ_ONCE(table[i]);
	o->gfn = gfn;
	o->hfn = hfn;
	o->nr_wmaps = 0;
	o->valid = true;
	mmu->stats.oos_unsyncs++;
	mmu_host_trace_oos_unsync(mmu->host, gfn, o - mmu->oos);
}
