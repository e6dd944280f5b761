/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shadow pager internals shared by the core files (pool.c, hash.c, walk.c,
 * shadow.c, audit.c). Nothing outside module/mmu and the userspace model
 * includes this.
 */
#ifndef SHADOWVM_MMU_INTERNAL_H
#define SHADOWVM_MMU_INTERNAL_H

#include "shadow.h"

/* x86 paging-structure entry bits (SDM Vol. 3, 4.5). */
#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
#define PTE_PWT		BIT_ULL(3)
#define PTE_PCD		BIT_ULL(4)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_NX		BIT_ULL(63)
#define PTE_ADDR_MASK	GENMASK_ULL(51, 12)

#define SH_ENTRIES	512
#define SH_PAGE_SHIFT	12
#define SH_PAGE_SIZE	4096UL
#define SH_LARGE_SHIFT	21	/* 2 MiB guest pages */

#define CR0_PE		BIT_ULL(0)
#define CR0_WP		BIT_ULL(16)
#define CR0_PG		BIT_ULL(31)
#define CR4_PAE		BIT_ULL(5)
#define CR4_LA57	BIT_ULL(12)
#define CR4_SMEP	BIT_ULL(20)
#define CR4_SMAP	BIT_ULL(21)
#define EFER_LMA	BIT_ULL(10)
#define EFER_NXE	BIT_ULL(11)
#define RFLAGS_AC	BIT_ULL(18)

/* Access bits of a page-fault error code, i.e. what was attempted. */
#define PFEC_ACCESS	(PFEC_WRITE | PFEC_USER | PFEC_FETCH)

/*
 * Shadow types. A 64-bit guest table page at level N gets an LN_64 shadow;
 * a guest 2 MiB page gets an FL1_64 shadow (512 4 KiB entries) keyed by the
 * superpage's first frame, since there is no guest L1 table to shadow.
 */
enum shadow_type {
	SH_TYPE_NONE = 0,	/* free pool entry */
	SH_TYPE_L1_64,
	SH_TYPE_FL1_64,
	SH_TYPE_L2_64,
	SH_TYPE_L3_64,
	SH_TYPE_L4_64,
	SH_TYPE_NR,
};

struct shadow_page {
	/* hash chain while in use and hashed, free list while free */
	struct list_head hash_link;
	struct list_head pin_link;	/* on mmu->pinned while pinned */
	struct list_head hpa_link;	/* reverse map, once a page is attached */
	u64 *entries;			/* NULL until the pool gives it a page */
	u64 hpa;
	u64 gfn;
	/*
	 * Locator of the first shadow entry that references this shadow
	 * (sh_locator()), 0 when unknown. Only for types with up-pointers,
	 * and only maintained while the shadow is not pinned: references
	 * taken or dropped while pinned do not touch it, so whatever it
	 * holds then is meaningless and sh_unpin() must clear it.
	 */
	u64 up;
	u32 refcount;		/* parent entries + pin + loading vCPUs */
	u16 nr_loaded;		/* vCPUs that have this as their root */
	u8 type;
	bool pinned;
	bool dead;		/* unshadowed while loaded: not hashed */
};

/* Locators: (pool index + 1) << 9 | entry index; never 0. */
static inline u64 sh_locator(const struct shadow_mmu *mmu,
			     const struct shadow_page *parent, unsigned int idx)
{
	return ((u64)(parent - mmu->pool + 1) << 9) | idx;
}

static inline unsigned long sh_index(const struct shadow_mmu *mmu,
				     const struct shadow_page *sp)
{
	return sp - mmu->pool;
}

static inline bool sh_type_is_leaf(unsigned int type)
{
	return type == SH_TYPE_L1_64 || type == SH_TYPE_FL1_64;
}

/* Shadows of frames that hold guest page tables (FL1s shadow no table). */
static inline bool sh_type_is_table(unsigned int type)
{
	return type != SH_TYPE_NONE && type != SH_TYPE_FL1_64 &&
	       type < SH_TYPE_NR;
}

/*
 * Types that may be pinned: top-level shadows, and L3s while the VM uses
 * L3-toplevel (whether a given L3 is pinned is decided where it is made;
 * see sh_get_shadow()).
 */
static inline bool sh_type_pinnable(unsigned int type)
{
	return type == SH_TYPE_L4_64 || type == SH_TYPE_L3_64;
}

/*
 * Single-page shadows below the top level keep an up-pointer while they
 * are not pinned (an L3 may be either, see L3-toplevel).
 */
static inline bool sh_type_has_up(unsigned int type)
{
	return type >= SH_TYPE_L1_64 && type <= SH_TYPE_L3_64;
}

/* Guest paging level whose tables a shadow of @type mirrors (FL1: 1). */
static inline unsigned int sh_type_level(unsigned int type)
{
	switch (type) {
	case SH_TYPE_L4_64:
		return 4;
	case SH_TYPE_L3_64:
		return 3;
	case SH_TYPE_L2_64:
		return 2;
	default:
		return 1;
	}
}

/* Type of the shadows whose entries may point at a shadow of @type. */
static inline unsigned int sh_parent_type(unsigned int type)
{
	switch (type) {
	case SH_TYPE_L1_64:
	case SH_TYPE_FL1_64:
		return SH_TYPE_L2_64;
	case SH_TYPE_L2_64:
		return SH_TYPE_L3_64;
	case SH_TYPE_L3_64:
		return SH_TYPE_L4_64;
	default:
		return SH_TYPE_NONE;
	}
}

static inline bool sh_guest_long_mode(const struct guest_paging *gp)
{
	return (gp->cr0 & CR0_PG) && (gp->cr0 & CR0_PE) &&
	       (gp->cr4 & CR4_PAE) && !(gp->cr4 & CR4_LA57) &&
	       (gp->efer & EFER_LMA);
}

static inline u64 sh_mode_key(const struct guest_paging *gp)
{
	return (gp->cr0 & CR0_WP) | (gp->cr4 & (CR4_SMEP | CR4_SMAP)) |
	       (gp->efer & EFER_NXE);
}

/* hash.c */
int sh_hash_init(struct shadow_mmu *mmu);
void sh_hash_destroy(struct shadow_mmu *mmu);
unsigned int sh_hash_bucket(const struct shadow_mmu *mmu, u64 gfn,
			    unsigned int type);
struct shadow_page *sh_hash_lookup(struct shadow_mmu *mmu, u64 gfn,
				   unsigned int type);
struct shadow_page *sh_hash_find(const struct shadow_mmu *mmu, u64 gfn,
				 unsigned int type);
void sh_hash_insert(struct shadow_mmu *mmu, struct shadow_page *sp);
void sh_hash_remove(struct shadow_mmu *mmu, struct shadow_page *sp);
bool sh_frame_is_shadowed(const struct shadow_mmu *mmu, u64 gfn);
void sh_hpa_insert(struct shadow_mmu *mmu, struct shadow_page *sp);
struct shadow_page *sh_from_hpa(const struct shadow_mmu *mmu, u64 hpa);

/* pool.c */
int sh_pool_init(struct shadow_mmu *mmu, unsigned long pages);
void sh_pool_destroy(struct shadow_mmu *mmu);
int sh_reserve(struct shadow_mmu *mmu, unsigned long n);
struct shadow_page *sh_alloc(struct shadow_mmu *mmu, u64 gfn,
			     unsigned int type);
void sh_free(struct shadow_mmu *mmu, struct shadow_page *sp);
void sh_pin(struct shadow_mmu *mmu, struct shadow_page *sp);
void sh_unpin(struct shadow_mmu *mmu, struct shadow_page *sp);
bool sh_reclaim_one(struct shadow_mmu *mmu);

/* walk.c */
struct guest_walk {
	u64 entry[5];		/* entry[l]: guest entry used at level l */
	u64 table_gfn[5];	/* table_gfn[l]: frame holding entry[l] */
	unsigned int leaf_level; /* 1: 4 KiB page, 2: 2 MiB page */
	u64 gfn;		/* 4 KiB guest frame of the access */
	u64 gpa;
};

int sh_guest_walk(struct mmu_host *host, const struct guest_paging *gp,
		  u64 addr, u32 access, bool set_ad, struct guest_walk *w,
		  u32 *pfec);
u64 sh_guest_rsvd_mask(const struct guest_paging *gp, unsigned int level,
		       u64 entry);

/* shadow.c */
void sh_get_ref(struct shadow_mmu *mmu, struct shadow_page *sp, u64 loc);
void sh_put_ref(struct shadow_mmu *mmu, struct shadow_page *sp, u64 loc);
void sh_destroy(struct shadow_mmu *mmu, struct shadow_page *sp);
void sh_zap_entry(struct shadow_mmu *mmu, struct shadow_page *sp,
		  unsigned int idx);
void sh_remove_shadow(struct shadow_mmu *mmu, struct shadow_page *sp);
bool sh_unshadow_frame(struct shadow_mmu *mmu, u64 gfn);
void sh_write_protect_frame(struct shadow_mmu *mmu, u64 gfn);
void sh_set_link(struct shadow_mmu *mmu, struct shadow_page *sp,
		 unsigned int idx, struct shadow_page *child, u64 flags);
void sh_set_leaf(struct shadow_mmu *mmu, struct shadow_page *sp,
		 unsigned int idx, u64 new);
u64 sh_upper_flags(const struct guest_paging *gp, u64 ge);
u64 sh_leaf_entry(struct shadow_mmu *mmu, const struct guest_paging *gp,
		  u64 ge);
bool sh_guest_entry_usable(const struct guest_paging *gp, unsigned int level,
			   u64 ge);
void sh_resync(struct shadow_mmu *mmu);
void sh_check_mode(struct shadow_mmu *mmu, const struct guest_paging *gp);
void sh_flush_if_needed(struct shadow_mmu *mmu);

/* emulate.c (write path) */
void sh_emulate_note_walk(struct shadow_mmu *mmu, const struct guest_walk *w);

#endif /* SHADOWVM_MMU_INTERNAL_H */
