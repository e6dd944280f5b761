// SPDX-License-Identifier: GPL-2.0
/*
 * The per-VM pool of shadow pages and the pinned list.
 *
 * The metadata array is allocated once; a pool entry gets its page the
 * first time it is needed and keeps it until the VM goes away, so the
 * reverse map from host frame to metadata never changes. Every operation
 * that builds shadows first reserves as many free entries as it may use
 * (sh_reserve()), so nothing fails half-way through changing the tables.
 */
#include "internal.h"

/*
 * Beyond the roots each vCPU has loaded (never reclaimable: one L4, or
 * the four L2s under a PAE root), a fault reserves a full L3/L2/L1 path
 * (3), and a CR3 load up to four new roots while the old ones are still
 * loaded (4).
 */
#define SH_POOL_ROOTS		4
#define SH_POOL_MIN_EXTRA	4
/* Default sizing: per vCPU, and per MiB of guest RAM (see below). */
#define SH_POOL_PER_VCPU	256
#define SH_POOL_PER_MIB		2
#define SH_POOL_DEFAULT_MAX	BIT(20)		/* 4 GiB of shadows */

unsigned long shadow_min_pool_pages(unsigned int nr_vcpus)
{
	return (unsigned long)nr_vcpus * SH_POOL_ROOTS + SH_POOL_MIN_EXTRA;
}

/*
 * Mapping all of guest RAM once with 4 KiB pages takes one L1 per 2 MiB;
 * two pages per MiB leave room for four address spaces' worth of L1s,
 * and 256 pages per vCPU hold the upper levels and the pinned roots of
 * the address spaces each vCPU switches between (the same budget Xen's
 * toolstack gives HVM guests). More only saves refaults.
 */
unsigned long shadow_default_pool_pages(u64 guest_ram_bytes,
					unsigned int nr_vcpus)
{
	u64 pages = (u64)nr_vcpus * SH_POOL_PER_VCPU;
	u64 mib = guest_ram_bytes >> 20;

	if (mib > SH_POOL_DEFAULT_MAX)
		mib = SH_POOL_DEFAULT_MAX;
	pages += mib * SH_POOL_PER_MIB;
	if (pages > SH_POOL_DEFAULT_MAX)
		pages = SH_POOL_DEFAULT_MAX;
	if (pages < shadow_min_pool_pages(nr_vcpus))
		pages = shadow_min_pool_pages(nr_vcpus);
	return pages;
}

int sh_pool_init(struct shadow_mmu *mmu, unsigned long pages)
{
	unsigned long i;

	if (pages < shadow_min_pool_pages(mmu->nr_vcpus))
		return -EINVAL;
	mmu->pool = mmu_host_zalloc(mmu->host, pages * sizeof(*mmu->pool));
	if (!mmu->pool)
		return -ENOMEM;
	mmu->pool_size = pages;
	INIT_LIST_HEAD(&mmu->free_list);
	for (i = 0; i < pages; i++) {
		struct shadow_page *sp = &mmu->pool[i];

		INIT_LIST_HEAD(&sp->pin_link);
		INIT_LIST_HEAD(&sp->hpa_link);
		list_add_tail(&sp->hash_link, &mmu->free_list);
	}
	mmu->nr_free = pages;
	return 0;
}

void sh_pool_destroy(struct shadow_mmu *mmu)
{
	unsigned long i;

	if (!mmu->pool)
		return;
	for (i = 0; i < mmu->pool_size; i++)
		if (mmu->pool[i].entries)
			mmu_host_free_page(mmu->host, mmu->pool[i].entries);
	mmu_host_free(mmu->host, mmu->pool);
	mmu->pool = NULL;
	mmu->pool_size = 0;
	mmu->nr_free = 0;
}

/*
 * Pin @sp (or make it the most recently used pinned shadow). Its up field
 * stops being maintained from here on (sh_get_ref(), sh_put_ref()).
 */
void sh_pin(struct shadow_mmu *mmu, struct shadow_page *sp)
{
	if (sp->pinned) {
		list_move(&sp->pin_link, &mmu->pinned);
		return;
	}
	sp->pinned = true;
	if (sp->type == SH_TYPE_L4_64)
		mmu->nr_pinned_l4++;
	sh_get_ref(mmu, sp, 0);
	list_add(&sp->pin_link, &mmu->pinned);
}

/*
 * Drop the pin of @sp. May free @sp.
 *
 * The seed's rule: this decides from @sp's own type only, never from a
 * VM-wide setting, and a type that keeps up-pointers (an L3 pinned under
 * L3-toplevel) leaves with up == 0 whoever unpins it - the mass unpin,
 * pool reclaim, unshadow or a full flush. While pinned, references came
 * and went without updating up, so any value left there could name an
 * entry that now maps some other shadow, and an O(1) unshadow through it
 * would clear the wrong entry. @cause, the path that unpins, is only
 * reported (trace): it decides nothing here.
 */
void sh_unpin(struct shadow_mmu *mmu, struct shadow_page *sp,
	      enum mmu_cause cause)
{
	if (!sp->pinned)
		return;
	mmu_host_trace_unpin(mmu->host, sp->gfn, sp->type, sp->part, cause);
	list_del_init(&sp->pin_link);
	sp->pinned = false;
	if (sp->type == SH_TYPE_L4_64)
		mmu->nr_pinned_l4--;
	if (sh_type_has_up(sp->type))
		sp->up = 0;
	sh_put_ref(mmu, sp, 0);
}

/* Unpin the least recently used shadow that no vCPU has loaded. */
bool sh_reclaim_one(struct shadow_mmu *mmu)
{
	struct shadow_page *sp;

	list_for_each_entry_reverse(sp, &mmu->pinned, pin_link) {
		if (sp->nr_loaded)
			continue;
		mmu->stats.reclaims++;
		sh_unpin(mmu, sp, MMU_CAUSE_RECLAIM);
		return true;
	}
	return false;
}

/*
 * Make sure @n free pool entries with pages exist. Reclaims from the tail
 * of the pinned list, then drops every shadow; -ENOMEM only when even that
 * (or the host's page allocator) cannot provide @n pages.
 */
int sh_reserve(struct shadow_mmu *mmu, unsigned long n)
{
	struct shadow_page *sp;
	unsigned long seen = 0;

	while (mmu->nr_free < n && sh_reclaim_one(mmu))
		;
	if (mmu->nr_free < n) {
		mmu->stats.reclaims++;
		sh_flush_all(mmu, MMU_CAUSE_POOL_FLUSH);
	}
	if (mmu->nr_free < n)
		return -ENOMEM;

	/* Entries with pages are kept at the front of the free list. */
	list_for_each_entry(sp, &mmu->free_list, hash_link) {
		if (seen++ == n)
			break;
		if (sp->entries)
			continue;
		sp->entries = mmu_host_alloc_page(mmu->host, &sp->hpa);
		if (!sp->entries)
			return -ENOMEM;
		sh_hpa_insert(mmu, sp);
	}
	return 0;
}

/* Take a reserved entry and make it the shadow of (@gfn, @type, @part). */
struct shadow_page *sh_alloc(struct shadow_mmu *mmu, u64 gfn,
			     unsigned int type, unsigned int part)
{
	struct shadow_page *sp;

	if (list_empty(&mmu->free_list))
		return NULL;
	sp = list_first_entry(&mmu->free_list, struct shadow_page, hash_link);
	if (!sp->entries)
		return NULL;	/* caller did not reserve */
	list_del_init(&sp->hash_link);
	mmu->nr_free--;
	memset(sp->entries, 0, SH_PAGE_SIZE);
	sp->gfn = gfn;
	sp->type = type;
	sp->part = part;
	sp->up = 0;
	sp->wr_lo = ~0ULL;
	sp->wr_hi = 0;
	sp->refcount = 0;
	sp->nr_loaded = 0;
	sp->pinned = false;
	sp->dead = false;
	sh_hash_insert(mmu, sp);
	mmu->stats.pages_in_use++;
	if (mmu->stats.pages_in_use > mmu->stats.pages_max)
		mmu->stats.pages_max = mmu->stats.pages_in_use;
	return sp;
}

/*
 * Return @sp (no references, no present entries) to the free list. The
 * page may be reused while a TLB still caches it, so a flush is due.
 */
void sh_free(struct shadow_mmu *mmu, struct shadow_page *sp)
{
	list_del_init(&sp->hash_link);
	sp->type = SH_TYPE_NONE;
	sp->part = 0;
	sp->gfn = 0;
	sp->up = 0;
	sp->dead = false;
	list_add(&sp->hash_link, &mmu->free_list);
	mmu->nr_free++;
	mmu->stats.pages_in_use--;
	mmu->flush_pending = true;
}
