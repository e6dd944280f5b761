// SPDX-License-Identifier: GPL-2.0
/*
 * The model's implementation of module/mmu/host.h: guest RAM is malloc'ed
 * per slot; host frame numbers are deliberately unlike guest frame numbers
 * so that a gfn/hfn mix-up in the pager shows up as a wrong translation.
 */
#include <stdlib.h>
#include "model.h"

void model_host_init(struct mmu_host *h)
{
	memset(h, 0, sizeof(*h));
	h->alloc_budget = -1;
}

void model_host_destroy(struct mmu_host *h)
{
	unsigned int i;

	for (i = 0; i < h->nr_slots; i++)
		free(h->slots[i].mem);
	h->nr_slots = 0;
}

void model_add_slot(struct mmu_host *h, u64 base_gfn, u64 npages,
		    bool readonly)
{
	struct model_slot *s = &h->slots[h->nr_slots++];

	s->base_gfn = base_gfn;
	s->npages = npages;
	s->readonly = readonly;
	s->mem = aligned_alloc(4096, npages * 4096);
	memset(s->mem, 0, npages * 4096);
}

static struct model_slot *model_slot_of(struct mmu_host *h, u64 gfn,
					unsigned int *idx)
{
	unsigned int i;

	for (i = 0; i < h->nr_slots; i++) {
		struct model_slot *s = &h->slots[i];

		if (gfn >= s->base_gfn && gfn - s->base_gfn < s->npages) {
			*idx = i;
			return s;
		}
	}
	return NULL;
}

void *model_gfn_va(struct mmu_host *h, u64 gfn)
{
	unsigned int i;
	struct model_slot *s = model_slot_of(h, gfn, &i);

	return s ? s->mem + (gfn - s->base_gfn) * 4096 : NULL;
}

void *model_hpa_va(struct mmu_host *h, u64 hpa)
{
	u64 hfn = hpa >> 12;

	if (hpa >= MODEL_LOW_HPA &&
	    hpa < MODEL_LOW_HPA + MODEL_MAX_LOW * 4096ULL)
		return h->low[(hpa - MODEL_LOW_HPA) >> 12] ?
		       (u8 *)h->low[(hpa - MODEL_LOW_HPA) >> 12] +
		       (hpa & 4095) : NULL;
	if (hpa >= MODEL_SHADOW_HPA) {
		u64 i = (hpa - MODEL_SHADOW_HPA) >> 12;

		return i < MODEL_MAX_SHADOW ? h->shadow[i] : NULL;
	}
	if (hfn >= MODEL_HFN_BASE) {
		u64 s = (hfn - MODEL_HFN_BASE) / MODEL_HFN_STRIDE;
		u64 off = (hfn - MODEL_HFN_BASE) % MODEL_HFN_STRIDE;

		if (s < h->nr_slots && off < h->slots[s].npages)
			return h->slots[s].mem + off * 4096 + (hpa & 4095);
	}
	return NULL;
}

void *mmu_host_alloc_page(struct mmu_host *h, u64 *hpa)
{
	unsigned int i;

	if (h->alloc_budget == 0)
		return NULL;
	for (i = 0; i < MODEL_MAX_SHADOW; i++) {
		if (h->shadow[i])
			continue;
		h->shadow[i] = aligned_alloc(4096, 4096);
		if (!h->shadow[i])
			return NULL;
		memset(h->shadow[i], 0, 4096);
		*hpa = MODEL_SHADOW_HPA + (u64)i * 4096;
		h->pages_live++;
		if (h->alloc_budget > 0)
			h->alloc_budget--;
		return h->shadow[i];
	}
	return NULL;
}

void *mmu_host_alloc_low_page(struct mmu_host *h, u64 *hpa)
{
	unsigned int i;

	if (h->alloc_budget == 0)
		return NULL;
	for (i = 0; i < MODEL_MAX_LOW; i++) {
		if (h->low[i])
			continue;
		h->low[i] = aligned_alloc(4096, 4096);
		if (!h->low[i])
			return NULL;
		memset(h->low[i], 0, 4096);
		*hpa = MODEL_LOW_HPA + (u64)i * 4096;
		h->pages_live++;
		if (h->alloc_budget > 0)
			h->alloc_budget--;
		return h->low[i];
	}
	return NULL;
}

void mmu_host_free_page(struct mmu_host *h, void *va)
{
	unsigned int i;

	for (i = 0; i < MODEL_MAX_LOW; i++) {
		if (h->low[i] == va) {
			free(va);
			h->low[i] = NULL;
			h->pages_live--;
			return;
		}
	}

	for (i = 0; i < MODEL_MAX_SHADOW; i++) {
		if (h->shadow[i] == va) {
			free(va);
			h->shadow[i] = NULL;
			h->pages_live--;
			return;
		}
	}
	fprintf(stderr, "model: freeing unknown page %p\n", va);
	abort();
}

void *mmu_host_shadow_va(struct mmu_host *h, u64 hpa)
{
	return model_hpa_va(h, hpa);
}

void *mmu_host_zalloc(struct mmu_host *h, size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (p)
		h->zallocs_live++;
	return p;
}

void mmu_host_free(struct mmu_host *h, void *p)
{
	if (p)
		h->zallocs_live--;
	free(p);
}

int mmu_host_gfn_to_hfn(struct mmu_host *h, u64 gfn, u64 *hfn, bool *writable)
{
	unsigned int i;
	struct model_slot *s = model_slot_of(h, gfn, &i);

	if (!s)
		return -ENOENT;
	*hfn = MODEL_HFN_BASE + i * MODEL_HFN_STRIDE + (gfn - s->base_gfn);
	*writable = !s->readonly;
	return 0;
}

void *mmu_host_map_gfn(struct mmu_host *h, u64 gfn)
{
	return model_gfn_va(h, gfn);
}

void mmu_host_flush_tlbs(struct mmu_host *h)
{
	h->flushes++;
}

bool model_trace_on;

void model_trace(struct mmu_host *h, enum model_trace_event ev,
		 unsigned int sub, u64 gfn, u64 val)
{
	h->trace[ev]++;
	if (sub < MMU_CAUSE_NR)
		h->trace_cause[ev][sub]++;
	h->trace_last_gfn[ev] = gfn;
	h->trace_last_val[ev] = val;
}
