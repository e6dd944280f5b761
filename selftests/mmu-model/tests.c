// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the shadow pager core, run against the model host. Every
 * test ends with the audit, which must find nothing.
 */
#include <stdlib.h>
#include "model.h"
#include "tap.h"

int tap_failed_checks;
int model_quiet;

/*
 * Guest layout used by most tests:
 *   RAM slot gfn 0..1023, read-only slot gfn 0x800..0x80f, MMIO elsewhere.
 *   L4 gfn 1 -> L3 gfn 2 -> L2 gfn 3:
 *     L2[0], L2[1]: 2 MiB supervisor RW pages, identity (guest RAM)
 *     L2[2]: L1 gfn 4 (VA 4 MiB..6 MiB), test pages, user allowed
 *     L2[4]: 2 MiB page at 8 MiB (read-only slot, then MMIO)
 */
#define G_L4	1
#define G_L3	2
#define G_L2	3
#define G_L1	4
#define VA_T	0x400000ULL
#define DATA	0x100	/* data frames */
#define RO_GFN	0x800
#define F_P	PTE_P
#define F_W	PTE_RW
#define F_U	PTE_US
#define F_A	PTE_A
#define F_D	PTE_D
#define F_PS	PTE_PS
#define F_NX	PTE_NX

static u64 *gtab(struct model_vm *vm, u64 gfn)
{
	return model_gfn_va(&vm->host, gfn);
}

static u64 pte(u64 gfn, u64 flags)
{
	return (gfn << 12) | flags;
}

static void std_layout(struct model_vm *vm, unsigned long pool)
{
	CHECK_EQ(model_vm_init(vm, pool), 0);
	model_add_slot(&vm->host, 0, 1024, false);
	model_add_slot(&vm->host, RO_GFN, 16, true);
	gtab(vm, G_L4)[0] = pte(G_L3, F_P | F_W | F_U);
	gtab(vm, G_L3)[0] = pte(G_L2, F_P | F_W | F_U);
	gtab(vm, G_L2)[0] = pte(0, F_P | F_W | F_PS | F_A | F_D);
	gtab(vm, G_L2)[1] = pte(512, F_P | F_W | F_PS | F_A | F_D);
	gtab(vm, G_L2)[2] = pte(G_L1, F_P | F_W | F_U);
	gtab(vm, G_L2)[4] = pte(RO_GFN, F_P | F_W | F_PS);
	model_long_mode(&vm->gp, G_L4 << 12);
	CHECK_EQ(shadow_load_root(&vm->mmu, &vm->sv, &vm->gp), 0);
}

static void done(struct model_vm *vm)
{
	CHECK_EQ(shadow_audit(&vm->mmu), 0);
	model_vm_destroy(vm);
}

/* The shadow L1/FL1 entry the processor would use for @va, or NULL. */
static u64 *shadow_leaf(struct model_vm *vm, u64 va)
{
	u64 hpa = vm->sv.root_hpa;
	int level;

	for (level = 4; level > 1; level--) {
		u64 *t = model_hpa_va(&vm->host, hpa);
		u64 e = t[(va >> (12 + 9 * (level - 1))) & 511];

		if (!(e & PTE_P))
			return NULL;
		hpa = e & PTE_ADDR_MASK;
	}
	return &((u64 *)model_hpa_va(&vm->host, hpa))[(va >> 12) & 511];
}

static struct cpu_outcome access_(struct model_vm *vm, u64 va, u32 access)
{
	struct cpu_outcome o;
	u64 val = 0x1122334455667788ULL;

	cpu_access(vm, va, access, &val, &o);
	return o;
}

/* The pager and the reference walker must both produce @pfec. */
static void expect_guest_fault(struct model_vm *vm, u64 va, u32 access,
			       u32 pfec)
{
	struct cpu_outcome o = access_(vm, va, access);
	struct ref_result r;

	ref_walk(&vm->host, &vm->gp, va, access, &r);
	if (o.kind == CPU_ERROR)
		printf("#   va %#llx access %x: error %d\n",
		       (unsigned long long)va, access, o.err);
	CHECK_EQ(o.kind, CPU_GUEST_FAULT);
	CHECK_EQ(o.pfec, pfec);
	CHECK(r.fault);
	CHECK_EQ(r.pfec, pfec);
}

static void expect_ok(struct model_vm *vm, u64 va, u32 access)
{
	struct cpu_outcome o = access_(vm, va, access);
	struct ref_result r;

	ref_walk(&vm->host, &vm->gp, va, access, &r);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK(!r.fault);
}

static void test_init_and_modes(void)
{
	struct shadow_mmu mmu;
	struct mmu_host host;
	struct model_vm vm;
	struct shadow_fault f;

	model_host_init(&host);
	CHECK_EQ(shadow_mmu_init(&mmu, &host, 4, 1), -EINVAL);
	CHECK_EQ(host.zallocs_live, 0);

	std_layout(&vm, 64);
	vm.gp.efer &= ~EFER_LMA;
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), -EINVAL);
	CHECK_EQ(shadow_page_fault(&vm.mmu, &vm.sv, &vm.gp, VA_T, 0, &f),
		 -EINVAL);
	vm.gp.efer |= EFER_LMA;
	vm.gp.cr4 &= ~CR4_PAE;
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), -EINVAL);
	vm.gp.cr4 |= CR4_PAE;
	done(&vm);
}

static void test_hash(void)
{
	struct model_vm vm;
	struct shadow_page *sp[3];
	u64 gfns[3], g;
	unsigned int n = 0, b, i;

	CHECK_EQ(model_vm_init(&vm, 64), 0);
	model_add_slot(&vm.host, 0, 1024, false);
	/* Three frames in one bucket. */
	b = sh_hash_bucket(&vm.mmu, 100, SH_TYPE_L2_64);
	for (g = 100; n < 3 && g < 100000; g++)
		if (sh_hash_bucket(&vm.mmu, g, SH_TYPE_L2_64) == b)
			gfns[n++] = g;
	CHECK_EQ(n, 3);
	CHECK_EQ(sh_reserve(&vm.mmu, 3), 0);
	for (i = 0; i < 3; i++) {
		sp[i] = sh_alloc(&vm.mmu, gfns[i], SH_TYPE_L2_64);
		sh_get_ref(&vm.mmu, sp[i], 0);
	}
	CHECK_EQ(vm.mmu.stats.pages_in_use, 3);
	vm.mmu.stats.hash_max_chain = 0;
	vm.mmu.stats.hash_lookups = 0;
	/* The first inserted is at the tail: the lookup walks 3. */
	CHECK(sh_hash_lookup(&vm.mmu, gfns[0], SH_TYPE_L2_64) == sp[0]);
	CHECK_EQ(vm.mmu.stats.hash_max_chain, 3);
	CHECK(list_first_entry(&vm.mmu.hash[b], struct shadow_page,
			       hash_link) == sp[0]);
	/* Same frame, other type: a miss. */
	CHECK(!sh_hash_lookup(&vm.mmu, gfns[0], SH_TYPE_L1_64));
	CHECK(sh_hash_lookup(&vm.mmu, gfns[0], SH_TYPE_L2_64) == sp[0]);
	CHECK_EQ(vm.mmu.stats.hash_lookups, 3);
	CHECK(sh_from_hpa(&vm.mmu, sp[1]->hpa) == sp[1]);
	/*
	 * Unlinked shadows held by hand: the audit sees 3 unexplained
	 * references, and must see a duplicate (gfn, type) on top of them.
	 */
	model_quiet = 1;
	n = shadow_audit(&vm.mmu);
	CHECK_EQ(n, 3);
	g = sp[1]->gfn;
	sp[1]->gfn = sp[0]->gfn;
	CHECK(shadow_audit(&vm.mmu) > n);
	sp[1]->gfn = g;
	model_quiet = 0;
	for (i = 0; i < 3; i++)
		sh_put_ref(&vm.mmu, sp[i], 0);
	CHECK_EQ(vm.mmu.stats.pages_in_use, 0);
	done(&vm);
}

static void test_pin_lru(void)
{
	struct model_vm vm;
	struct shadow_page *sp;
	u64 roots[3] = { G_L4, 10, 11 }, order[3];
	unsigned int i, n;

	std_layout(&vm, 64);
	for (i = 1; i < 3; i++)
		memcpy(gtab(&vm, roots[i]), gtab(&vm, G_L4), 4096);
	for (i = 1; i < 3; i++) {
		vm.gp.cr3 = roots[i] << 12;
		CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), 0);
	}
	CHECK_EQ(vm.mmu.stats.root_loads, 3);
	CHECK_EQ(vm.mmu.stats.root_cache_hits, 0);
	CHECK_EQ(vm.mmu.stats.pages_in_use, 3);
	vm.gp.cr3 = G_L4 << 12;
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), 0);
	CHECK_EQ(vm.mmu.stats.root_cache_hits, 1);
	CHECK_EQ(vm.mmu.stats.pages_in_use, 3);
	n = 0;
	list_for_each_entry(sp, &vm.mmu.pinned, pin_link)
		order[n++] = sp->gfn;
	CHECK_EQ(n, 3);
	CHECK_EQ(order[0], G_L4);
	CHECK_EQ(order[1], 11);
	CHECK_EQ(order[2], 10);
	CHECK_EQ(vm.sv.root->nr_loaded, 1);
	CHECK_EQ(vm.sv.root->refcount, 2);
	done(&vm);
}

/* Two guest L2 entries name the same L1 table: one L1 shadow, two refs. */
static void shared_l1(struct model_vm *vm)
{
	gtab(vm, G_L2)[3] = pte(G_L1, F_P | F_W | F_U);
	gtab(vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U);
	expect_ok(vm, VA_T, 0);
	expect_ok(vm, VA_T + 0x200000, 0);
}

static void test_up_pointer(void)
{
	struct model_vm vm;
	struct shadow_page *l1, *l2;

	std_layout(&vm, 64);
	shared_l1(&vm);
	l1 = sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64);
	l2 = sh_hash_find(&vm.mmu, G_L2, SH_TYPE_L2_64);
	CHECK(l1 && l2);
	if (!l1 || !l2)
		goto out;
	CHECK_EQ(l1->refcount, 2);
	CHECK_EQ(l1->up, sh_locator(&vm.mmu, l2, 2));
	/* The L2 is referenced once, by L3[0]. */
	CHECK_EQ(l2->up, sh_locator(&vm.mmu,
				    sh_hash_find(&vm.mmu, G_L3, SH_TYPE_L3_64),
				    0));
	/* The recorded entry drops its reference: up resets. */
	sh_zap_entry(&vm.mmu, l2, 2);
	CHECK_EQ(l1->up, 0);
	CHECK_EQ(l1->refcount, 1);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	expect_ok(&vm, VA_T, 0);
	/* Up was 0 when entry 2 re-linked: entry 2 is now recorded. */
	CHECK_EQ(l1->up, sh_locator(&vm.mmu, l2, 2));
	/* Another entry dropping its reference leaves up alone. */
	sh_zap_entry(&vm.mmu, l2, 3);
	CHECK_EQ(l1->up, sh_locator(&vm.mmu, l2, 2));
	CHECK_EQ(l1->refcount, 1);
out:
	done(&vm);
}

static void test_unshadow_up_vs_search(void)
{
	struct model_vm vm;
	u64 val = pte(DATA + 1, F_P | F_W | F_U);
	struct cpu_outcome o;

	/* Single reference: the up-pointer finds the parent. */
	std_layout(&vm, 64);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U);
	expect_ok(&vm, VA_T, 0);
	CHECK(sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64));
	/* Guest writes L1[1] through the identity map. */
	cpu_access(&vm, (G_L1 << 12) + 8, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK(!sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64));
	CHECK_EQ(vm.mmu.stats.unshadows, 1);
	CHECK_EQ(vm.mmu.unhook_by_up, 1);
	CHECK_EQ(vm.mmu.unhook_by_search, 0);
	CHECK_EQ(gtab(&vm, G_L1)[1], val);
	/* The new entry is used on the next access. */
	expect_ok(&vm, VA_T + 0x1000, PFEC_WRITE);
	done(&vm);

	/* Two references: up finds one, the search finds the other. */
	std_layout(&vm, 64);
	shared_l1(&vm);
	cpu_access(&vm, (G_L1 << 12) + 8, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK(!sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64));
	CHECK_EQ(vm.mmu.unhook_by_up, 1);
	CHECK_EQ(vm.mmu.unhook_by_search, 1);
	done(&vm);

	/* up == 0 (its entry went away): the search alone. */
	std_layout(&vm, 64);
	shared_l1(&vm);
	sh_zap_entry(&vm.mmu, sh_hash_find(&vm.mmu, G_L2, SH_TYPE_L2_64), 2);
	CHECK_EQ(sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64)->up, 0);
	cpu_access(&vm, (G_L1 << 12) + 8, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(vm.mmu.unhook_by_up, 0);
	CHECK_EQ(vm.mmu.unhook_by_search, 1);
	done(&vm);
}

static void test_fault_results(void)
{
	struct model_vm vm;
	struct cpu_outcome o;
	u64 *l1;

	std_layout(&vm, 64);
	l1 = gtab(&vm, G_L1);
	l1[0] = pte(DATA, F_P | F_W | F_U);
	l1[1] = pte(DATA + 1, F_P | F_U);		/* read-only */
	l1[2] = pte(DATA + 2, F_P | F_W);		/* supervisor */
	l1[3] = pte(DATA + 3, F_P | F_W | F_U | F_NX);	/* no execute */
	l1[5] = pte(DATA + 5, F_P | F_W | F_U | GENMASK_ULL(51, 46));
	l1[6] = pte(0x900, F_P | F_W | F_U);		/* MMIO */
	l1[7] = pte(RO_GFN, F_P | F_W | F_U);		/* read-only slot */

	expect_ok(&vm, VA_T, PFEC_WRITE | PFEC_USER);
	CHECK_EQ(vm.mmu.stats.shadow_faults, 1);
	/* not present */
	expect_guest_fault(&vm, VA_T + 0x4000, 0, 0);
	expect_guest_fault(&vm, VA_T + 0x4000, PFEC_WRITE | PFEC_USER,
			   PFEC_WRITE | PFEC_USER);
	expect_guest_fault(&vm, VA_T + 0x4000, PFEC_FETCH, PFEC_FETCH);
	/* write to read-only, from user and (CR0.WP=1) supervisor */
	expect_ok(&vm, VA_T + 0x1000, PFEC_USER);
	expect_guest_fault(&vm, VA_T + 0x1000, PFEC_WRITE | PFEC_USER,
			   PFEC_PRESENT | PFEC_WRITE | PFEC_USER);
	expect_guest_fault(&vm, VA_T + 0x1000, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_WRITE);
	/* rights of an upper level: a read-only L2e over a writable L1e */
	gtab(&vm, G_L2)[8] = pte(5, F_P | F_U);
	gtab(&vm, 5)[0] = pte(DATA, F_P | F_W | F_U | F_A | F_D);
	expect_ok(&vm, 8ULL << 21, PFEC_USER);
	expect_guest_fault(&vm, 8ULL << 21, PFEC_WRITE | PFEC_USER,
			   PFEC_PRESENT | PFEC_WRITE | PFEC_USER);
	expect_guest_fault(&vm, 8ULL << 21, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_WRITE);
	/* user to supervisor page */
	expect_ok(&vm, VA_T + 0x2000, PFEC_WRITE);
	expect_guest_fault(&vm, VA_T + 0x2000, PFEC_USER,
			   PFEC_PRESENT | PFEC_USER);
	/* NX fetch */
	expect_ok(&vm, VA_T + 0x3000, PFEC_USER);
	expect_guest_fault(&vm, VA_T + 0x3000, PFEC_FETCH | PFEC_USER,
			   PFEC_PRESENT | PFEC_FETCH | PFEC_USER);
	expect_ok(&vm, VA_T, PFEC_FETCH | PFEC_USER);
	/* reserved bits: high address bits, PS in L4e and L3e, XD w/o NXE */
	expect_guest_fault(&vm, VA_T + 0x5000, 0, PFEC_PRESENT | PFEC_RSVD);
	gtab(&vm, G_L4)[5] = pte(G_L3, F_P | F_W | F_PS);
	expect_guest_fault(&vm, 5ULL << 39, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_RSVD | PFEC_WRITE);
	gtab(&vm, G_L3)[5] = pte(0, F_P | F_W | F_PS);
	expect_guest_fault(&vm, 5ULL << 30, PFEC_USER,
			   PFEC_PRESENT | PFEC_RSVD | PFEC_USER);
	gtab(&vm, G_L2)[6] = pte(0x11, F_P | F_W | F_PS);	/* misaligned */
	expect_guest_fault(&vm, 6ULL << 21, 0, PFEC_PRESENT | PFEC_RSVD);
	/* MMIO: a frame outside slots, and a write to a read-only slot */
	o = access_(&vm, VA_T + 0x6010, PFEC_WRITE);
	CHECK_EQ(o.kind, CPU_MMIO);
	CHECK_EQ(o.mmio_gpa, 0x900010);
	CHECK(o.mmio_write);
	CHECK(!shadow_leaf(&vm, VA_T + 0x6000) ||
	      !(*shadow_leaf(&vm, VA_T + 0x6000) & PTE_P));
	expect_ok(&vm, VA_T + 0x7000, PFEC_USER);
	o = access_(&vm, VA_T + 0x7008, PFEC_WRITE | PFEC_USER);
	CHECK_EQ(o.kind, CPU_MMIO);
	CHECK_EQ(o.mmio_gpa, (u64)RO_GFN << 12 | 8);
	CHECK(o.mmio_write);
	o = access_(&vm, 0x900000 - 0x800000 + 0x800000, 0);
	CHECK_EQ(o.kind, CPU_MMIO);	/* identity 2 MiB page over the hole */
	CHECK_EQ(vm.mmu.stats.mmio_faults, 3);
	CHECK(vm.mmu.stats.guest_faults >= 10);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* Without NXE, XD is reserved and fetches do not report I/D. */
	vm.gp.efer &= ~EFER_NXE;
	shadow_flush_all(&vm.mmu);	/* what the vCPU does on EFER writes */
	expect_guest_fault(&vm, VA_T + 0x3000, PFEC_USER,
			   PFEC_PRESENT | PFEC_RSVD | PFEC_USER);
	expect_guest_fault(&vm, VA_T + 0x4000, PFEC_FETCH, 0);
	expect_ok(&vm, VA_T, PFEC_FETCH | PFEC_USER);
	/* SMEP: supervisor fetch from a user page; reported with I/D. */
	vm.gp.cr4 |= CR4_SMEP;
	shadow_flush_all(&vm.mmu);
	expect_guest_fault(&vm, VA_T, PFEC_FETCH, PFEC_PRESENT | PFEC_FETCH);
	expect_guest_fault(&vm, VA_T + 0x4000, PFEC_FETCH, PFEC_FETCH);
	expect_ok(&vm, VA_T + 0x2000, PFEC_FETCH);
	/* SMAP: supervisor data access to a user page unless RFLAGS.AC. */
	vm.gp.cr4 |= CR4_SMAP;
	shadow_flush_all(&vm.mmu);
	expect_guest_fault(&vm, VA_T, 0, PFEC_PRESENT);
	vm.gp.rflags |= RFLAGS_AC;
	expect_ok(&vm, VA_T, PFEC_WRITE);
	done(&vm);
}

static void test_accessed_dirty(void)
{
	struct model_vm vm;
	u64 *l1, *leaf;

	std_layout(&vm, 64);
	l1 = gtab(&vm, G_L1);
	l1[0] = pte(DATA, F_P | F_W | F_U);
	l1[1] = pte(DATA + 1, F_P | F_U);
	/* A faulting access leaves A alone. */
	expect_guest_fault(&vm, VA_T + 0x1000, PFEC_WRITE | PFEC_USER,
			   PFEC_PRESENT | PFEC_WRITE | PFEC_USER);
	CHECK(!(l1[1] & F_A));
	CHECK(!(gtab(&vm, G_L4)[0] & F_A));
	/* A read sets A on every level, not D; the shadow is read-only. */
	expect_ok(&vm, VA_T, PFEC_USER);
	CHECK(gtab(&vm, G_L4)[0] & F_A);
	CHECK(gtab(&vm, G_L3)[0] & F_A);
	CHECK(gtab(&vm, G_L2)[2] & F_A);
	CHECK(l1[0] & F_A);
	CHECK(!(l1[0] & F_D));
	leaf = shadow_leaf(&vm, VA_T);
	CHECK(leaf && (*leaf & PTE_P) && !(*leaf & PTE_RW));
	/* The write faults again, sets D, and makes the shadow writable. */
	expect_ok(&vm, VA_T, PFEC_WRITE | PFEC_USER);
	CHECK(l1[0] & F_D);
	CHECK(!(gtab(&vm, G_L2)[2] & F_D));
	leaf = shadow_leaf(&vm, VA_T);
	CHECK(leaf && (*leaf & PTE_RW));
	/* 2 MiB page: D goes into the L2e; the shadow L2e carries it. */
	gtab(&vm, G_L2)[5] = pte(0x200, F_P | F_W | F_PS);
	expect_ok(&vm, 5ULL << 21, 0);
	CHECK((gtab(&vm, G_L2)[5] & (F_A | F_D)) == F_A);
	expect_ok(&vm, (5ULL << 21) + 0x3000, PFEC_WRITE);
	CHECK(gtab(&vm, G_L2)[5] & F_D);
	/* Tables in a read-only slot are ROM: A is not written there. */
	CHECK_EQ(shadow_translate(&vm.mmu, &vm.gp, VA_T + 0x1000, PFEC_USER,
				  &(u64){0}, &(u32){0}), 0);
	CHECK(l1[1] & F_A);
	done(&vm);
}

static void test_write_protect(void)
{
	struct model_vm vm;
	u64 *leaf, val = 0, flushes;
	struct cpu_outcome o;

	std_layout(&vm, 64);
	/* DATA+9 is an ordinary page, mapped writable at VA_T. */
	gtab(&vm, G_L1)[0] = pte(DATA + 9, F_P | F_W | F_U | F_D);
	expect_ok(&vm, VA_T, PFEC_WRITE);
	leaf = shadow_leaf(&vm, VA_T);
	CHECK(leaf && (*leaf & PTE_RW));
	/* Now it becomes an L1 table (for VA 14 MiB) and gets shadowed. */
	gtab(&vm, G_L2)[7] = pte(DATA + 9, F_P | F_W);
	flushes = vm.host.flushes;
	expect_guest_fault(&vm, 7ULL << 21, 0, 0);	/* walk fails: no shadow */
	CHECK(*leaf & PTE_RW);
	((u64 *)model_gfn_va(&vm.host, DATA + 9))[0] = pte(DATA, F_P | F_W);
	expect_ok(&vm, 7ULL << 21, 0);
	CHECK(sh_hash_find(&vm.mmu, DATA + 9, SH_TYPE_L1_64));
	CHECK(!(*leaf & PTE_RW));
	CHECK(vm.host.flushes > flushes);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/* The guest writes it: unshadowed, write done, leaf writable. */
	val = pte(DATA + 1, F_P | F_W);
	cpu_access(&vm, VA_T + 8, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.faults, 1);
	CHECK(!sh_hash_find(&vm.mmu, DATA + 9, SH_TYPE_L1_64));
	CHECK(*shadow_leaf(&vm, VA_T) & PTE_RW);
	CHECK_EQ(((u64 *)model_gfn_va(&vm.host, DATA + 9))[1], val);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	expect_ok(&vm, (7ULL << 21) + 0x1000, 0);
	done(&vm);

	/* Writing the live L4 (on its own write's path) must not livelock. */
	std_layout(&vm, 64);
	val = pte(G_L3, F_P | F_W);
	cpu_access(&vm, (G_L4 << 12) + 8 * 3, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK(vm.mmu.oos_valid);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	expect_ok(&vm, (3ULL << 39) + 0x1000, 0);
	CHECK(!vm.mmu.oos_valid);
	CHECK(sh_hash_find(&vm.mmu, G_L4, SH_TYPE_L4_64));
	CHECK_EQ(vm.mmu.stats.unshadows, 1);
	/* and again, now that the old root is gone */
	val = 0;
	cpu_access(&vm, (G_L4 << 12) + 8 * 3, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	/* Present -> not present needs the guest's INVLPG, as on hardware. */
	shadow_invlpg(&vm.mmu, &vm.sv, &vm.gp, (3ULL << 39) + 0x1000);
	expect_guest_fault(&vm, (3ULL << 39) + 0x1000, 0, 0);
	done(&vm);
}

static void test_invlpg(void)
{
	struct model_vm vm;
	u64 *leaf;

	std_layout(&vm, 64);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U);
	expect_ok(&vm, VA_T, 0);
	leaf = shadow_leaf(&vm, VA_T);
	CHECK(leaf && (*leaf & PTE_P));
	shadow_invlpg(&vm.mmu, &vm.sv, &vm.gp, VA_T);
	CHECK_EQ(*leaf, 0);
	CHECK_EQ(vm.mmu.stats.invlpg, 1);
	expect_ok(&vm, VA_T, 0);
	done(&vm);
}

static void test_pool_exhaustion(void)
{
	struct model_vm vm;
	struct cpu_outcome o;
	unsigned int i;
	int ret;

	/* Smallest pool: every new address space reclaims. */
	std_layout(&vm, 5);
	for (i = 0; i < 40; i++) {
		u64 root = 20 + (i % 10);

		memcpy(gtab(&vm, root), gtab(&vm, G_L4), 4096);
		gtab(&vm, root)[1] = pte(G_L3, F_P | F_W);
		vm.gp.cr3 = root << 12;
		CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), 0);
		gtab(&vm, G_L1)[i % 8] = pte(DATA + i, F_P | F_W);
		o = access_(&vm, VA_T + (i % 8) * 0x1000, PFEC_WRITE);
		CHECK_EQ(o.kind, CPU_OK);
		o = access_(&vm, (1ULL << 39) + 0x1000, 0);
		CHECK_EQ(o.kind, CPU_OK);
		if (shadow_audit(&vm.mmu))
			break;
	}
	CHECK(vm.mmu.stats.reclaims > 0);
	CHECK(vm.mmu.stats.pages_max <= 5);
	done(&vm);

	/* The host allocator fails: -ENOMEM, nothing broken, then recovery. */
	CHECK_EQ(model_vm_init(&vm, 64), 0);
	model_add_slot(&vm.host, 0, 1024, false);
	gtab(&vm, G_L4)[0] = pte(G_L3, F_P | F_W | F_U);
	gtab(&vm, G_L3)[0] = pte(G_L2, F_P | F_W | F_U);
	gtab(&vm, G_L2)[2] = pte(G_L1, F_P | F_W | F_U);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U);
	model_long_mode(&vm.gp, G_L4 << 12);
	vm.host.alloc_budget = 0;
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), -ENOMEM);
	CHECK(!vm.sv.root);
	vm.host.alloc_budget = 2;
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), 0);
	ret = shadow_page_fault(&vm.mmu, &vm.sv, &vm.gp, VA_T, 0,
				&(struct shadow_fault){0});
	CHECK_EQ(ret, -ENOMEM);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	vm.host.alloc_budget = -1;
	expect_ok(&vm, VA_T, 0);
	done(&vm);
}

static void test_flush_all(void)
{
	struct model_vm vm;

	std_layout(&vm, 64);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U);
	memcpy(gtab(&vm, 40), gtab(&vm, G_L4), 4096);
	vm.gp.cr3 = 40 << 12;
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), 0);
	expect_ok(&vm, VA_T, 0);
	shadow_flush_all(&vm.mmu);
	/* Only the loaded root is left, empty and still loaded. */
	CHECK_EQ(vm.mmu.stats.pages_in_use, 1);
	CHECK(!shadow_root_stale(&vm.sv));
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	expect_ok(&vm, VA_T, 0);
	/* A paging-control change seen at a pager entry drops shadows. */
	vm.gp.efer &= ~EFER_NXE;
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), 0);
	CHECK_EQ(vm.mmu.mode_key & EFER_NXE, 0);
	CHECK_EQ(vm.mmu.stats.pages_in_use, 1);
	expect_ok(&vm, VA_T, 0);
	done(&vm);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "init and guest modes", test_init_and_modes },
		{ "hash insert/lookup/move-to-front/chain stats", test_hash },
		{ "pinned list LRU order and cache hit on reload", test_pin_lru },
		{ "up-pointer set on link, reset on drop", test_up_pointer },
		{ "unshadow via up-pointer and search fallback",
		  test_unshadow_up_vs_search },
		{ "fault results and error codes", test_fault_results },
		{ "accessed and dirty bits", test_accessed_dirty },
		{ "write protection and unshadow on write", test_write_protect },
		{ "invlpg", test_invlpg },
		{ "pool exhaustion and reclaim", test_pool_exhaustion },
		{ "flush all and mode change", test_flush_all },
	};
	unsigned int i, n = ARRAY_SIZE(tests);
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	for (i = 0; i < n; i++) {
		int before = tap_failed_checks;

		tests[i].fn();
		if (tap_failed_checks != before)
			failed++;
		printf("%sok %u - %s\n", tap_failed_checks != before ?
		       "not " : "", i + 1, tests[i].name);
	}
	failed += random_tests(argc, argv, n + 1);
	return failed ? 1 : 0;
}
