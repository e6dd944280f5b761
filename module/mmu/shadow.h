/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shadow pager's interface to the rest of shadowvm.
 *
 * A VM owns one struct shadow_mmu; each vCPU owns one struct shadow_vcpu
 * (the top-level shadow it has loaded). The caller serialises every call
 * on one shadow_mmu with the VM's MMU lock.
 */
#ifndef SHADOWVM_MMU_SHADOW_H
#define SHADOWVM_MMU_SHADOW_H

#include "host.h"

/* Guest paging controls that a shadow depends on (read from the vCPU). */
struct guest_paging {
	u64 cr0;
	u64 cr3;
	u64 cr4;
	u64 efer;
	u64 rflags;	/* only RFLAGS.AC is used (SMAP); 0 is strict */
	/*
	 * PAE paging only: the PDPTE registers, i.e. the four entries the
	 * processor read at CR3 (shadow_read_pdptes()) when the guest last
	 * loaded CR3 or entered PAE paging. Later writes to the guest's PDPT
	 * do not count until then, as on hardware.
	 */
	u64 pdpte[4];
};

/*
 * The guest paging modes, from CR0.PE/PG, CR4.PAE and EFER.LMA. Real mode
 * (CR0.PE=0) and 5-level paging are not supported.
 */
enum shadow_guest_mode {
	SHADOW_MODE_NONE,	/* not supported */
	SHADOW_MODE_UNPAGED,	/* protected mode, CR0.PG=0 */
	SHADOW_MODE_32,		/* 2-level 32-bit paging (CR4.PSE: 4 MiB) */
	SHADOW_MODE_PAE,	/* 3-level PAE paging */
	SHADOW_MODE_64,		/* 4-level long mode */
};

enum shadow_guest_mode shadow_guest_mode(const struct guest_paging *gp);

/*
 * Physical-address width the pager assumes for the guest: guest entries
 * with address bits at or above it set take a reserved-bit #PF. CPUID
 * 0x80000008 must report the same value to the guest.
 */
#define SHADOW_GUEST_MAXPHYADDR	46

/* Page-fault error code bits (SDM Vol. 3, "Page-Fault Exceptions"). */
#define PFEC_PRESENT	BIT(0)
#define PFEC_WRITE	BIT(1)
#define PFEC_USER	BIT(2)
#define PFEC_RSVD	BIT(3)
#define PFEC_FETCH	BIT(4)

/* Counters; the module copies them into struct shadowvm_stats. */
struct shadow_stats {
	u64 shadow_faults;	/* faults fixed by building shadow entries */
	u64 guest_faults;	/* faults the guest tables say are real */
	u64 mmio_faults;	/* faults on guest-physical addresses outside slots */
	u64 pages_in_use;
	u64 pages_max;
	u64 hash_lookups;
	u64 hash_max_chain;
	u64 root_loads;
	u64 root_cache_hits;	/* CR3 loads that found a pinned shadow */
	u64 invlpg;
	u64 reclaims;		/* shadows unpinned to refill the pool */
	u64 unshadows;		/* frames unshadowed because the guest wrote them */
	u64 emulated_writes;	/* shadow_write_guest/cmpxchg calls done */
	u64 unshadows_up;	/* parent entries found via an up-pointer */
	u64 unshadows_walk;	/* unshadows that had to search all parents */
	u64 l3_mass_unpins;	/* times L3-toplevel was switched off */
	u64 prefetched;		/* L1 entries filled ahead of a fault */
	u64 oos_unsyncs;	/* L1s let out of sync instead of emulating */
	u64 oos_resyncs;	/* out-of-sync L1s brought back in sync */
};

struct shadow_page;

#define SHADOW_OOS_SLOTS	4	/* L1s out of sync at a time, per VM */
#define SHADOW_OOS_WMAPS	4	/* writable mappings remembered, each */

/* A guest L1 the guest may write natively until its next TLB flush. */
struct shadow_oos {
	u64 gfn;
	u64 hfn;
	u64 *snapshot;		/* the frame as it was when it went out of sync */
	/*
	 * Locators of the shadow leaves that map the frame writable; more
	 * than SHADOW_OOS_WMAPS were made when nr_wmaps exceeds it.
	 */
	u64 wmap[SHADOW_OOS_WMAPS];
	unsigned int nr_wmaps;
	bool valid;
};

struct shadow_mmu {
	struct mmu_host *host;
	/* Pool: metadata for at most pool_size shadow pages. */
	struct shadow_page *pool;
	unsigned long pool_size;
	struct list_head free_list;
	unsigned long nr_free;
	/* Hash of (guest frame, type) -> shadow page. */
	struct list_head *hash;
	unsigned int hash_buckets;
	/* Reverse map: host frame of a shadow page -> its metadata. */
	struct list_head *hpa_hash;
	/* Pinned top-level shadows, most recently loaded first. */
	struct list_head pinned;
	unsigned int nr_vcpus;
	/* Guest CR0.WP/CR4.SMEP,SMAP/EFER.NXE the shadows were built under. */
	u64 mode_key;
	/*
	 * A shadowed frame the guest was allowed to write because it lies on
	 * the translation path of that very write (see shadow-pager.rst);
	 * its shadows are dropped at the next pager entry.
	 */
	u64 path_gfn;
	bool path_valid;
	/* Out-of-sync L1s (oos.c); a slot is free when !valid. */
	struct shadow_oos oos[SHADOW_OOS_SLOTS];
	unsigned int oos_next;	/* slot to evict next, round robin */
	/*
	 * The emulator gave up on a write to this frame: the next write
	 * fault on it runs natively (see shadow_unshadow_gfn()).
	 */
	u64 native_gfn;
	bool native_valid;
	/*
	 * Locator of a shadow entry holding rights the guest may use for one
	 * instruction only (shadow_fault.single_step), and the value it was
	 * given; 0 when none. Zapped at shadow_step_done() or the next pager
	 * entry, whichever comes first.
	 */
	u64 step_loc;
	u64 step_entry;
	bool flush_pending;	/* shadow entries lost rights since last flush */
	/*
	 * L3-toplevel (64-bit guests): new L3 shadows are pinned. Switched
	 * off for good, with every L3 unpinned, when a new L4 shadow is made
	 * while more than 2 * nr_vcpus L4s are pinned (shadow_load_root()).
	 */
	bool l3_toplevel;
	unsigned int nr_pinned_l4;
	/*
	 * Up-pointers that, when used, did not name an entry mapping their
	 * shadow. Always 0 unless the pager is broken; the audit reports it.
	 */
	u64 bad_up;
	/* Write-path heuristics (write.c): flooding and zeroing detection. */
	u64 flood_gfn;		/* frame of the last emulated writes */
	unsigned int flood_count; /* ... since a shadow fault went through it */
	u64 zero_gfn;		/* frame being zeroed from entry 0 */
	unsigned int zero_next;	/* next byte the zeroing run expects */
	struct shadow_stats stats;
};

/*
 * A vCPU's loaded root. In 4-level mode root[0] is the guest L4's shadow
 * and hardware CR3 points at it. Every other mode runs on hardware PAE
 * paging: hardware CR3 points at @pae_root, whose four PDPTEs link the
 * top-level shadows root[0..3] (NULL where the guest PDPTE is not
 * present): the quarters of a 2-level guest's L2, a PAE guest's four
 * L2s, or the identity map of an unpaged guest.
 */
struct shadow_vcpu {
	struct shadow_page *root[4];
	u64 root_hpa;			/* what hardware CR3 must hold; 0: none */
	u64 *pae_root;			/* below 4 GiB (shadow_vcpu_init()) */
	u64 pae_root_hpa;
	enum shadow_guest_mode mode;	/* of the loaded root */
	/* The paging state the root was loaded for (sh_root_matches()). */
	u64 root_cr3;
	u64 root_pdpte[4];
};

enum shadow_fault_kind {
	SHADOW_FAULT_FIXED,	/* shadows updated: re-enter the guest */
	SHADOW_FAULT_GUEST,	/* inject #PF(error_code) at the fault address */
	SHADOW_FAULT_MMIO,	/* access to guest-physical @gpa outside slots */
	/*
	 * A write the guest's tables allow, to @gpa in a frame that holds
	 * shadowed page tables (or a guest CR0.WP=0 supervisor write that no
	 * shadow rights can express under CR4.SMAP): emulate the
	 * instruction, doing its memory writes with shadow_write_guest()/
	 * shadow_cmpxchg_guest(); if it cannot be emulated, call
	 * shadow_unshadow_gfn() and re-enter.
	 */
	SHADOW_FAULT_EMULATE,
};

struct shadow_fault {
	enum shadow_fault_kind kind;
	u32 error_code;		/* SHADOW_FAULT_GUEST: the guest's PFEC */
	u64 gpa;		/* MMIO, EMULATE: guest-physical address */
	bool write;		/* MMIO, EMULATE: the access was a write */
	/*
	 * FIXED: the shadows now grant more than the guest allows in some
	 * mode the pager cannot see change (a WP=0 supervisor write under
	 * SMAP, after the emulator gave up: EFLAGS.AC is not trapped). Run
	 * the one instruction (single-step, e.g. the monitor trap flag),
	 * then call shadow_step_done(). Without that, the extra rights last
	 * until the next pager entry.
	 */
	bool single_step;
};

/*
 * May the shadows of guest frame @gfn lag behind the guest's entries in
 * it? True for an out-of-sync L1 (until the guest's next TLB flush:
 * CR3 load, INVLPG, paging-mode change) and for the frame a native write
 * went through on its own walk path (until the next pager call). The
 * translations through such a frame are those of a stale TLB.
 */
bool shadow_gfn_unsynced(const struct shadow_mmu *mmu, u64 gfn);

/* The instruction single-stepped for shadow_fault.single_step is done. */
void shadow_step_done(struct shadow_mmu *mmu);

/*
 * Set up / tear down a vCPU's view of the pager. Init allocates the PAE
 * root page (-ENOMEM); destroy releases any loaded root and frees it.
 */
int shadow_vcpu_init(struct shadow_mmu *mmu, struct shadow_vcpu *sv);
void shadow_vcpu_destroy(struct shadow_mmu *mmu, struct shadow_vcpu *sv);

/*
 * What the processor does with the guest's PDPT when PAE paging is
 * entered or CR3 loaded under it: read the four entries at @cr3 (bits
 * 31:5) into @pdpte. Returns -EINVAL when a present entry has reserved
 * bits set (the guest gets #GP and keeps its old CR3), 0 otherwise. A
 * PDPT outside guest RAM reads as all ones.
 */
int shadow_read_pdptes(struct shadow_mmu *mmu, u64 cr3, u64 pdpte[4]);

/* @pool_pages bounds the shadow memory of the VM. */
int shadow_mmu_init(struct shadow_mmu *mmu, struct mmu_host *host,
		    unsigned long pool_pages, unsigned int nr_vcpus);
/* Frees every shadow; every shadow_vcpu must have released its root. */
void shadow_mmu_destroy(struct shadow_mmu *mmu);

/*
 * Guest CR3 load, paging-mode change or first entry: find or build the
 * top-level shadows for @gp (in any mode but SHADOW_MODE_NONE), pin them,
 * make them the vCPU's root. On success sv->root_hpa is what the hardware
 * CR3 must hold; the hardware runs 4-level paging for SHADOW_MODE_64 and
 * PAE paging (EFER.LMA=0) otherwise, with CR0.WP=1 and EFER.NXE=1. Shadows
 * built under another mode or other paging controls are dropped first.
 * Fails with -ENOMEM only if the pool cannot hold the top-level shadows
 * and its reclaim freed nothing, -EINVAL for SHADOW_MODE_NONE. Requests a
 * TLB flush (the guest's CR3 write flushes its TLB).
 */
int shadow_load_root(struct shadow_mmu *mmu, struct shadow_vcpu *sv,
		     const struct guest_paging *gp);
/* The vCPU goes away or changes paging mode: drop its root reference. */
void shadow_release_root(struct shadow_mmu *mmu, struct shadow_vcpu *sv);
/*
 * True when sv->root was torn down under the vCPU: call shadow_load_root()
 * before the next guest entry. Any pager call can make it true.
 */
bool shadow_root_stale(const struct shadow_vcpu *sv);

/*
 * #PF intercepted at linear address @addr with hardware error code @pfec
 * (computed from the shadow tables). Walks the guest tables and either
 * fixes the shadows or says what the guest must see (or that a write to
 * a shadowed page table needs emulating). Returns 0 with *out filled
 * in, -EINVAL for a guest mode the pager does not handle (or no root
 * loaded), -ENOMEM when the pool could not be refilled. After a
 * SHADOW_FAULT_FIXED result check shadow_root_stale().
 */
int shadow_page_fault(struct shadow_mmu *mmu, struct shadow_vcpu *sv,
		      const struct guest_paging *gp, u64 addr, u32 pfec,
		      struct shadow_fault *out);

/* Guest INVLPG @addr. */
void shadow_invlpg(struct shadow_mmu *mmu, struct shadow_vcpu *sv,
		   const struct guest_paging *gp, u64 addr);

/*
 * Translate a guest linear address through the guest's tables, as an
 * access of kind @pfec (PFEC_WRITE/USER/FETCH), setting A/D bits as the
 * hardware would. Returns 0 and *gpa, or -EFAULT with *fault_pfec the
 * error code the guest must see. Used by instruction fetch for emulation.
 */
int shadow_translate(struct shadow_mmu *mmu, const struct guest_paging *gp,
		     u64 addr, u32 pfec, u64 *gpa, u32 *fault_pfec);

/*
 * The write path for SHADOW_FAULT_EMULATE. Write @len bytes of @data to
 * guest-physical @gpa (the range may continue into the following frames)
 * and revalidate the changed guest entries, in place, into every shadow
 * of each written frame. Returns 0, or -EFAULT (nothing written) if some
 * byte is outside guest RAM or in a read-only slot: the caller treats
 * that access as MMIO. Heuristics may unshadow the frame instead of
 * revalidating (writes that look like reuse as data). Check
 * shadow_root_stale() afterwards.
 */
int shadow_write_guest(struct shadow_mmu *mmu, const struct guest_paging *gp,
		       u64 gpa, const void *data, unsigned int len);
/*
 * Compare-exchange for locked instructions: if the @len bytes at @gpa
 * equal @old, store @new (as shadow_write_guest() does) and return 0;
 * -EAGAIN if memory differs (nothing stored), -EFAULT as above. Atomic
 * against native guest writes for naturally aligned 4 and 8 bytes.
 */
int shadow_cmpxchg_guest(struct shadow_mmu *mmu, const struct guest_paging *gp,
			 u64 gpa, const void *old, const void *new,
			 unsigned int len);
/*
 * The emulator could not handle a write to @gfn: drop its shadows. The
 * next write fault on @gfn runs the instruction natively, so re-entering
 * the guest makes progress.
 */
void shadow_unshadow_gfn(struct shadow_mmu *mmu, u64 gfn);

/*
 * Default pool size (pages) for a VM with @guest_ram_bytes of RAM and
 * @nr_vcpus vCPUs; never below shadow_min_pool_pages(@nr_vcpus).
 */
unsigned long shadow_default_pool_pages(u64 guest_ram_bytes,
					unsigned int nr_vcpus);
/* Smallest pool shadow_mmu_init() accepts for @nr_vcpus vCPUs. */
unsigned long shadow_min_pool_pages(unsigned int nr_vcpus);

/*
 * Drop every shadow (mode change, pool exhaustion, VM reset). Roots loaded
 * by a vCPU stay allocated and loaded, with all their entries cleared.
 */
void shadow_flush_all(struct shadow_mmu *mmu);

/*
 * Check the invariants of Documentation/shadow-pager.rst over every shadow.
 * Returns the number of violations found (each is logged with pr_warn).
 */
unsigned long shadow_audit(struct shadow_mmu *mmu);

#endif /* SHADOWVM_MMU_SHADOW_H */
