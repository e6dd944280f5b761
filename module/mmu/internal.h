/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shadow pager internals shared by the core files (pool.c, hash.c, walk.c,
 * shadow.c, audit.c). Nothing outside module/mmu, the userspace model and
 * the trace events (module/trace.h prints the shadow types) includes this.
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
#define CR4_PSE		BIT_ULL(4)
#define CR4_PAE		BIT_ULL(5)
#define CR4_LA57	BIT_ULL(12)
#define CR4_SMEP	BIT_ULL(20)
#define CR4_SMAP	BIT_ULL(21)
/*
 * In the kernel <asm/msr-index.h> arrives with the tracepoints (host.h)
 * and defines it too, as the int (1 << 10): only ever ORed into or tested
 * against a u64 here, so either definition does.
 */
#ifndef EFER_LMA
#define EFER_LMA	BIT_ULL(10)
#endif
#define EFER_NXE	BIT_ULL(11)
#define RFLAGS_AC	BIT_ULL(18)

/* Access bits of a page-fault error code, i.e. what was attempted. */
#define PFEC_ACCESS	(PFEC_WRITE | PFEC_USER | PFEC_FETCH)

/*
 * Shadow types. Every shadow is one page of 512 8-byte entries in the
 * hardware's format (4-level for 64-bit guests, PAE below the PAE root for
 * all others), keyed in the hash by (guest frame, type, part).
 *
 * A guest table of 512 8-byte entries (4-level or PAE) at level N gets an
 * LN_64 shadow; a PAE guest's L2s are top level, so they have their own
 * type. A 2-level guest's table holds 1024 4-byte entries: its L1 is
 * shadowed by two L1_32 shadows (part 0 and 1, 512 entries each) and its
 * L2 by four L2_32 shadows (parts 0-3, a quarter each: 256 guest entries
 * as 512 PAE entries of 2 MiB). An FL1 shadows 2 MiB of a guest superpage
 * (2 or 4 MiB), keyed by its first frame: there is no guest L1 table. An
 * unpaged guest runs on four L2_PHYS shadows (part: which GiB) of FL1s.
 * Children have lower type numbers than their parents (write.c relies on
 * it).
 */
enum shadow_type {
	SH_TYPE_NONE = 0,	/* free pool entry */
	SH_TYPE_L1_64,
	SH_TYPE_L1_32,
	SH_TYPE_FL1,
	SH_TYPE_L2_64,
	SH_TYPE_L2_PAE,
	SH_TYPE_L2_32,
	SH_TYPE_L2_PHYS,
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
	/*
	 * Leaves: every host frame an entry was ever made writable to lies
	 * in [wr_lo, wr_hi] (empty: wr_lo > wr_hi), so write-protecting a
	 * frame skips the leaf shadows that cannot map it writable. L1s
	 * usually map runs of frames, so the range stays tight.
	 */
	u64 wr_lo, wr_hi;
	u32 refcount;		/* parent entries + pin + loading vCPUs */
	u16 nr_loaded;		/* vCPUs that have this as their root */
	u8 type;
	u8 part;		/* which part of the guest table (see types) */
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
	return type == SH_TYPE_L1_64 || type == SH_TYPE_L1_32 ||
	       type == SH_TYPE_FL1;
}

/* Shadows of frames that hold guest page tables. */
static inline bool sh_type_is_table(unsigned int type)
{
	return type != SH_TYPE_NONE && type != SH_TYPE_FL1 &&
	       type != SH_TYPE_L2_PHYS && type < SH_TYPE_NR;
}

/* Parts a guest table of @type is shadowed in (see the types). */
static inline unsigned int sh_type_parts(unsigned int type)
{
	switch (type) {
	case SH_TYPE_L1_32:
		return 2;
	case SH_TYPE_L2_32:
	case SH_TYPE_L2_PHYS:
		return 4;
	default:
		return 1;
	}
}

/* Size of the guest entries a shadow of @type mirrors. */
static inline unsigned int sh_type_guest_entry_size(unsigned int type)
{
	return type == SH_TYPE_L1_32 || type == SH_TYPE_L2_32 ? 4 : 8;
}

/*
 * Types that may be pinned: top-level shadows, and L3s while the VM uses
 * L3-toplevel (whether a given L3 is pinned is decided where it is made;
 * see sh_build()).
 */
static inline bool sh_type_pinnable(unsigned int type)
{
	return type == SH_TYPE_L4_64 || type == SH_TYPE_L3_64 ||
	       type == SH_TYPE_L2_PAE || type == SH_TYPE_L2_32 ||
	       type == SH_TYPE_L2_PHYS;
}

/*
 * Single-page shadows below the top level keep an up-pointer while they
 * are not pinned (an L3 may be either, see L3-toplevel).
 */
static inline bool sh_type_has_up(unsigned int type)
{
	return sh_type_is_leaf(type) || type == SH_TYPE_L2_64 ||
	       type == SH_TYPE_L3_64;
}

/* Index in the guest table of the entry that entry @idx of @sp mirrors. */
static inline unsigned int sh_guest_index(const struct shadow_page *sp,
					  unsigned int idx)
{
	switch (sp->type) {
	case SH_TYPE_L1_32:
		return sp->part * SH_ENTRIES + idx;
	case SH_TYPE_L2_32:
		return sp->part * (SH_ENTRIES / 2) + idx / 2;
	default:
		return idx;
	}
}

/* Hardware paging level of a shadow of @type (leaves: 1). */
static inline unsigned int sh_type_level(unsigned int type)
{
	switch (type) {
	case SH_TYPE_L4_64:
		return 4;
	case SH_TYPE_L3_64:
		return 3;
	case SH_TYPE_L2_64:
	case SH_TYPE_L2_PAE:
	case SH_TYPE_L2_32:
	case SH_TYPE_L2_PHYS:
		return 2;
	default:
		return 1;
	}
}

/* May entries of a @parent shadow point at a shadow of type @child? */
static inline bool sh_type_parent_ok(unsigned int parent, unsigned int child)
{
	switch (child) {
	case SH_TYPE_L1_64:
		return parent == SH_TYPE_L2_64 || parent == SH_TYPE_L2_PAE;
	case SH_TYPE_L1_32:
		return parent == SH_TYPE_L2_32;
	case SH_TYPE_FL1:
		return parent == SH_TYPE_L2_64 || parent == SH_TYPE_L2_PAE ||
		       parent == SH_TYPE_L2_32 || parent == SH_TYPE_L2_PHYS;
	case SH_TYPE_L2_64:
		return parent == SH_TYPE_L3_64;
	case SH_TYPE_L3_64:
		return parent == SH_TYPE_L4_64;
	default:
		return false;
	}
}

static inline bool sh_guest_long_mode(const struct guest_paging *gp)
{
	return shadow_guest_mode(gp) == SHADOW_MODE_64;
}

/*
 * Everything about the guest's paging controls that changes what its
 * tables mean to the shadows; shadows built under another key are stale.
 */
static inline u64 sh_mode_key(const struct guest_paging *gp)
{
	enum shadow_guest_mode mode = shadow_guest_mode(gp);
	u64 key = (gp->cr0 & CR0_WP) | (gp->cr4 & (CR4_SMEP | CR4_SMAP)) |
		  (gp->efer & EFER_NXE) | ((u64)mode << 32);

	if (mode == SHADOW_MODE_32)
		key |= gp->cr4 & CR4_PSE;
	return key;
}

/* hash.c */
int sh_hash_init(struct shadow_mmu *mmu);
void sh_hash_destroy(struct shadow_mmu *mmu);
unsigned int sh_hash_bucket(const struct shadow_mmu *mmu, u64 gfn,
			    unsigned int type, unsigned int part);
struct shadow_page *sh_hash_lookup(struct shadow_mmu *mmu, u64 gfn,
				   unsigned int type, unsigned int part);
struct shadow_page *sh_hash_find(const struct shadow_mmu *mmu, u64 gfn,
				 unsigned int type, unsigned int part);
void sh_hash_insert(struct shadow_mmu *mmu, struct shadow_page *sp);
void sh_hash_remove(struct shadow_mmu *mmu, struct shadow_page *sp);
bool sh_frame_is_shadowed(const struct shadow_mmu *mmu, u64 gfn);
/* Bit mask (BIT(type)) of the table types @gfn has shadows of. */
unsigned int sh_frame_table_types(const struct shadow_mmu *mmu, u64 gfn);
/*
 * Walk every live shadow, calling @fn[type] for those whose type has a
 * callback (as Xen's hash walks do), until a callback returns true.
 * Callbacks may change entries but must not free shadows.
 */
typedef bool (*sh_walk_fn)(struct shadow_mmu *mmu, struct shadow_page *sp,
			   void *arg);
bool sh_walk_shadows(struct shadow_mmu *mmu, const sh_walk_fn fn[SH_TYPE_NR],
		     void *arg);
void sh_hpa_insert(struct shadow_mmu *mmu, struct shadow_page *sp);
struct shadow_page *sh_from_hpa(const struct shadow_mmu *mmu, u64 hpa);

/* pool.c */
int sh_pool_init(struct shadow_mmu *mmu, unsigned long pages);
void sh_pool_destroy(struct shadow_mmu *mmu);
int sh_reserve(struct shadow_mmu *mmu, unsigned long n);
struct shadow_page *sh_alloc(struct shadow_mmu *mmu, u64 gfn,
			     unsigned int type, unsigned int part);
void sh_free(struct shadow_mmu *mmu, struct shadow_page *sp);
void sh_pin(struct shadow_mmu *mmu, struct shadow_page *sp);
void sh_unpin(struct shadow_mmu *mmu, struct shadow_page *sp,
	      enum mmu_cause cause);
bool sh_reclaim_one(struct shadow_mmu *mmu);

/* walk.c */
/*
 * A walk of the guest's tables. Entries are normalised to the 64-bit
 * format (a 2-level guest's 4 MiB PDE gets its address bits 39:32 in
 * place, PS only under CR4.PSE). Levels top_level..leaf_level were read
 * from guest tables; a PAE guest's PDPTE is not among them (it is a
 * register, sh_walk_once()), and an unpaged guest reads no table at all:
 * its walk is a made-up 2 MiB mapping in entry[2] with top_level 0.
 */
struct guest_walk {
	u64 entry[5];		/* entry[l]: guest entry used at level l */
	u64 table_gfn[5];	/* table_gfn[l]: frame holding entry[l] */
	unsigned int top_level;	/* 4 (64-bit), 2 (PAE, 2-level), 0 */
	unsigned int leaf_level; /* 1: 4 KiB page, 2: 2 or 4 MiB page */
	u64 gfn;		/* 4 KiB guest frame of the access */
	u64 gpa;
};

int sh_guest_walk(struct mmu_host *host, const struct guest_paging *gp,
		  u64 addr, u32 access, bool set_ad, struct guest_walk *w,
		  u32 *pfec);
u64 sh_guest_rsvd_mask(const struct guest_paging *gp, unsigned int level,
		       u64 entry);
u64 sh_guest_entry_norm(const struct guest_paging *gp, unsigned int level,
			unsigned int size, u64 raw);

/* shadow.c */
struct sh_key {			/* a shadow's identity in the hash */
	u64 gfn;
	unsigned int type;
	unsigned int part;
};

/*
 * What entry @idx of the non-leaf shadow @sp links to, given the guest
 * entry @ge (normalised, usable) it mirrors: the child's key, and the
 * rights of the link in *@flags.
 */
void sh_child_key(const struct guest_paging *gp, const struct shadow_page *sp,
		  unsigned int idx, u64 ge, struct sh_key *k, u64 *flags);
/*
 * The guest entry (normalised) that entry @idx of @sp mirrors: for an
 * unpaged guest's L2_PHYS, the made-up 2 MiB mapping; 0 when the table is
 * outside guest RAM. Not for FL1s, which mirror no guest entry.
 */
u64 sh_guest_entry(struct shadow_mmu *mmu, const struct guest_paging *gp,
		   const struct shadow_page *sp, unsigned int idx);
/*
 * The entries of @sp that mirror guest entries [@first, @last] of its
 * frame: false if none (a 2-level guest table's other part).
 */
bool sh_shadow_range(const struct shadow_page *sp, unsigned int first,
		     unsigned int last, unsigned int *sfirst,
		     unsigned int *slast);
void sh_get_ref(struct shadow_mmu *mmu, struct shadow_page *sp, u64 loc);
void sh_put_ref(struct shadow_mmu *mmu, struct shadow_page *sp, u64 loc);
void sh_destroy(struct shadow_mmu *mmu, struct shadow_page *sp);
void sh_zap_entry(struct shadow_mmu *mmu, struct shadow_page *sp,
		  unsigned int idx);
void sh_remove_shadow(struct shadow_mmu *mmu, struct shadow_page *sp,
		      enum mmu_cause cause);
bool sh_unshadow_frame(struct shadow_mmu *mmu, u64 gfn, enum mmu_cause cause);
/* shadow_flush_all(), saying why (trace). */
void sh_flush_all(struct shadow_mmu *mmu, enum mmu_cause cause);
void sh_write_protect_frame(struct shadow_mmu *mmu, u64 gfn);
void sh_write_protect_entry(struct shadow_mmu *mmu, struct shadow_page *sp,
			    unsigned int idx, u64 hfn);
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

/* write.c */
void sh_emulate_note_walk(struct shadow_mmu *mmu, const struct guest_walk *w);
/* Bytes [@first, @last] of frame @gfn changed: update its shadows. */
void sh_revalidate_range(struct shadow_mmu *mmu, const struct guest_paging *gp,
			 u64 gfn, unsigned int first, unsigned int last);

/* oos.c */
int sh_oos_init(struct shadow_mmu *mmu);
void sh_oos_destroy(struct shadow_mmu *mmu);
struct shadow_oos *sh_oos_find(const struct shadow_mmu *mmu, u64 gfn);
bool sh_oos_eligible(const struct shadow_mmu *mmu, u64 gfn);
/* Let @gfn (mapped at host frame @hfn) go out of sync; may evict one. */
void sh_oos_unsync(struct shadow_mmu *mmu, const struct guest_paging *gp,
		   u64 gfn, u64 hfn);
void sh_oos_note_leaf(struct shadow_mmu *mmu, struct shadow_page *sp,
		      unsigned int idx, u64 new);
/*
 * Entry @idx of L1 shadow @sp now reflects guest entry @ge: if its frame
 * is out of sync, that is what the snapshot must hold for it, or a later
 * change back to the snapshot's value would go unnoticed at resync.
 */
void sh_oos_note_guest(struct shadow_mmu *mmu, const struct shadow_page *sp,
		       unsigned int idx, u64 ge);
/* A TLB-flush point (@cause: MMU_CAUSE_CR3 or MMU_CAUSE_INVLPG). */
void sh_oos_resync_all(struct shadow_mmu *mmu, const struct guest_paging *gp,
		       enum mmu_cause cause);
/* A shadow of @type is about to be made for @gfn: resync it unless L1. */
void sh_oos_before_shadow(struct shadow_mmu *mmu,
			  const struct guest_paging *gp, u64 gfn,
			  unsigned int type);
void sh_oos_drop_all(struct shadow_mmu *mmu);

#endif /* SHADOWVM_MMU_INTERNAL_H */
