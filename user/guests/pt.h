/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-table helpers for the paging guests (l3share, ptreuse, cowfork):
 * a frame allocator over guest RAM reached through the launcher's identity
 * map, and 4-level table building. Every space maps 0-4 GiB supervisor
 * through the launcher's PDPT in PML4 slot 0, so the guest's code, data
 * and stack stay reachable after a CR3 load.
 */
#ifndef SHADOWVM_GUEST_PT_H
#define SHADOWVM_GUEST_PT_H

#include "rt.h"

#define PT_POOL_BASE	0x200000UL	/* frames handed out from here... */
#define PT_POOL_END	0xa00000UL	/* ...to here (fits a 12 MiB guest) */
#define PT_NR_FRAMES	((PT_POOL_END - PT_POOL_BASE) >> 12)

#define PT_KERNEL	(PTE_P | PTE_RW)
#define PT_USER		(PTE_P | PTE_RW | PTE_US)

static u8 pt_used[PT_NR_FRAMES];
static unsigned int pt_next;

/* A free frame (not zeroed), round robin so freed frames come back later. */
static inline u64 frame_alloc(void)
{
	unsigned int i;

	for (i = 0; i < PT_NR_FRAMES; i++) {
		unsigned int k = (pt_next + i) % PT_NR_FRAMES;

		if (!pt_used[k]) {
			pt_used[k] = 1;
			pt_next = k + 1;
			return PT_POOL_BASE + ((u64)k << 12);
		}
	}
	puts("FAIL: out of frames\n");
	guest_exit(0x7e);
}

static inline void frame_free(u64 f)
{
	pt_used[(f - PT_POOL_BASE) >> 12] = 0;
}

/* Zeroed with REP STOSQ: how kernels clear a new page-table page. */
static inline void zero_page(u64 f)
{
	u64 n = 512, d = f;

	asm volatile("rep stosq" : "+D"(d), "+c"(n) : "a"(0UL) : "memory");
}

static inline u64 table_alloc(void)
{
	u64 f = frame_alloc();

	zero_page(f);
	return f;
}

/* A PML4 whose slot 0 is the launcher's kernel identity map. */
static inline u64 pml4_alloc(void)
{
	u64 f = table_alloc();

	write64(f, LAUNCHER_PDPT | PT_KERNEL);
	return f;
}

static inline unsigned int pt_index(u64 va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

static inline u64 *pt_entry(u64 table, u64 va, int level)
{
	return (u64 *)table + pt_index(va, level);
}

/* Map one 4 KiB page, creating L3/L2/L1 tables as needed. */
static inline void map_page(u64 pml4, u64 va, u64 frame, u64 flags)
{
	u64 t = pml4;
	int level;

	for (level = 4; level > 1; level--) {
		u64 *e = pt_entry(t, va, level);
		u64 v = read64((u64)e);

		if (!(v & PTE_P)) {
			v = table_alloc() | PT_USER;
			set_pte(e, v);
		}
		t = v & PTE_ADDR;
	}
	set_pte(pt_entry(t, va, 1), frame | flags);
}

/* The L1 entry of @va, or NULL if an upper level is not present. */
static inline u64 *pte_of(u64 pml4, u64 va)
{
	u64 t = pml4;
	int level;

	for (level = 4; level > 1; level--) {
		u64 v = read64((u64)pt_entry(t, va, level));

		if (!(v & PTE_P))
			return NULL;
		t = v & PTE_ADDR;
	}
	return pt_entry(t, va, 1);
}

static inline void fail_at(const char *what, u64 va, u64 got, u64 want)
{
	puts("  ");
	puts(what);
	puts(" at ");
	put_hex(va);
	puts(" got ");
	put_hex(got);
	puts(" want ");
	put_hex(want);
	puts(" cr3 ");
	put_hex(read_cr3());
	putc('\n');
}

#endif /* SHADOWVM_GUEST_PT_H */
