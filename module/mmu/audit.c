// SPDX-License-Identifier: GPL-2.0
/*
 * Audit of the shadow pager's invariants (Documentation/shadow-pager.rst,
 * DESIGN.md invariants 1, 2, 3, 5, 6, 7, 8). Every shadow entry is checked
 * against the guest entry it was built from: with guest page tables write
 * protected, a shadow page must mirror its guest table at all times (except
 * the one frame left writable until the next pager entry).
 */
#include "internal.h"

#define AUDIT_LOG_MAX	8

struct sh_audit {
	struct shadow_mmu *mmu;
	unsigned long errors;
	u32 *refs;		/* references found, per pool entry */
};

/*
 * At most AUDIT_LOG_MAX lines per pass, and rate-limited across passes:
 * with audit=1 a pass follows every fault, and a persistent violation
 * must not flood the kernel log (and push everything else out of the
 * ring buffer). The count in the stats is exact either way.
 */
#define audit_fail(a, fmt, ...)						\
	do {								\
		if ((a)->errors++ < AUDIT_LOG_MAX)			\
			pr_warn_ratelimited("shadowvm audit: " fmt "\n",	\
					    ##__VA_ARGS__);		\
	} while (0)

/* The guest paging controls the shadows were built under (mode_key). */
static void audit_paging(const struct shadow_mmu *mmu, struct guest_paging *gp)
{
	u64 key = mmu->mode_key;

	memset(gp, 0, sizeof(*gp));
	gp->cr0 = CR0_PE | (key & CR0_WP);
	gp->cr4 = key & (CR4_SMEP | CR4_SMAP | CR4_PSE);
	gp->efer = key & EFER_NXE;
	/* The modes are numbered in the order of the controls they add. */
	if ((key >> 32) >= SHADOW_MODE_32)
		gp->cr0 |= CR0_PG;
	if ((key >> 32) >= SHADOW_MODE_PAE)
		gp->cr4 |= CR4_PAE;
	if ((key >> 32) >= SHADOW_MODE_64)
		gp->efer |= EFER_LMA;
}

static bool audit_skip_frame(const struct shadow_mmu *mmu, u64 gfn)
{
	return shadow_gfn_unsynced(mmu, gfn);
}

/* Invariant 3: may a shadow leaf map guest frame @gfn writable? */
static bool audit_may_write(const struct shadow_mmu *mmu, u64 gfn)
{
	return !sh_frame_is_shadowed(mmu, gfn) || audit_skip_frame(mmu, gfn);
}

/*
 * Guest CR0.WP=0 (sh_wp0_flip() in shadow.c): a shadow entry may grant W
 * where the guest entry denies it, only to supervisor writes, so U must
 * be gone (and NX present under CR4.SMEP if U was dropped).
 */
static bool audit_wp0_flipped(const struct shadow_mmu *mmu, u64 se, u64 ge)
{
	return !(mmu->mode_key & CR0_WP) && (se & PTE_RW) && !(ge & PTE_RW);
}

/*
 * Rights @ge (guest entry or shadow flags) after the flip for a WP=0
 * supervisor write: W granted, U taken away, NX added under CR4.SMEP
 * if U was there. Whether the flip applies is for the caller.
 */
static u64 audit_wp0_flip(const struct shadow_mmu *mmu, u64 ge)
{
	if ((ge & PTE_US) && (mmu->mode_key & CR4_SMEP))
		ge |= PTE_NX;
	return (ge | PTE_RW) & ~PTE_US;
}

static void audit_leaf(struct sh_audit *a, const struct shadow_page *sp,
		       unsigned int i, u64 se, u64 gfn, u64 ge)
{
	struct shadow_mmu *mmu = a->mmu;
	bool writable;
	u64 hfn;

	if (mmu_host_gfn_to_hfn(mmu->host, gfn, &hfn, &writable)) {
		audit_fail(a, "shadow %lu[%u] maps gfn %llx outside RAM",
			   sh_index(mmu, sp), i, gfn);
		return;
	}
	if (((se & PTE_ADDR_MASK) >> SH_PAGE_SHIFT) != hfn)
		audit_fail(a, "shadow %lu[%u] maps hfn %llx, gfn %llx is %llx",
			   sh_index(mmu, sp), i,
			   (se & PTE_ADDR_MASK) >> SH_PAGE_SHIFT, gfn, hfn);
	if ((se & PTE_RW) && (!writable || !audit_may_write(mmu, gfn)))
		audit_fail(a, "shadow %lu[%u] writable to %s gfn %llx",
			   sh_index(mmu, sp), i,
			   writable ? "page-table" : "read-only", gfn);
	/* Write protection skips leaves by this range: it must hold. */
	if ((se & PTE_RW) && (hfn < sp->wr_lo || hfn > sp->wr_hi))
		audit_fail(a, "shadow %lu[%u] writable to hfn %llx outside [%llx, %llx]",
			   sh_index(mmu, sp), i, hfn, sp->wr_lo, sp->wr_hi);
	if (sp->type == SH_TYPE_FL1)
		return;
	if (!(mmu->mode_key & EFER_NXE))
		ge &= ~PTE_NX;
	if (audit_wp0_flipped(mmu, se, ge)) {
		/* Invariant 2 still holds: the supervisor write set D. */
		if (!(ge & PTE_D))
			audit_fail(a, "shadow %lu[%u] %llx, flipped for clean guest l1e %llx",
				   sh_index(mmu, sp), i, se, ge);
		ge = audit_wp0_flip(mmu, ge);
	}
	/* Invariants 1 and 2 for the guest L1e itself. */
	if ((se & PTE_RW) && !((ge & PTE_RW) && (ge & PTE_D)))
		audit_fail(a, "shadow %lu[%u] writable, guest l1e %llx",
			   sh_index(mmu, sp), i, ge);
	/*
	 * Exactness (revalidation keeps shadows in step with the guest): U
	 * and NX as the guest entry says; only W may be missing (dirty
	 * tracking, write protection), and the frame was checked above.
	 */
	if (!!(se & PTE_US) != !!(ge & PTE_US))
		audit_fail(a, "shadow %lu[%u] %llx, user differs from guest l1e %llx",
			   sh_index(mmu, sp), i, se, ge);
	if (!!(se & PTE_NX) != !!(ge & PTE_NX))
		audit_fail(a, "shadow %lu[%u] %llx, NX differs from guest l1e %llx",
			   sh_index(mmu, sp), i, se, ge);
}

static void audit_link(struct sh_audit *a, const struct shadow_page *sp,
		       unsigned int i, u64 se, u64 ge)
{
	struct shadow_mmu *mmu = a->mmu;
	struct shadow_page *child = sh_from_hpa(mmu, se & PTE_ADDR_MASK);
	struct guest_paging gp;
	struct sh_key k;
	bool flipped;
	u64 want;

	if (!child || child->type == SH_TYPE_NONE) {
		audit_fail(a, "shadow %lu[%u] points at no live shadow",
			   sh_index(mmu, sp), i);
		return;
	}
	a->refs[sh_index(mmu, child)]++;
	audit_paging(mmu, &gp);
	sh_child_key(&gp, sp, i, ge, &k, &want);
	if (k.type == SH_TYPE_FL1 && (se & PTE_RW) && !(ge & PTE_D))
		audit_fail(a, "shadow %lu[%u] writable, superpage l2e %llx clean",
			   sh_index(mmu, sp), i, ge);
	/* Invariant 5, by induction: each child shadows what the entry names */
	if (child->type != k.type || child->gfn != k.gfn ||
	    child->part != k.part)
		audit_fail(a, "shadow %lu[%u] -> type %u gfn %llx part %u, guest %llx",
			   sh_index(mmu, sp), i, child->type, child->gfn,
			   child->part, ge);
	if ((se & PTE_RW) && !(ge & PTE_RW) &&
	    !audit_wp0_flipped(mmu, se, ge))
		audit_fail(a, "shadow %lu[%u] writable, guest %llx",
			   sh_index(mmu, sp), i, ge);
	flipped = audit_wp0_flipped(mmu, se, ge);
	/*
	 * Exactness: an upper shadow entry carries exactly the guest entry's
	 * rights. The one exception is W of a superpage L2e, which also
	 * waits for the guest D bit, and D may be set by a walk that built
	 * nothing (shadow_translate()).
	 */
	want = sh_upper_flags(&gp, ge);
	if (flipped)
		want = audit_wp0_flip(mmu, want);
	if (want != (se & ~PTE_ADDR_MASK) &&
	    !(k.type == SH_TYPE_FL1 &&
	      want == ((se & ~PTE_ADDR_MASK) | PTE_RW)))
		audit_fail(a, "shadow %lu[%u] %llx not exact for guest %llx",
			   sh_index(mmu, sp), i, se, ge);
}

static void audit_entries(struct sh_audit *a, const struct shadow_page *sp)
{
	struct shadow_mmu *mmu = a->mmu;
	unsigned int level = sh_type_level(sp->type);
	bool table_writable = false;
	struct guest_paging gp;
	unsigned int i;
	u64 hfn;

	audit_paging(mmu, &gp);
	if (sh_type_is_table(sp->type)) {
		if (!mmu_host_map_gfn(mmu->host, sp->gfn)) {
			audit_fail(a, "shadow %lu of gfn %llx outside RAM",
				   sh_index(mmu, sp), sp->gfn);
			return;
		}
		mmu_host_gfn_to_hfn(mmu->host, sp->gfn, &hfn, &table_writable);
	}
	for (i = 0; i < SH_ENTRIES; i++) {
		u64 se = sp->entries[i], ge;

		if (!(se & PTE_P))
			continue;
		if (sp->type == SH_TYPE_FL1) {
			audit_leaf(a, sp, i, se, sp->gfn + i, 0);
			continue;
		}
		if (audit_skip_frame(mmu, sp->gfn)) {
			/* Stale until resync; still count its references. */
			if (!sh_type_is_leaf(sp->type)) {
				struct shadow_page *c =
					sh_from_hpa(mmu, se & PTE_ADDR_MASK);

				if (c)
					a->refs[sh_index(mmu, c)]++;
			}
			continue;
		}
		ge = sh_guest_entry(mmu, &gp, sp, i);
		/* Invariant 2: present shadow entry => guest A set. */
		if (!(ge & PTE_P) || (table_writable && !(ge & PTE_A)) ||
		    (ge & sh_guest_rsvd_mask(&gp, level, ge))) {
			audit_fail(a, "shadow %lu[%u] (type %u gfn %llx) present, guest entry %llx",
				   sh_index(mmu, sp), i, sp->type, sp->gfn, ge);
			continue;
		}
		if (sh_type_is_leaf(sp->type))
			audit_leaf(a, sp, i, se,
				   (ge & PTE_ADDR_MASK) >> SH_PAGE_SHIFT, ge);
		else
			audit_link(a, sp, i, se, ge);
	}
}

/* Invariant 8: a non-zero up-pointer names an entry that maps @sp. */
static void audit_up(struct sh_audit *a, const struct shadow_page *sp)
{
	struct shadow_mmu *mmu = a->mmu;
	unsigned long pidx = (sp->up >> 9) - 1;
	const struct shadow_page *parent;
	u64 e;

	/* Not maintained while pinned (sh_pin()); sh_unpin() clears it. */
	if (!sp->up || (sp->pinned && sh_type_has_up(sp->type)))
		return;
	if (!sh_type_has_up(sp->type)) {
		audit_fail(a, "shadow %lu type %u pinned %d has up %llx",
			   sh_index(mmu, sp), sp->type, sp->pinned, sp->up);
		return;
	}
	if (pidx >= mmu->pool_size) {
		audit_fail(a, "shadow %lu up %llx out of range",
			   sh_index(mmu, sp), sp->up);
		return;
	}
	parent = &mmu->pool[pidx];
	e = parent->entries ? parent->entries[sp->up & (SH_ENTRIES - 1)] : 0;
	if (!sh_type_parent_ok(parent->type, sp->type) || !(e & PTE_P) ||
	    (e & PTE_ADDR_MASK) != sp->hpa)
		audit_fail(a, "shadow %lu up %llx names entry %llx of type %u",
			   sh_index(mmu, sp), sp->up, e, parent->type);
}

/* Invariant 6: in the right bucket, and the only one for its key. */
static void audit_hash(struct sh_audit *a, struct shadow_page *sp)
{
	struct shadow_mmu *mmu = a->mmu;
	struct list_head *head =
		&mmu->hash[sh_hash_bucket(mmu, sp->gfn, sp->type, sp->part)];
	struct shadow_page *o;
	bool found = false;

	list_for_each_entry(o, head, hash_link) {
		if (o == sp)
			found = true;
		else if (o->gfn == sp->gfn && o->type == sp->type &&
			 o->part == sp->part)
			audit_fail(a, "shadows %lu and %lu both for gfn %llx type %u part %u",
				   sh_index(mmu, sp), sh_index(mmu, o),
				   sp->gfn, sp->type, sp->part);
	}
	if (found == sp->dead)
		audit_fail(a, "shadow %lu (dead %d) %s in its hash bucket",
			   sh_index(mmu, sp), sp->dead,
			   found ? "is" : "is not");
}

unsigned long shadow_audit(struct shadow_mmu *mmu)
{
	struct sh_audit a = { .mmu = mmu };
	unsigned long i, in_use = 0, nr_free = 0, hashed = 0, live = 0;
	struct shadow_page *sp;

	a.refs = mmu_host_zalloc(mmu->host, mmu->pool_size * sizeof(*a.refs));
	if (!a.refs)
		return 0;	/* cannot check now; not a violation */

	list_for_each_entry(sp, &mmu->free_list, hash_link) {
		nr_free++;
		if (sp->type != SH_TYPE_NONE || sp->refcount || sp->pinned)
			audit_fail(&a, "free shadow %lu type %u refs %u pinned %d",
				   sh_index(mmu, sp), sp->type, sp->refcount,
				   sp->pinned);
	}
	if (mmu->bad_up)
		audit_fail(&a, "%llu up-pointers named a wrong entry",
			   mmu->bad_up);
	if (nr_free != mmu->nr_free)
		audit_fail(&a, "free list holds %lu, nr_free %lu", nr_free,
			   mmu->nr_free);

	for (i = 0; i < mmu->pool_size; i++) {
		sp = &mmu->pool[i];
		if (sp->type == SH_TYPE_NONE)
			continue;
		in_use++;
		if (!sp->dead)
			live++;
		audit_hash(&a, sp);
		audit_up(&a, sp);
		if (sp->pinned != !list_empty(&sp->pin_link) ||
		    (sp->pinned && !sh_type_pinnable(sp->type)))
			audit_fail(&a, "shadow %lu type %u pinned %d mislisted",
				   i, sp->type, sp->pinned);
		if (sp->pinned && sp->type == SH_TYPE_L3_64 &&
		    !mmu->l3_toplevel)
			audit_fail(&a, "L3 shadow %lu pinned, L3-toplevel off", i);
		if (sp->dead && (!sp->nr_loaded || sp->pinned))
			audit_fail(&a, "dead shadow %lu loaded %u pinned %d",
				   i, sp->nr_loaded, sp->pinned);
		audit_entries(&a, sp);
	}
	for (i = 0; i < mmu->hash_buckets; i++)
		list_for_each_entry(sp, &mmu->hash[i], hash_link)
			hashed++;
	if (hashed != live)
		audit_fail(&a, "hash holds %lu shadows, %lu are live", hashed,
			   live);
	if (in_use + nr_free != mmu->pool_size ||
	    in_use != mmu->stats.pages_in_use)
		audit_fail(&a, "%lu in use + %lu free != pool %lu (stats %llu)",
			   in_use, nr_free, mmu->pool_size,
			   mmu->stats.pages_in_use);

	/* Invariant 7: references are exactly the entries, pin and loads. */
	for (i = 0; i < mmu->pool_size; i++) {
		u32 want;

		sp = &mmu->pool[i];
		if (sp->type == SH_TYPE_NONE)
			continue;
		want = a.refs[i] + sp->pinned + sp->nr_loaded;
		if (sp->refcount != want || !sp->refcount)
			audit_fail(&a, "shadow %lu type %u gfn %llx refcount %u, found %u",
				   i, sp->type, sp->gfn, sp->refcount, want);
	}
	mmu_host_free(mmu->host, a.refs);
	return a.errors;
}
