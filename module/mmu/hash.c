// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow hash: (guest frame, shadow type, part) -> shadow page, plus the
 * reverse map from a shadow page's host frame to its metadata, which the
 * pager needs to find the child named by an upper-level shadow entry.
 */
#include "internal.h"

#define SH_HASH_MULT	0x9e3779b97f4a7c15ULL

static unsigned int sh_hash_bits(const struct shadow_mmu *mmu)
{
	unsigned int bits = 0;

	while ((1U << bits) < mmu->hash_buckets)
		bits++;
	return bits;
}

static unsigned int sh_mix(u64 key, unsigned int bits)
{
	/* Multiplicative hashing: the high bits of the product are mixed. */
	return bits ? (unsigned int)((key * SH_HASH_MULT) >> (64 - bits)) : 0;
}

int sh_hash_init(struct shadow_mmu *mmu)
{
	unsigned int n = 16, i;

	/* Power of two near half the pool: short chains, little memory. */
	while (n < mmu->pool_size / 2 && n < (1U << 16))
		n <<= 1;
	mmu->hash = mmu_host_zalloc(mmu->host, n * sizeof(*mmu->hash));
	mmu->hpa_hash = mmu_host_zalloc(mmu->host, n * sizeof(*mmu->hpa_hash));
	if (!mmu->hash || !mmu->hpa_hash) {
		sh_hash_destroy(mmu);
		return -ENOMEM;
	}
	mmu->hash_buckets = n;
	for (i = 0; i < n; i++) {
		INIT_LIST_HEAD(&mmu->hash[i]);
		INIT_LIST_HEAD(&mmu->hpa_hash[i]);
	}
	return 0;
}

void sh_hash_destroy(struct shadow_mmu *mmu)
{
	mmu_host_free(mmu->host, mmu->hash);
	mmu_host_free(mmu->host, mmu->hpa_hash);
	mmu->hash = NULL;
	mmu->hpa_hash = NULL;
	mmu->hash_buckets = 0;
}

/*
 * The bucket depends on the frame alone: every shadow of a frame shares
 * one chain, so "is this frame shadowed, and as what?" (asked on every
 * fault) is one chain walk rather than a lookup per type and part.
 */
unsigned int sh_hash_bucket(const struct shadow_mmu *mmu, u64 gfn,
			    unsigned int type, unsigned int part)
{
	return sh_mix(gfn, sh_hash_bits(mmu));
}

static bool sh_key_is(const struct shadow_page *sp, u64 gfn,
		      unsigned int type, unsigned int part)
{
	return sp->gfn == gfn && sp->type == type && sp->part == part;
}

/*
 * The lookup of the fault and CR3 paths: counts, and moves the hit to the
 * front of its chain because the same few shadows are looked up again and
 * again (the current L4 and the L3/L2 above the working set).
 */
struct shadow_page *sh_hash_lookup(struct shadow_mmu *mmu, u64 gfn,
				   unsigned int type, unsigned int part)
{
	struct list_head *head =
		&mmu->hash[sh_hash_bucket(mmu, gfn, type, part)];
	struct shadow_page *sp;
	u64 walked = 0;

	mmu->stats.hash_lookups++;
	list_for_each_entry(sp, head, hash_link) {
		walked++;
		if (sh_key_is(sp, gfn, type, part)) {
			if (walked > mmu->stats.hash_max_chain)
				mmu->stats.hash_max_chain = walked;
			list_move(&sp->hash_link, head);
			return sp;
		}
	}
	if (walked > mmu->stats.hash_max_chain)
		mmu->stats.hash_max_chain = walked;
	return NULL;
}

/* A lookup that changes nothing, for checks and the audit. */
struct shadow_page *sh_hash_find(const struct shadow_mmu *mmu, u64 gfn,
				 unsigned int type, unsigned int part)
{
	struct list_head *head =
		&mmu->hash[sh_hash_bucket(mmu, gfn, type, part)];
	struct shadow_page *sp;

	list_for_each_entry(sp, head, hash_link)
		if (sh_key_is(sp, gfn, type, part))
			return sp;
	return NULL;
}

void sh_hash_insert(struct shadow_mmu *mmu, struct shadow_page *sp)
{
	list_add(&sp->hash_link,
		 &mmu->hash[sh_hash_bucket(mmu, sp->gfn, sp->type, sp->part)]);
}

void sh_hash_remove(struct shadow_mmu *mmu, struct shadow_page *sp)
{
	list_del_init(&sp->hash_link);
}

unsigned int sh_frame_table_types(const struct shadow_mmu *mmu, u64 gfn)
{
	const struct list_head *head = &mmu->hash[sh_hash_bucket(mmu, gfn, 0, 0)];
	const struct shadow_page *sp;
	unsigned int types = 0;

	list_for_each_entry(sp, head, hash_link)
		if (sp->gfn == gfn && sh_type_is_table(sp->type))
			types |= BIT(sp->type);
	return types;
}

/* Does @gfn hold a guest page table that has a shadow of any level? */
bool sh_frame_is_shadowed(const struct shadow_mmu *mmu, u64 gfn)
{
	return sh_frame_table_types(mmu, gfn);
}

bool sh_walk_shadows(struct shadow_mmu *mmu, const sh_walk_fn fn[SH_TYPE_NR],
		     void *arg)
{
	unsigned long i;

	/* The pool array, not the chains: callbacks may move hash entries. */
	for (i = 0; i < mmu->pool_size; i++) {
		struct shadow_page *sp = &mmu->pool[i];

		if (sp->type != SH_TYPE_NONE && !sp->dead && fn[sp->type] &&
		    fn[sp->type](mmu, sp, arg))
			return true;
	}
	return false;
}

void sh_hpa_insert(struct shadow_mmu *mmu, struct shadow_page *sp)
{
	unsigned int b = sh_mix(sp->hpa >> SH_PAGE_SHIFT, sh_hash_bits(mmu));

	list_add(&sp->hpa_link, &mmu->hpa_hash[b]);
}

struct shadow_page *sh_from_hpa(const struct shadow_mmu *mmu, u64 hpa)
{
	unsigned int b = sh_mix(hpa >> SH_PAGE_SHIFT, sh_hash_bits(mmu));
	struct shadow_page *sp;

	list_for_each_entry(sp, &mmu->hpa_hash[b], hpa_link)
		if (sp->hpa == hpa)
			return sp;
	return NULL;
}
