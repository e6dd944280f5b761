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
	u64 hpa[4], *leaf;

	hw_path(&vm->host, &vm->gp, vm->sv.root_hpa, va, hpa, &leaf);
	return leaf;
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
	if (o.kind != CPU_OK)
		printf("#   va %#llx access %x: kind %d pfec %x err %d\n",
		       (unsigned long long)va, access, o.kind, o.pfec, o.err);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK(!r.fault);
}

static void test_init_and_modes(void)
{
	static const struct {
		u64 cr0, cr4, efer;
		enum shadow_guest_mode mode;
	} modes[] = {
		{ 0, 0, 0, SHADOW_MODE_NONE },
		{ CR0_PG, CR4_PAE, EFER_LMA, SHADOW_MODE_NONE },
		{ CR0_PE, CR4_PAE, EFER_LME, SHADOW_MODE_UNPAGED },
		{ CR0_PE | CR0_PG, CR4_PSE, EFER_NXE, SHADOW_MODE_32 },
		{ CR0_PE | CR0_PG, CR4_PAE, EFER_NXE, SHADOW_MODE_PAE },
		{ CR0_PE | CR0_PG, CR4_PAE, EFER_LME | EFER_LMA,
		  SHADOW_MODE_64 },
		{ CR0_PE | CR0_PG, CR4_PAE | CR4_LA57, EFER_LME | EFER_LMA,
		  SHADOW_MODE_NONE },
	};
	unsigned int i;
	struct shadow_mmu mmu;
	struct mmu_host host;
	struct model_vm vm;
	struct shadow_fault f;

	model_host_init(&host);
	CHECK_EQ(shadow_mmu_init(&mmu, &host, 4, 1), -EINVAL);
	CHECK_EQ(host.zallocs_live, 0);

	std_layout(&vm, 64);
	/* Which mode each set of controls means; both walkers agree. */
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		struct guest_paging gp = vm.gp;

		gp.cr0 = modes[i].cr0;
		gp.cr4 = modes[i].cr4;
		gp.efer = modes[i].efer;
		CHECK_EQ(shadow_guest_mode(&gp), modes[i].mode);
		if (modes[i].mode != SHADOW_MODE_NONE ||
		    !(gp.cr4 & CR4_LA57))
			CHECK_EQ(ref_mode(&gp), modes[i].mode);
	}
	/* Real mode (and 5-level paging) is refused, whatever is loaded. */
	vm.gp.cr0 &= ~(CR0_PE | CR0_PG);
	vm.gp.efer &= ~EFER_LMA;
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), -EINVAL);
	CHECK_EQ(shadow_page_fault(&vm.mmu, &vm.sv, &vm.gp, VA_T, 0, &f),
		 -EINVAL);
	shadow_release_root(&vm.mmu, &vm.sv);
	CHECK_EQ(vm.sv.root_hpa, 0);
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), -EINVAL);
	CHECK_EQ(vm.sv.root_hpa, 0);
	CHECK_EQ(shadow_page_fault(&vm.mmu, &vm.sv, &vm.gp, VA_T, 0, &f),
		 -EINVAL);
	model_long_mode(&vm.gp, G_L4 << 12);
	vm.gp.cr4 |= CR4_LA57;
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), -EINVAL);
	model_long_mode(&vm.gp, G_L4 << 12);
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), 0);
	expect_ok(&vm, 0x1000, 0);
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
	b = sh_hash_bucket(&vm.mmu, 100, SH_TYPE_L2_64, 0);
	for (g = 100; n < 3 && g < 100000; g++)
		if (sh_hash_bucket(&vm.mmu, g, SH_TYPE_L2_64, 0) == b)
			gfns[n++] = g;
	CHECK_EQ(n, 3);
	CHECK_EQ(sh_reserve(&vm.mmu, 3), 0);
	for (i = 0; i < 3; i++) {
		sp[i] = sh_alloc(&vm.mmu, gfns[i], SH_TYPE_L2_64, 0);
		sh_get_ref(&vm.mmu, sp[i], 0);
	}
	CHECK_EQ(vm.mmu.stats.pages_in_use, 3);
	vm.mmu.stats.hash_max_chain = 0;
	vm.mmu.stats.hash_lookups = 0;
	/* The first inserted is at the tail: the lookup walks 3. */
	CHECK(sh_hash_lookup(&vm.mmu, gfns[0], SH_TYPE_L2_64, 0) == sp[0]);
	CHECK_EQ(vm.mmu.stats.hash_max_chain, 3);
	CHECK(list_first_entry(&vm.mmu.hash[b], struct shadow_page,
			       hash_link) == sp[0]);
	/* Same frame, other type: a miss. */
	CHECK(!sh_hash_lookup(&vm.mmu, gfns[0], SH_TYPE_L1_64, 0));
	CHECK(sh_hash_lookup(&vm.mmu, gfns[0], SH_TYPE_L2_64, 0) == sp[0]);
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
	CHECK_EQ(vm.sv.root[0]->nr_loaded, 1);
	CHECK_EQ(vm.sv.root[0]->refcount, 2);
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
	l1 = sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0);
	l2 = sh_hash_find(&vm.mmu, G_L2, SH_TYPE_L2_64, 0);
	CHECK(l1 && l2);
	if (!l1 || !l2)
		goto out;
	CHECK_EQ(l1->refcount, 2);
	CHECK_EQ(l1->up, sh_locator(&vm.mmu, l2, 2));
	/* The L2 is referenced once, by L3[0]. */
	CHECK_EQ(l2->up, sh_locator(&vm.mmu,
				    sh_hash_find(&vm.mmu, G_L3, SH_TYPE_L3_64, 0),
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

	/* Single reference: the up-pointer finds the parent. */
	std_layout(&vm, 64);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U);
	expect_ok(&vm, VA_T, 0);
	CHECK(sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	/*
	 * The vCPU's emulator gave up on a guest write to L1[1] (a write
	 * that cannot go out of sync, e.g. while the frame is also an
	 * upper table): it unshadows the frame and lets the write run.
	 */
	shadow_unshadow_gfn(&vm.mmu, G_L1);
	gtab(&vm, G_L1)[1] = val;
	CHECK(!sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	CHECK_EQ(vm.mmu.stats.unshadows, 1);
	CHECK_EQ(vm.mmu.stats.unshadows_up, 1);
	CHECK_EQ(vm.mmu.stats.unshadows_walk, 0);
	CHECK_EQ(gtab(&vm, G_L1)[1], val);
	/* The new entry is used on the next access. */
	expect_ok(&vm, VA_T + 0x1000, PFEC_WRITE);
	done(&vm);

	/* Two references: up finds one, the search finds the other. */
	std_layout(&vm, 64);
	shared_l1(&vm);
	shadow_unshadow_gfn(&vm.mmu, G_L1);
	CHECK(!sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	CHECK_EQ(vm.mmu.stats.unshadows_up, 1);
	CHECK_EQ(vm.mmu.stats.unshadows_walk, 1);
	done(&vm);

	/* up == 0 (its entry went away): the search alone. */
	std_layout(&vm, 64);
	shared_l1(&vm);
	sh_zap_entry(&vm.mmu, sh_hash_find(&vm.mmu, G_L2, SH_TYPE_L2_64, 0), 2);
	CHECK_EQ(sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0)->up, 0);
	shadow_unshadow_gfn(&vm.mmu, G_L1);
	CHECK_EQ(vm.mmu.stats.unshadows_up, 0);
	CHECK_EQ(vm.mmu.stats.unshadows_walk, 1);
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

static u64 hfn_of(struct model_vm *vm, u64 gfn)
{
	bool w;
	u64 hfn = 0;

	mmu_host_gfn_to_hfn(&vm->host, gfn, &hfn, &w);
	return hfn;
}

/* Host frame the shadow maps @va to (~0 when not present). */
static u64 shadow_hfn(struct model_vm *vm, u64 va)
{
	u64 *leaf = shadow_leaf(vm, va);

	return leaf && (*leaf & PTE_P) ? (*leaf & PTE_ADDR_MASK) >> 12 : ~0ULL;
}

static void load_cr3(struct model_vm *vm, u64 gfn)
{
	vm->gp.cr3 = gfn << 12;
	CHECK_EQ(shadow_load_root(&vm->mmu, &vm->sv, &vm->gp), 0);
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
	CHECK(sh_hash_find(&vm.mmu, DATA + 9, SH_TYPE_L1_64, 0));
	CHECK(!(*leaf & PTE_RW));
	CHECK(vm.host.flushes > flushes);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/*
	 * The guest writes it: a frame shadowed only as an L1 goes out of
	 * sync instead of being emulated. The write runs natively through
	 * a leaf made writable; the shadow may lag until a TLB flush.
	 */
	val = pte(DATA + 2, F_P | F_W | F_A);
	cpu_access(&vm, VA_T + 8, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.faults, 1);
	CHECK_EQ(o.emulated, 0);
	CHECK_EQ(vm.mmu.stats.emulated_writes, 0);
	CHECK_EQ(vm.mmu.stats.oos_unsyncs, 1);
	CHECK(shadow_gfn_unsynced(&vm.mmu, DATA + 9));
	CHECK(sh_hash_find(&vm.mmu, DATA + 9, SH_TYPE_L1_64, 0));
	CHECK(*shadow_leaf(&vm, VA_T) & PTE_RW);
	CHECK_EQ(((u64 *)model_gfn_va(&vm.host, DATA + 9))[1], val);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/* More writes: no exit at all. */
	val = pte(DATA + 3, F_P | F_W | F_A);
	cpu_access(&vm, VA_T + 16, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.faults, 0);
	/* The guest's INVLPG resyncs: protected again, entries revalidated. */
	shadow_invlpg(&vm.mmu, &vm.sv, &vm.gp, (7ULL << 21) + 0x1000);
	CHECK(!shadow_gfn_unsynced(&vm.mmu, DATA + 9));
	expect_ok(&vm, (7ULL << 21) + 0x1000, 0);
	CHECK_EQ(shadow_hfn(&vm, (7ULL << 21) + 0x1000), hfn_of(&vm, DATA + 2));
	CHECK_EQ(vm.mmu.stats.oos_resyncs, 1);
	CHECK(!(*shadow_leaf(&vm, VA_T) & PTE_RW));
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	expect_ok(&vm, (7ULL << 21) + 0x1000, 0);
	CHECK_EQ(shadow_hfn(&vm, (7ULL << 21) + 0x1000), hfn_of(&vm, DATA + 2));
	/* Accessed entry: filled in place by the resync, no fault needed. */
	CHECK(*shadow_leaf(&vm, (7ULL << 21) + 0x2000) & PTE_P);
	o = access_(&vm, (7ULL << 21) + 0x2000, 0);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.faults, 0);

	/*
	 * Also an upper table (an L2 under L3 entry 5): no longer an L1
	 * alone, so writes are emulated; when the decoder gives up, the
	 * frame is unshadowed, the write done, the leaf writable.
	 */
	gtab(&vm, G_L3)[5] = pte(DATA + 9, F_P | F_W);
	gtab(&vm, DATA + 9)[3] = pte(0, F_P | F_W | F_PS);
	expect_ok(&vm, (5ULL << 30) + (3ULL << 21), 0);
	CHECK(sh_hash_find(&vm.mmu, DATA + 9, SH_TYPE_L2_64, 0));
	val = pte(DATA + 4, F_P | F_W | F_A);
	cpu_access(&vm, VA_T + 32, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.emulated, 1);
	CHECK(!shadow_gfn_unsynced(&vm.mmu, DATA + 9));
	vm.emulate = EMU_FAIL;
	val = pte(DATA + 1, F_P | F_W);
	cpu_access(&vm, VA_T + 8, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.faults, 2);
	CHECK(!sh_hash_find(&vm.mmu, DATA + 9, SH_TYPE_L1_64, 0));
	CHECK(!sh_hash_find(&vm.mmu, DATA + 9, SH_TYPE_L2_64, 0));
	CHECK(*shadow_leaf(&vm, VA_T) & PTE_RW);
	CHECK_EQ(((u64 *)model_gfn_va(&vm.host, DATA + 9))[1], val);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	expect_ok(&vm, (7ULL << 21) + 0x1000, 0);
	done(&vm);

	/* Writing the live L4 on its own write's path: emulated in place. */
	std_layout(&vm, 64);
	gtab(&vm, G_L4)[2] = pte(G_L4, F_P | F_W | F_A);	/* recursive */
	val = pte(G_L3, F_P | F_W | F_A);
	cpu_access(&vm, (2ULL << 39) | (2ULL << 30) | (2ULL << 21) |
		   (2ULL << 12) | (8 * 3), PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.emulated, 1);
	CHECK(!shadow_gfn_unsynced(&vm.mmu, G_L4));
	CHECK_EQ(gtab(&vm, G_L4)[3], val);
	CHECK_EQ(vm.mmu.stats.unshadows, 0);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	expect_ok(&vm, (3ULL << 39) + 0x1000, 0);
	done(&vm);

	/* Same write when the decoder fails: must not livelock. */
	std_layout(&vm, 64);
	vm.emulate = EMU_FAIL;
	val = pte(G_L3, F_P | F_W);
	cpu_access(&vm, (G_L4 << 12) + 8 * 3, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK(shadow_gfn_unsynced(&vm.mmu, G_L4));
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	expect_ok(&vm, (3ULL << 39) + 0x1000, 0);
	CHECK(!shadow_gfn_unsynced(&vm.mmu, G_L4));
	CHECK(sh_hash_find(&vm.mmu, G_L4, SH_TYPE_L4_64, 0));
	/* shadow_unshadow_gfn(), then the resync of the writable frame */
	CHECK_EQ(vm.mmu.stats.unshadows, 2);
	/* and again, now that the old root is gone */
	val = 0;
	cpu_access(&vm, (G_L4 << 12) + 8 * 3, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	/* Present -> not present needs the guest's INVLPG, as on hardware. */
	shadow_invlpg(&vm.mmu, &vm.sv, &vm.gp, (3ULL << 39) + 0x1000);
	expect_guest_fault(&vm, (3ULL << 39) + 0x1000, 0, 0);
	done(&vm);
}


static int write_u64(struct model_vm *vm, u64 gpa, u64 v)
{
	return shadow_write_guest(&vm->mmu, &vm->gp, gpa, &v, 8);
}

static void test_emulated_writes(void)
{
	struct model_vm vm;
	struct shadow_page *fl1;
	u64 *leaf, v[2], old, flushes, in_use;
	struct cpu_outcome o;
	unsigned int i;

	std_layout(&vm, 64);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U | F_A);
	expect_ok(&vm, VA_T, 0);
	/* In place: the new frame, writable since the entry is dirty. */
	CHECK_EQ(write_u64(&vm, G_L1 << 12,
			   pte(DATA + 2, F_P | F_W | F_U | F_A | F_D)), 0);
	leaf = shadow_leaf(&vm, VA_T);
	CHECK(leaf && (*leaf >> 12) == hfn_of(&vm, DATA + 2) &&
	      (*leaf & PTE_RW) && (*leaf & PTE_US));
	CHECK_EQ(vm.mmu.stats.emulated_writes, 1);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/* A cleared (page aging): the shadow entry goes, TLBs flushed. */
	flushes = vm.host.flushes;
	CHECK_EQ(write_u64(&vm, G_L1 << 12, pte(DATA + 2, F_P | F_W | F_U)),
		 0);
	CHECK_EQ(*leaf, 0);
	CHECK(vm.host.flushes > flushes);
	expect_ok(&vm, VA_T, PFEC_WRITE);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* A write running into the next frame updates both frames' shadows. */
	gtab(&vm, G_L2)[6] = pte(5, F_P | F_W | F_U);
	gtab(&vm, 5)[0] = pte(DATA + 3, F_P | F_U | F_A);
	expect_ok(&vm, 6ULL << 21, 0);
	v[0] = pte(DATA + 4, F_P | F_U | F_A);
	v[1] = pte(DATA + 5, F_P | F_U | F_A);
	CHECK_EQ(shadow_write_guest(&vm.mmu, &vm.gp, (G_L1 << 12) + 4088, v,
				    16), 0);
	CHECK_EQ(gtab(&vm, G_L1)[511], v[0]);
	CHECK_EQ(gtab(&vm, 5)[0], v[1]);
	leaf = shadow_leaf(&vm, 6ULL << 21);
	CHECK(leaf && (*leaf >> 12) == hfn_of(&vm, DATA + 5));
	leaf = shadow_leaf(&vm, VA_T + 511 * 4096ULL);
	CHECK(leaf && (*leaf >> 12) == hfn_of(&vm, DATA + 4) &&
	      !(*leaf & PTE_RW));
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/* Odd sizes and offsets: a byte in the middle of an entry. */
	CHECK_EQ(shadow_write_guest(&vm.mmu, &vm.gp, (G_L1 << 12) + 4088 + 1,
				    "\x80", 1), 0);	/* A -> address bit */
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* Frame 4 is also read as an L2 (via L3[1]): both shadows follow. */
	gtab(&vm, G_L3)[1] = pte(G_L1, F_P | F_W | F_U);
	gtab(&vm, G_L1)[2] = pte(0x200, F_P | F_W | F_PS | F_A | F_D);
	expect_ok(&vm, (1ULL << 30) + (2ULL << 21), 0);
	expect_ok(&vm, VA_T + 2 * 4096, 0);
	fl1 = sh_hash_find(&vm.mmu, 0x200, SH_TYPE_FL1, 0);
	CHECK(fl1 && sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L2_64, 0));
	in_use = vm.mmu.stats.pages_in_use;
	CHECK_EQ(write_u64(&vm, (G_L1 << 12) + 16,
			   pte(0, F_P | F_W | F_PS | F_A)), 0);
	/* L2 view: no FL1 for frame 0 yet: entry dropped, old FL1 freed. */
	CHECK(!sh_hash_find(&vm.mmu, 0x200, SH_TYPE_FL1, 0));
	CHECK_EQ(vm.mmu.stats.pages_in_use, in_use - 1);
	/* L1 view: frame 0, read-only since D is clear. */
	leaf = shadow_leaf(&vm, VA_T + 2 * 4096);
	CHECK(leaf && (*leaf >> 12) == hfn_of(&vm, 0) &&
	      !(*leaf & PTE_RW));
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	expect_ok(&vm, (1ULL << 30) + (2ULL << 21), PFEC_WRITE);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* Compare-exchange: loses on a stale old value, else stores. */
	old = gtab(&vm, 5)[0] ^ F_W;
	v[0] = pte(DATA + 6, F_P | F_U | F_A);
	CHECK_EQ(shadow_cmpxchg_guest(&vm.mmu, &vm.gp, 5 << 12, &old, v, 8),
		 -EAGAIN);
	CHECK_EQ(gtab(&vm, 5)[0], v[1]);
	old = v[1];
	CHECK_EQ(shadow_cmpxchg_guest(&vm.mmu, &vm.gp, 5 << 12, &old, v, 8),
		 0);
	CHECK_EQ(gtab(&vm, 5)[0], v[0]);
	leaf = shadow_leaf(&vm, 6ULL << 21);
	CHECK(leaf && (*leaf >> 12) == hfn_of(&vm, DATA + 6));
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* Outside writable RAM: -EFAULT and nothing written at all. */
	CHECK_EQ(write_u64(&vm, RO_GFN << 12, 1), -EFAULT);
	CHECK_EQ(write_u64(&vm, 0x900ULL << 12, 1), -EFAULT);
	gtab(&vm, 1023)[511] = 7;
	CHECK_EQ(shadow_write_guest(&vm.mmu, &vm.gp, (1023ULL << 12) + 4088,
				    v, 16), -EFAULT);
	CHECK_EQ(gtab(&vm, 1023)[511], 7);
	done(&vm);

	/* Flooding: 16 writes without a shadow fault through the frame. */
	std_layout(&vm, 64);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U | F_A);
	gtab(&vm, G_L1)[1] = pte(DATA + 1, F_P | F_W | F_U);	/* A clear */
	expect_ok(&vm, VA_T, 0);
	for (i = 0; i < 10; i++)
		write_u64(&vm, (G_L1 << 12) + 8 * (10 + i), pte(DATA, F_P));
	/* A fault that walks through the table: it is one, start again. */
	expect_ok(&vm, VA_T + 0x1000, 0);
	for (i = 0; i < 15; i++)
		write_u64(&vm, (G_L1 << 12) + 8 * (10 + i), pte(DATA, F_P));
	CHECK(sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	write_u64(&vm, (G_L1 << 12) + 8 * 30, pte(DATA, F_P));
	CHECK(!sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	CHECK_EQ(gtab(&vm, G_L1)[30], pte(DATA, F_P));
	CHECK_EQ(vm.mmu.stats.unshadows, 1);
	done(&vm);

	/* Zeroing from entry 0 (clear_page of a reused table frame). */
	std_layout(&vm, 64);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U | F_A);
	expect_ok(&vm, VA_T, 0);
	for (i = 0; i < 7; i++)
		write_u64(&vm, (G_L1 << 12) + 8 * i, 0);
	CHECK(sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	write_u64(&vm, (G_L1 << 12) + 8 * 7, 0);
	CHECK(!sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	/* Zeroing elsewhere, or in one go from entry 0, likewise. */
	expect_guest_fault(&vm, VA_T, 0, 0);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U | F_A);
	expect_ok(&vm, VA_T, 0);
	write_u64(&vm, (G_L1 << 12) + 8 * 100, 0);
	CHECK(sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	CHECK_EQ(shadow_write_guest(&vm.mmu, &vm.gp, G_L1 << 12,
				    gtab(&vm, 900), 64), 0);
	CHECK(!sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	done(&vm);

	/* A user-mode write to a table frame: native, frame unshadowed. */
	std_layout(&vm, 64);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U | F_A);
	gtab(&vm, G_L1)[7] = pte(5, F_P | F_W | F_U | F_A | F_D);
	gtab(&vm, G_L2)[6] = pte(5, F_P | F_W | F_U);
	expect_ok(&vm, VA_T, 0);
	expect_guest_fault(&vm, 6ULL << 21, 0, 0);
	gtab(&vm, 5)[0] = pte(DATA, F_P | F_U);
	expect_ok(&vm, 6ULL << 21, 0);
	CHECK(sh_hash_find(&vm.mmu, 5, SH_TYPE_L1_64, 0));
	v[0] = 0x1234000;
	cpu_access(&vm, VA_T + 7 * 4096 + 8, PFEC_WRITE | PFEC_USER, v, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.emulated, 0);
	CHECK(!sh_hash_find(&vm.mmu, 5, SH_TYPE_L1_64, 0));
	CHECK_EQ(gtab(&vm, 5)[1], 0x1234000);
	done(&vm);
}

/*
 * Out-of-sync L1s: the guest writes its L1 natively; the shadows catch up
 * at the next TLB-flush point, including with changes that went from the
 * snapshot's value to another and back again in between.
 */
static void test_oos(void)
{
	struct model_vm vm;
	struct cpu_outcome o;
	u64 val;

	std_layout(&vm, 64);
	gtab(&vm, G_L1)[1] = pte(DATA + 1, F_P | F_W | F_A | F_D);
	expect_ok(&vm, VA_T + 0x1000, 0);
	CHECK(sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	/* The guest writes L1[2] through the identity map: out of sync. */
	val = pte(DATA + 2, F_P | F_W | F_A | F_D);
	cpu_access(&vm, (G_L1 << 12) + 8 * 2, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.emulated, 0);
	CHECK(shadow_gfn_unsynced(&vm.mmu, G_L1));
	/* A fault through L1[2] builds from the guest's new value ... */
	expect_ok(&vm, VA_T + 0x2000, 0);
	CHECK_EQ(shadow_hfn(&vm, VA_T + 0x2000), hfn_of(&vm, DATA + 2));
	/* ... which the guest changes back, natively, to the old one. */
	val = 0;
	cpu_access(&vm, (G_L1 << 12) + 8 * 2, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.faults, 0);
	/* And L1[1] loses W, natively too. */
	val = pte(DATA + 1, F_P | F_A | F_D);
	cpu_access(&vm, (G_L1 << 12) + 8, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.faults, 0);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/* CR3 reload: resynced; both changes reach the shadows. */
	load_cr3(&vm, G_L4);
	CHECK(!shadow_gfn_unsynced(&vm.mmu, G_L1));
	CHECK_EQ(vm.mmu.stats.oos_unsyncs, 1);
	CHECK_EQ(vm.mmu.stats.oos_resyncs, 1);
	expect_guest_fault(&vm, VA_T + 0x2000, 0, 0);
	expect_guest_fault(&vm, VA_T + 0x1000, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_WRITE);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	done(&vm);

	/* Most of the table rewritten between flushes: reused as data. */
	std_layout(&vm, 64);
	gtab(&vm, G_L1)[1] = pte(DATA + 1, F_P | F_W | F_A | F_D);
	expect_ok(&vm, VA_T + 0x1000, 0);
	val = 1;
	cpu_access(&vm, (G_L1 << 12), PFEC_WRITE, &val, &o);
	CHECK(shadow_gfn_unsynced(&vm.mmu, G_L1));
	memset(gtab(&vm, G_L1), 0x5a, 4096);
	load_cr3(&vm, G_L4);
	CHECK(!sh_hash_find(&vm.mmu, G_L1, SH_TYPE_L1_64, 0));
	CHECK_EQ(vm.mmu.stats.unshadows, 1);
	done(&vm);
}

static struct shadow_page *find(struct model_vm *vm, u64 gfn,
				unsigned int type)
{
	return sh_hash_find(&vm->mmu, gfn, type, 0);
}

/* Does shadow entry @idx of @parent map @child? */
static bool maps(struct shadow_page *parent, unsigned int idx,
		 struct shadow_page *child)
{
	u64 e = parent && child ? parent->entries[idx] : 0;

	return (e & PTE_P) && (e & PTE_ADDR_MASK) == child->hpa;
}

static void test_l3_toplevel(void)
{
	struct shadow_page *l3, *l3b;
	struct model_vm vm;
	u64 root;

	std_layout(&vm, 64);		/* one vCPU: up to 2 pinned L4s */
	CHECK(vm.mmu.l3_toplevel);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U);
	expect_ok(&vm, VA_T, 0);
	l3 = find(&vm, G_L3, SH_TYPE_L3_64);
	CHECK(l3 && l3->pinned);
	/* A second address space sharing the L3 reuses its shadow. */
	memcpy(gtab(&vm, 40), gtab(&vm, G_L4), 4096);
	load_cr3(&vm, 40);
	expect_ok(&vm, VA_T, 0);
	CHECK(maps(find(&vm, 40, SH_TYPE_L4_64), 0, l3));
	/* The first L4 goes away: the L3 stays, pinned (L4 churn). */
	sh_unshadow_frame(&vm.mmu, G_L4, MMU_CAUSE_EMULATOR);
	CHECK(find(&vm, G_L3, SH_TYPE_L3_64) == l3 && l3->pinned);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/* 41 is made with 1 L4 pinned, 42 with 2: not more than 2 x 1. */
	for (root = 41; root <= 42; root++) {
		memcpy(gtab(&vm, root), gtab(&vm, G_L4), 4096);
		load_cr3(&vm, root);
	}
	CHECK(l3->pinned && vm.mmu.l3_toplevel);
	CHECK_EQ(vm.mmu.nr_pinned_l4, 3);
	/* 43 is made with 3 pinned: every L3 unpinned, option off. */
	memcpy(gtab(&vm, 43), gtab(&vm, G_L4), 4096);
	load_cr3(&vm, 43);
	CHECK(!vm.mmu.l3_toplevel);
	CHECK_EQ(vm.mmu.stats.l3_mass_unpins, 1);
	CHECK(find(&vm, G_L3, SH_TYPE_L3_64) == l3 && !l3->pinned &&
	      !l3->up);
	expect_ok(&vm, VA_T, 0);
	CHECK_EQ(l3->up, sh_locator(&vm.mmu, find(&vm, 43, SH_TYPE_L4_64),
				    0));
	/* From now on new L3s are not pinned. */
	memcpy(gtab(&vm, 44), gtab(&vm, G_L3), 4096);
	gtab(&vm, 43)[1] = pte(44, F_P | F_W | F_U);
	expect_ok(&vm, (1ULL << 39) + VA_T, 0);
	l3b = find(&vm, 44, SH_TYPE_L3_64);
	CHECK(l3b && !l3b->pinned && l3b->up);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	done(&vm);
}

/*
 * The seed's hazard, built the way it happens: L3 shadow S, unpinned,
 * gets its up-pointer from entry 0 of L4 B (an emulated write links it);
 * a fault pins S again; B[0] is rewritten to name L3 T. S's up still
 * names B[0], which now maps T: whoever unpins S must clear it.
 */
static struct shadow_page *stale_up_setup(struct model_vm *vm,
					  struct shadow_page **b,
					  struct shadow_page **t)
{
	struct shadow_page *s;

	std_layout(vm, 64);
	gtab(vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U);
	gtab(vm, G_L1)[1] = pte(DATA + 1, F_P | F_W | F_U);
	expect_ok(vm, VA_T, 0);
	s = find(vm, G_L3, SH_TYPE_L3_64);
	/* T: another L3 (a copy of S's table) with a shadow. */
	memcpy(gtab(vm, 41), gtab(vm, G_L3), 4096);
	gtab(vm, G_L4)[1] = pte(41, F_P | F_W | F_U | F_A);
	expect_ok(vm, (1ULL << 39) + VA_T, 0);
	*t = find(vm, 41, SH_TYPE_L3_64);
	/* B: an L4 with entry 0 empty. */
	memcpy(gtab(vm, 40), gtab(vm, G_L4), 4096);
	gtab(vm, 40)[0] = 0;
	load_cr3(vm, 40);
	*b = find(vm, 40, SH_TYPE_L4_64);
	CHECK(s && *t && *b && s->pinned && (*t)->pinned);
	if (!s || !*t || !*b)
		return NULL;
	sh_unpin(&vm->mmu, s, MMU_CAUSE_RECLAIM);
	CHECK_EQ(write_u64(vm, 40 << 12, pte(G_L3, F_P | F_W | F_U | F_A)), 0);
	CHECK_EQ(s->up, sh_locator(&vm->mmu, *b, 0));
	expect_ok(vm, VA_T + 0x1000, 0);	/* through S: pinned again */
	CHECK(s->pinned);
	CHECK_EQ(write_u64(vm, 40 << 12, pte(41, F_P | F_W | F_U | F_A)), 0);
	CHECK(maps(*b, 0, *t));
	CHECK_EQ(s->up, sh_locator(&vm->mmu, *b, 0));	/* stale */
	CHECK_EQ(shadow_audit(&vm->mmu), 0);
	return s;
}

/* After S was unpinned: O(1) unshadow must not touch B[0]. */
static void stale_up_check(struct model_vm *vm, struct shadow_page *b,
			   struct shadow_page *t)
{
	CHECK_EQ(vm->mmu.bad_up, 0);
	sh_unshadow_frame(&vm->mmu, G_L3, MMU_CAUSE_EMULATOR);
	CHECK(!find(vm, G_L3, SH_TYPE_L3_64));
	CHECK_EQ(vm->mmu.bad_up, 0);
	CHECK(maps(b, 0, t));
	CHECK_EQ(shadow_audit(&vm->mmu), 0);
}

static void test_seed_rule(void)
{
	struct shadow_page *s, *b, *t;
	struct shadow_vcpu sv2 = { 0 };
	struct guest_paging gp2;
	struct model_vm vm;
	u64 root;

	/* Path 1: the mass unpin (L4s 42 and 43 cross 2 x 1 vCPU). */
	s = stale_up_setup(&vm, &b, &t);
	for (root = 42; s && root <= 43; root++) {
		memcpy(gtab(&vm, root), gtab(&vm, 40), 4096);
		load_cr3(&vm, root);
	}
	CHECK(s && !vm.mmu.l3_toplevel && !s->pinned && s->type);
	CHECK_EQ(s ? s->up : 1, 0);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	stale_up_check(&vm, b, t);
	done(&vm);

	/*
	 * Path 2: pool reclaim from the LRU tail. A second vCPU keeps L4
	 * G_L4 (whose entry 0 holds S) loaded, as the first keeps B.
	 */
	s = stale_up_setup(&vm, &b, &t);
	gp2 = vm.gp;
	gp2.cr3 = G_L4 << 12;
	CHECK_EQ(shadow_vcpu_init(&vm.mmu, &sv2), 0);
	CHECK_EQ(shadow_load_root(&vm.mmu, &sv2, &gp2), 0);
	while (s && s->pinned && sh_reclaim_one(&vm.mmu))
		;
	CHECK(s && !s->pinned && s->type == SH_TYPE_L3_64);
	CHECK_EQ(s ? s->up : 1, 0);
	CHECK(vm.mmu.stats.reclaims > 0);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	stale_up_check(&vm, b, t);
	shadow_vcpu_destroy(&vm.mmu, &sv2);
	done(&vm);

	/* Path 3: unshadow of the pinned L3 (the unhook follows up). */
	s = stale_up_setup(&vm, &b, &t);
	CHECK(s && s->pinned);
	stale_up_check(&vm, b, t);
	done(&vm);

	/* Path 4: full flush; nothing may follow the stale value. */
	s = stale_up_setup(&vm, &b, &t);
	shadow_flush_all(&vm.mmu);
	CHECK(!find(&vm, G_L3, SH_TYPE_L3_64));
	CHECK_EQ(vm.mmu.bad_up, 0);
	CHECK_EQ(s ? s->up : 1, 0);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	done(&vm);
}

static void test_prefetch(void)
{
	struct model_vm vm;
	u64 *l1 = NULL;
	unsigned int i;

	std_layout(&vm, 64);
	l1 = gtab(&vm, G_L1);
	l1[0] = pte(DATA, F_P | F_W | F_U | F_A);
	l1[1] = pte(DATA + 1, F_P | F_W | F_U | F_A | F_D);	/* writable */
	l1[2] = pte(DATA + 2, F_P | F_W | F_U | F_A);		/* clean: RO */
	l1[3] = pte(DATA + 3, F_P | F_W | F_U);			/* A clear */
	l1[4] = pte(0x900, F_P | F_W | F_U | F_A | F_D);	/* MMIO */
	l1[5] = pte(RO_GFN, F_P | F_W | F_U | F_A | F_D);	/* ROM */
	l1[6] = pte(G_L2, F_P | F_W | F_U | F_A | F_D);	/* a table */
	l1[7] = pte(DATA + 7, F_P | F_W | F_U | F_A | BIT_ULL(50)); /* rsvd */
	l1[8] = pte(DATA + 8, F_P | F_U | F_A | F_NX);
	l1[16] = pte(DATA + 16, F_P | F_U | F_A);	/* outside the window */
	expect_ok(&vm, VA_T, 0);
	CHECK_EQ(vm.mmu.stats.prefetched, 5);
	CHECK((*shadow_leaf(&vm, VA_T + 0x1000) & (PTE_P | PTE_RW)) ==
	      (PTE_P | PTE_RW));
	CHECK((*shadow_leaf(&vm, VA_T + 0x2000) & (PTE_P | PTE_RW)) == PTE_P);
	CHECK_EQ(*shadow_leaf(&vm, VA_T + 0x3000), 0);
	CHECK_EQ(*shadow_leaf(&vm, VA_T + 0x4000), 0);
	CHECK((*shadow_leaf(&vm, VA_T + 0x5000) & (PTE_P | PTE_RW)) == PTE_P);
	CHECK((*shadow_leaf(&vm, VA_T + 0x6000) & (PTE_P | PTE_RW)) == PTE_P);
	CHECK_EQ(*shadow_leaf(&vm, VA_T + 0x7000), 0);
	CHECK(*shadow_leaf(&vm, VA_T + 0x8000) & PTE_NX);
	CHECK_EQ(*shadow_leaf(&vm, VA_T + 0x10000), 0);
	/* A clear stays clear: the pager sets A only on a real access. */
	CHECK(!(l1[3] & F_A));
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/* Prefetched entries are used without a fault. */
	for (i = 1; i <= 2; i++)
		CHECK_EQ(access_(&vm, VA_T + i * 0x1000, PFEC_USER).faults, 0);
	expect_guest_fault(&vm, VA_T + 0x7000, 0, PFEC_PRESENT | PFEC_RSVD);
	done(&vm);
}

static void test_invlpg(void)
{
	struct model_vm vm;
	struct cpu_outcome o;
	u64 *leaf, val;

	std_layout(&vm, 64);
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U);
	expect_ok(&vm, VA_T, 0);
	leaf = shadow_leaf(&vm, VA_T);
	CHECK(leaf && (*leaf & PTE_P));
	shadow_invlpg(&vm.mmu, &vm.sv, &vm.gp, VA_T);
	CHECK_EQ(*leaf, 0);
	CHECK_EQ(vm.mmu.stats.invlpg, 1);
	expect_ok(&vm, VA_T, 0);

	/* Out of sync: the guest remaps VA_T natively; INVLPG resyncs. */
	val = pte(DATA + 3, F_P | F_W | F_U | F_A);
	cpu_access(&vm, (G_L1 << 12) + 8, PFEC_WRITE, &val, &o);
	CHECK(shadow_gfn_unsynced(&vm.mmu, G_L1));
	val = pte(DATA + 2, F_P | F_W | F_U | F_A);
	cpu_access(&vm, G_L1 << 12, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.faults, 0);
	CHECK_EQ(shadow_hfn(&vm, VA_T), hfn_of(&vm, DATA));	/* stale */
	shadow_invlpg(&vm.mmu, &vm.sv, &vm.gp, VA_T);
	CHECK(!shadow_gfn_unsynced(&vm.mmu, G_L1));
	expect_ok(&vm, VA_T, 0);
	CHECK_EQ(shadow_hfn(&vm, VA_T), hfn_of(&vm, DATA + 2));
	done(&vm);
}

static void test_pool_exhaustion(void)
{
	struct model_vm vm;
	struct cpu_outcome o;
	unsigned int i;
	int ret;

	/* Sizing: the minimum, and the default from RAM and vCPUs. */
	/* Four roots per vCPU (a PAE root's L2s), four new ones, a path. */
	CHECK_EQ(shadow_min_pool_pages(1), 8);
	CHECK_EQ(shadow_min_pool_pages(4), 20);
	CHECK_EQ(shadow_default_pool_pages(0, 0), 4);
	CHECK_EQ(shadow_default_pool_pages(64ULL << 20, 1), 256 + 128);
	CHECK_EQ(shadow_default_pool_pages(1ULL << 30, 4), 1024 + 2048);
	CHECK_EQ(shadow_default_pool_pages(~0ULL, 1), 1UL << 20);
	/* The minimum wins over the cap: less could not run at all. */
	CHECK_EQ(shadow_default_pool_pages(~0ULL, ~0U), 4 * 0xffffffffUL + 4);
	CHECK_EQ(model_vm_init(&vm, 7), -EINVAL);
	shadow_mmu_destroy(&vm.mmu);

	/* Smallest pool: every new address space reclaims. */
	std_layout(&vm, 8);
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
	CHECK(vm.mmu.stats.pages_max <= 8);
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
	CHECK(!vm.sv.root_hpa && !vm.sv.root[0]);
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

/* Guest CR0.WP=0: supervisor writes through read-only entries. */
static void test_cr0_wp(void)
{
	u64 *l1, *leaf, gpa;
	struct model_vm vm;
	struct cpu_outcome o;
	u32 pfec;

	std_layout(&vm, 64);
	l1 = gtab(&vm, G_L1);
	l1[1] = pte(DATA + 1, F_P | F_U);		/* user, read-only */
	l1[2] = pte(DATA + 2, F_P);			/* supervisor, read-only */
	l1[9] = pte(G_L1, F_P | F_U);			/* its own L1, read-only */
	gtab(&vm, G_L2)[8] = pte(5, F_P | F_U);		/* read-only L2e */
	gtab(&vm, 5)[0] = pte(DATA + 8, F_P | F_W | F_U);

	/* CR0.WP=1: the supervisor write faults; so does translation. */
	expect_guest_fault(&vm, VA_T + 0x1000, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_WRITE);
	CHECK_EQ(shadow_translate(&vm.mmu, &vm.gp, VA_T + 0x2000, PFEC_WRITE,
				  &gpa, &pfec), -EFAULT);
	CHECK_EQ(pfec, PFEC_PRESENT | PFEC_WRITE);

	/* MOV to CR0 clearing WP: the vCPU flushes every shadow. */
	vm.gp.cr0 &= ~CR0_WP;
	shadow_flush_all(&vm.mmu);
	expect_ok(&vm, VA_T + 0x1008, PFEC_WRITE);
	CHECK_EQ(vm.mmu.mode_key & CR0_WP, 0);
	CHECK_EQ(((u64 *)gtab(&vm, DATA + 1))[1], 0x1122334455667788ULL);
	CHECK_EQ(l1[1] & (F_A | F_D | F_W), F_A | F_D);
	leaf = shadow_leaf(&vm, VA_T + 0x1000);
	CHECK(leaf && (*leaf & (PTE_P | PTE_RW | PTE_US)) == (PTE_P | PTE_RW));
	CHECK(leaf && !(*leaf & PTE_NX));
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/* A user read faults on the flipped entry and gets the guest's rights */
	o = access_(&vm, VA_T + 0x1008, PFEC_USER);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.faults, 1);
	leaf = shadow_leaf(&vm, VA_T + 0x1000);
	CHECK(leaf && (*leaf & (PTE_RW | PTE_US)) == PTE_US);
	expect_guest_fault(&vm, VA_T + 0x1000, PFEC_WRITE | PFEC_USER,
			   PFEC_PRESENT | PFEC_WRITE | PFEC_USER);
	/* and the supervisor write flips it again */
	expect_ok(&vm, VA_T + 0x1000, PFEC_WRITE);
	CHECK(leaf && (*leaf & (PTE_RW | PTE_US)) == PTE_RW);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* Supervisor-only page: W only; translation agrees. */
	expect_ok(&vm, VA_T + 0x2000, PFEC_WRITE);
	leaf = shadow_leaf(&vm, VA_T + 0x2000);
	CHECK(leaf && (*leaf & (PTE_RW | PTE_US)) == PTE_RW);
	CHECK_EQ(l1[2] & F_D, F_D);
	CHECK_EQ(shadow_translate(&vm.mmu, &vm.gp, VA_T + 0x2010, PFEC_WRITE,
				  &gpa, &pfec), 0);
	CHECK_EQ(gpa, ((u64)(DATA + 2) << 12) | 0x10);

	/* Read-only upper level: its shadow entry flips, user rights stay. */
	expect_ok(&vm, 8ULL << 21, PFEC_WRITE);
	CHECK_EQ(gtab(&vm, 5)[0] & F_D, F_D);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	expect_ok(&vm, 8ULL << 21, PFEC_USER);
	expect_guest_fault(&vm, 8ULL << 21, PFEC_WRITE | PFEC_USER,
			   PFEC_PRESENT | PFEC_WRITE | PFEC_USER);
	expect_ok(&vm, 8ULL << 21, PFEC_WRITE);

	/* A guest page table stays protected: the write is emulated. */
	o = access_(&vm, VA_T + 0x9000 + 10 * 8, PFEC_WRITE);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.emulated, 1);
	CHECK_EQ(l1[10], 0x1122334455667788ULL);
	leaf = shadow_leaf(&vm, VA_T + 0x9000);
	CHECK(leaf && !(*leaf & PTE_RW));
	l1[10] = 0;
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* SMEP: the flipped user page must still refuse supervisor fetches. */
	vm.gp.cr4 |= CR4_SMEP;
	shadow_flush_all(&vm.mmu);
	expect_ok(&vm, VA_T + 0x1000, PFEC_WRITE);
	leaf = shadow_leaf(&vm, VA_T + 0x1000);
	CHECK(leaf && (*leaf & (PTE_RW | PTE_US | PTE_NX)) ==
		      (PTE_RW | PTE_NX));
	expect_guest_fault(&vm, VA_T + 0x1000, PFEC_FETCH,
			   PFEC_PRESENT | PFEC_FETCH);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* SMAP with AC: no entry can say it, so the write is emulated. */
	vm.gp.cr4 = (vm.gp.cr4 & ~CR4_SMEP) | CR4_SMAP;
	vm.gp.rflags |= RFLAGS_AC;
	shadow_flush_all(&vm.mmu);
	o = access_(&vm, VA_T + 0x1010, PFEC_WRITE);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.emulated, 1);
	CHECK_EQ(((u64 *)gtab(&vm, DATA + 1))[2], 0x1122334455667788ULL);
	leaf = shadow_leaf(&vm, VA_T + 0x1000);
	CHECK(leaf && (*leaf & (PTE_RW | PTE_US)) == PTE_US);
	vm.gp.rflags &= ~RFLAGS_AC;
	expect_guest_fault(&vm, VA_T + 0x1000, 0, PFEC_PRESENT);
	/* Emulator gave up: the flip lasts for one instruction only. */
	vm.gp.rflags |= RFLAGS_AC;
	vm.emulate = EMU_FAIL;
	o = access_(&vm, VA_T + 0x1018, PFEC_WRITE);
	vm.emulate = EMU_WRITE;
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.stepped, 1);
	CHECK_EQ(((u64 *)gtab(&vm, DATA + 1))[3], 0x1122334455667788ULL);
	CHECK_EQ(vm.mmu.step_loc, 0);
	leaf = shadow_leaf(&vm, VA_T + 0x1000);
	CHECK(!leaf || !(*leaf & PTE_P));
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	vm.gp.rflags &= ~RFLAGS_AC;
	expect_guest_fault(&vm, VA_T + 0x1000, 0, PFEC_PRESENT);
	/* A supervisor-only page under SMAP still flips. */
	expect_ok(&vm, VA_T + 0x2000, PFEC_WRITE);
	leaf = shadow_leaf(&vm, VA_T + 0x2000);
	CHECK(leaf && (*leaf & PTE_RW));
	vm.gp.cr4 &= ~CR4_SMAP;
	shadow_flush_all(&vm.mmu);

	/* MOV to CR0 setting WP again: supervisor writes fault again. */
	expect_ok(&vm, VA_T + 0x1000, PFEC_WRITE);
	vm.gp.cr0 |= CR0_WP;
	shadow_flush_all(&vm.mmu);
	expect_guest_fault(&vm, VA_T + 0x1000, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_WRITE);
	expect_guest_fault(&vm, 8ULL << 21, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_WRITE);
	expect_ok(&vm, VA_T + 0x1000, PFEC_USER);
	/* Shadows made under WP=0 are not reused at a pager entry either. */
	vm.gp.cr0 &= ~CR0_WP;
	expect_ok(&vm, VA_T + 0x2000, PFEC_WRITE);
	vm.gp.cr0 |= CR0_WP;
	CHECK_EQ(shadow_load_root(&vm.mmu, &vm.sv, &vm.gp), 0);
	CHECK_EQ(vm.mmu.mode_key & CR0_WP, CR0_WP);
	leaf = shadow_leaf(&vm, VA_T + 0x2000);
	CHECK(!leaf || !(*leaf & PTE_P));
	expect_guest_fault(&vm, VA_T + 0x2000, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_WRITE);
	done(&vm);
}

/* Tests of the guest paging modes other than 4-level. */

static u32 *gtab32(struct model_vm *vm, u64 gfn)
{
	return model_gfn_va(&vm->host, gfn);
}


/* RAM and the read-only slot, no tables, no mode yet. */
static void base_vm(struct model_vm *vm)
{
	CHECK_EQ(model_vm_init(vm, 64), 0);
	model_add_slot(&vm->host, 0, 1024, false);
	model_add_slot(&vm->host, RO_GFN, 16, true);
}

/* Does a shadow of @type belong to guest @mode? */
static bool type_in_mode(unsigned int type, enum shadow_guest_mode mode)
{
	switch (type) {
	case SH_TYPE_FL1:
		return true;
	case SH_TYPE_L1_64:
		return mode == SHADOW_MODE_64 || mode == SHADOW_MODE_PAE;
	case SH_TYPE_L2_64:
	case SH_TYPE_L3_64:
	case SH_TYPE_L4_64:
		return mode == SHADOW_MODE_64;
	case SH_TYPE_L2_PAE:
		return mode == SHADOW_MODE_PAE;
	case SH_TYPE_L1_32:
	case SH_TYPE_L2_32:
		return mode == SHADOW_MODE_32;
	case SH_TYPE_L2_PHYS:
		return mode == SHADOW_MODE_UNPAGED;
	default:
		return false;
	}
}

/* Shadows in use that were not made for @mode. */
static unsigned int foreign_shadows(struct model_vm *vm,
				    enum shadow_guest_mode mode)
{
	unsigned int n = 0;
	unsigned long i;

	for (i = 0; i < vm->mmu.pool_size; i++) {
		unsigned int type = vm->mmu.pool[i].type;

		if (type != SH_TYPE_NONE && !type_in_mode(type, mode)) {
			printf("#   shadow of type %u, gfn %#llx, left in mode %u\n",
			       type, vm->mmu.pool[i].gfn, mode);
			n++;
		}
	}
	return n;
}

static void test_mode_unpaged(void)
{
	struct model_vm vm;
	struct cpu_outcome o;
	u64 val = 0x1234;

	base_vm(&vm);
	CHECK_EQ(model_set_paging(&vm, CR0_PE | CR0_WP, 0, 0), 0);
	CHECK_EQ(vm.sv.mode, SHADOW_MODE_UNPAGED);
	CHECK(vm.sv.root_hpa && vm.sv.root_hpa < (1ULL << 32));
	/* Identity; no protection for user or supervisor, any access. */
	cpu_access(&vm, (DATA << 12) + 16, PFEC_WRITE | PFEC_USER, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(gtab(&vm, DATA)[2], 0x1234);
	CHECK_EQ(shadow_hfn(&vm, DATA << 12), hfn_of(&vm, DATA));
	expect_ok(&vm, (DATA + 1) << 12, PFEC_FETCH | PFEC_USER);
	expect_ok(&vm, (DATA + 1) << 12, PFEC_FETCH);
	expect_ok(&vm, 0x3ff008, PFEC_WRITE);
	CHECK_EQ(shadow_hfn(&vm, 0x3ff000), hfn_of(&vm, 0x3ff));
	/* ROM reads; writes to it and the hole are MMIO, 32-bit gpa. */
	expect_ok(&vm, RO_GFN << 12, PFEC_USER);
	o = access_(&vm, (RO_GFN << 12) + 8, PFEC_WRITE);
	CHECK_EQ(o.kind, CPU_MMIO);
	CHECK_EQ(o.mmio_gpa, (RO_GFN << 12) + 8);
	o = access_(&vm, 0xfee00030, 0);
	CHECK_EQ(o.kind, CPU_MMIO);
	CHECK_EQ(o.mmio_gpa, 0xfee00030);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/* CR0.WP, SMEP and SMAP mean nothing without paging. */
	CHECK_EQ(model_set_paging(&vm, CR0_PE, CR4_SMEP | CR4_SMAP, EFER_NXE),
		 0);
	expect_ok(&vm, (DATA + 2) << 12, PFEC_USER | PFEC_WRITE);
	expect_ok(&vm, (DATA + 2) << 12, PFEC_FETCH);
	expect_ok(&vm, (DATA + 2) << 12, PFEC_WRITE);
	expect_ok(&vm, (DATA + 2) << 12, PFEC_USER | PFEC_FETCH);
	done(&vm);
}

/*
 * 2-level layout: PD 20; PDE 0 identity of gfn 0..1023 (L1 22); PDE 1
 * L1 21 (both halves used); PDE 2 a 4 MiB page of gfn 0..1023; PDE 3 a
 * 4 MiB page with reserved bit 21; PDE 4 a 4 MiB page at 4 GiB.
 */
#define PD32	20
#define L1_32	21
#define ID_32	22

static void layout_32(struct model_vm *vm)
{
	unsigned int g;
	u32 *pd, *l1;

	base_vm(vm);
	pd = gtab32(vm, PD32);
	l1 = gtab32(vm, L1_32);
	pd[0] = (ID_32 << 12) | F_P | F_W;
	for (g = 0; g < 1024; g++)
		gtab32(vm, ID_32)[g] = (g << 12) | F_P | F_W;
	pd[1] = (L1_32 << 12) | F_P | F_W | F_U;
	l1[0] = (DATA << 12) | F_P | F_W | F_U;
	l1[511] = ((DATA + 1) << 12) | F_P | F_U;
	l1[512] = ((DATA + 2) << 12) | F_P | F_W | F_U;
	l1[1023] = ((DATA + 3) << 12) | F_P | F_U;
	pd[2] = F_P | F_W | F_U | F_PS;
	pd[3] = F_P | F_W | F_PS | BIT(21);
	pd[4] = (1 << 13) | F_P | F_W | F_PS;
	vm->gp.cr3 = PD32 << 12;
	CHECK_EQ(model_set_paging(vm, CR0_PE | CR0_WP | CR0_PG, CR4_PSE,
				  EFER_NXE), 0);
	CHECK_EQ(vm->sv.mode, SHADOW_MODE_32);
}

static void test_mode_32(void)
{
	u32 *pd, *l1;
	u64 val, hits, pages;
	struct model_vm vm;
	struct cpu_outcome o;

	layout_32(&vm);
	pd = gtab32(&vm, PD32);
	l1 = gtab32(&vm, L1_32);
	CHECK(vm.sv.root_hpa && vm.sv.root_hpa < (1ULL << 32));
	/* 4 KiB pages in both halves of the 1024-entry L1 (va bit 21). */
	expect_ok(&vm, 0x400008, PFEC_USER);
	CHECK_EQ(pd[1] & (F_A | F_D), F_A);
	CHECK_EQ(l1[0] & (F_A | F_D), F_A);
	expect_ok(&vm, 0x400008, PFEC_USER | PFEC_WRITE);
	CHECK_EQ(l1[0] & (F_A | F_D), F_A | F_D);
	CHECK_EQ(pd[1] & F_D, 0);
	CHECK_EQ(gtab(&vm, DATA)[1], 0x1122334455667788ULL);
	CHECK_EQ(shadow_hfn(&vm, 0x400000), hfn_of(&vm, DATA));
	expect_ok(&vm, 0x400000 + 511 * 4096, PFEC_USER);
	CHECK_EQ(shadow_hfn(&vm, 0x400000 + 511 * 4096), hfn_of(&vm, DATA + 1));
	expect_guest_fault(&vm, 0x400000 + 511 * 4096, PFEC_USER | PFEC_WRITE,
			   PFEC_PRESENT | PFEC_USER | PFEC_WRITE);
	expect_ok(&vm, 0x600000, PFEC_WRITE);
	CHECK_EQ(shadow_hfn(&vm, 0x600000), hfn_of(&vm, DATA + 2));
	CHECK_EQ(l1[512] & (F_A | F_D), F_A | F_D);
	expect_ok(&vm, 0x7ff000, 0);
	CHECK_EQ(shadow_hfn(&vm, 0x7ff000), hfn_of(&vm, DATA + 3));
	expect_guest_fault(&vm, 0x7ff000, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_WRITE);
	/* 4 MiB page, both 2 MiB halves; A then D in the PDE. */
	expect_ok(&vm, 0x805000, 0);
	CHECK_EQ(pd[2] & (F_A | F_D), F_A);
	CHECK_EQ(shadow_hfn(&vm, 0x805000), hfn_of(&vm, 5));
	expect_ok(&vm, 0xa07010, PFEC_WRITE | PFEC_USER);
	CHECK_EQ(shadow_hfn(&vm, 0xa07000), hfn_of(&vm, 0x207));
	CHECK_EQ(pd[2] & (F_A | F_D), F_A | F_D);
	CHECK_EQ(gtab(&vm, 0x207)[2], 0x1122334455667788ULL);
	/* Bit 21 of a 4 MiB PDE is reserved; bits 20:13 are address. */
	expect_guest_fault(&vm, 0xc00000, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_RSVD | PFEC_WRITE);
	expect_guest_fault(&vm, 0xe00000, PFEC_USER,
			   PFEC_PRESENT | PFEC_RSVD | PFEC_USER);
	o = access_(&vm, 0x1000010, 0);
	CHECK_EQ(o.kind, CPU_MMIO);
	CHECK_EQ(o.mmio_gpa, 0x100000010ULL);
	/* No XD in 2-level paging: EFER.NXE does not give fetches I/D. */
	expect_guest_fault(&vm, 0x2000000, PFEC_FETCH, 0);
	expect_ok(&vm, 0x7ff000, PFEC_FETCH | PFEC_USER);	/* read-only */
	expect_ok(&vm, 0x400000, PFEC_FETCH | PFEC_USER);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/*
	 * 4-byte emulated writes to the shadowed L1, both halves: the
	 * shadow follows in place. (The guest's own writes to an L1 may
	 * also leave it out of sync until its next TLB flush.)
	 */
	val = ((DATA + 5) << 12) | F_P | F_W | F_U | F_A | F_D;
	CHECK_EQ(shadow_write_guest(&vm.mmu, &vm.gp, (L1_32 << 12) + 4 * 5,
				    &val, 4), 0);
	CHECK_EQ(l1[5], val);
	CHECK_EQ(l1[4], 0);
	CHECK_EQ(l1[6], 0);
	CHECK_EQ(shadow_hfn(&vm, 0x405000), hfn_of(&vm, DATA + 5));
	CHECK_EQ(access_(&vm, 0x405000, PFEC_WRITE).faults, 0);
	val = ((DATA + 6) << 12) | F_P | F_U | F_A;
	CHECK_EQ(shadow_write_guest(&vm.mmu, &vm.gp, (L1_32 << 12) + 4 * 700,
				    &val, 4), 0);
	CHECK_EQ(shadow_hfn(&vm, 0x400000 + 700 * 4096), hfn_of(&vm, DATA + 6));
	CHECK_EQ(access_(&vm, 0x400000 + 700 * 4096, PFEC_USER).faults, 0);
	/* the same through the guest's own 4-byte store */
	val = ((DATA + 8) << 12) | F_P | F_U | F_A;
	cpu_access_size(&vm, (L1_32 << 12) + 4 * 701, PFEC_WRITE, 4, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(l1[701], val);
	CHECK_EQ(l1[700], ((DATA + 6) << 12) | F_P | F_U | F_A);
	CHECK_EQ(l1[702], 0);
	shadow_invlpg(&vm.mmu, &vm.sv, &vm.gp, 0x400000 + 701 * 4096);
	expect_ok(&vm, 0x400000 + 701 * 4096, PFEC_USER);
	CHECK_EQ(shadow_hfn(&vm, 0x400000 + 701 * 4096), hfn_of(&vm, DATA + 8));
	/* and to the PD: a new PDE is used, the old 4 MiB mapping goes */
	val = (L1_32 << 12) | F_P | F_W | F_U | F_A;
	cpu_access_size(&vm, (PD32 << 12) + 4 * 2, PFEC_WRITE, 4, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(o.emulated, 1);
	expect_ok(&vm, 0x805000, PFEC_WRITE);
	CHECK_EQ(shadow_hfn(&vm, 0x805000), hfn_of(&vm, DATA + 5));
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/*
	 * Without CR4.PSE, PS is ignored: PDE 3 names an L1, and its bit
	 * 21 is an address bit (frame 0x200).
	 */
	CHECK_EQ(model_set_paging(&vm, vm.gp.cr0, 0, vm.gp.efer), 0);
	expect_guest_fault(&vm, 0xc00000, 0, 0);
	gtab32(&vm, 0x200)[3] = ((DATA + 7) << 12) | F_P | F_W;
	expect_ok(&vm, 0xc03000, PFEC_WRITE);
	CHECK_EQ(shadow_hfn(&vm, 0xc03000), hfn_of(&vm, DATA + 7));
	CHECK_EQ(pd[3] & F_A, F_A);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* Reloading a cached CR3 builds nothing. */
	memcpy(gtab(&vm, PD32 + 3), pd, 4096);
	CHECK_EQ(model_load_cr3(&vm, (PD32 + 3) << 12), 0);
	expect_ok(&vm, 0x400000, 0);
	CHECK_EQ(model_load_cr3(&vm, PD32 << 12), 0);
	hits = vm.mmu.stats.root_cache_hits;
	pages = vm.mmu.stats.pages_in_use;
	CHECK_EQ(model_load_cr3(&vm, (PD32 + 3) << 12), 0);
	CHECK_EQ(vm.mmu.stats.root_cache_hits, hits + 1);
	CHECK_EQ(vm.mmu.stats.pages_in_use, pages);
	CHECK_EQ(access_(&vm, 0x400000, 0).faults, 0);
	done(&vm);
}

/*
 * PAE layout: PDPT at 0x20 in frame 30: PDPTE 0 -> L2 31 (identity of
 * gfn 0..511 through L1 32), PDPTE 1 -> L2 33, PDPTE 2 not present,
 * PDPTE 3 -> a frame outside RAM.
 */
#define PDPT_GFN	30
#define PAE_CR3		((PDPT_GFN << 12) | 0x20)

static u64 *pae_pdpt(struct model_vm *vm, unsigned int off)
{
	return (u64 *)((u8 *)gtab(vm, PDPT_GFN) + off);
}

static void test_mode_pae(void)
{
	u64 *pdpt, *l2, *l1, val, hits, pages, regs[4];
	struct model_vm vm;
	struct cpu_outcome o;
	struct ref_result r;
	unsigned int g;

	base_vm(&vm);
	pdpt = pae_pdpt(&vm, 0x20);
	l2 = gtab(&vm, 33);
	l1 = gtab(&vm, 34);
	pdpt[0] = (31 << 12) | F_P;
	pdpt[1] = (33 << 12) | F_P | PTE_PWT;
	pdpt[3] = (0x900ULL << 12) | F_P;
	gtab(&vm, 31)[0] = (32 << 12) | F_P | F_W;
	for (g = 0; g < 512; g++)
		gtab(&vm, 32)[g] = (g << 12) | F_P | F_W;
	l2[2] = (34 << 12) | F_P | F_W | F_U;
	l2[3] = (512ULL << 12) | F_P | F_W | F_U | F_PS;
	l2[4] = (0x21ULL << 12) | F_P | F_W | F_PS;	/* misaligned */
	l1[0] = pte(DATA, F_P | F_W | F_U);
	l1[1] = pte(DATA + 1, F_P | F_W | F_U | F_NX);
	l1[2] = pte(DATA + 2, F_P | F_W | F_U | BIT_ULL(55));
	l1[3] = pte(DATA + 3, F_P | F_W | F_U | BIT_ULL(50));
	vm.gp.cr3 = PAE_CR3;
	CHECK_EQ(model_set_paging(&vm, CR0_PE | CR0_WP | CR0_PG, CR4_PAE,
				  EFER_NXE), 0);
	CHECK_EQ(vm.sv.mode, SHADOW_MODE_PAE);
	CHECK(vm.sv.root_hpa && vm.sv.root_hpa < (1ULL << 32));
	CHECK_EQ(vm.gp.pdpte[1], pdpt[1]);

	expect_ok(&vm, 0x40400000, PFEC_WRITE | PFEC_USER);
	CHECK_EQ(l1[0] & (F_A | F_D), F_A | F_D);
	CHECK_EQ(l2[2] & (F_A | F_D), F_A);
	CHECK_EQ(pdpt[1] & F_A, 0);	/* PDPTEs have no A bit */
	CHECK_EQ(shadow_hfn(&vm, 0x40400000), hfn_of(&vm, DATA));
	/* NX, with I/D; bits 62:52 reserved under PAE (not ignored). */
	expect_ok(&vm, 0x40401000, PFEC_USER);
	expect_guest_fault(&vm, 0x40401000, PFEC_FETCH | PFEC_USER,
			   PFEC_PRESENT | PFEC_FETCH | PFEC_USER);
	expect_ok(&vm, 0x40400000, PFEC_FETCH);
	expect_guest_fault(&vm, 0x40402000, 0, PFEC_PRESENT | PFEC_RSVD);
	expect_guest_fault(&vm, 0x40403000, PFEC_WRITE,
			   PFEC_PRESENT | PFEC_RSVD | PFEC_WRITE);
	/* 2 MiB pages, and a misaligned one. */
	expect_ok(&vm, 0x40603008, PFEC_WRITE);
	CHECK_EQ(shadow_hfn(&vm, 0x40603000), hfn_of(&vm, 0x203));
	CHECK_EQ(l2[3] & (F_A | F_D), F_A | F_D);
	expect_guest_fault(&vm, 0x40800000, 0, PFEC_PRESENT | PFEC_RSVD);
	/* Not-present PDPTE: #PF with P=0; L2 outside RAM: all ones. */
	expect_guest_fault(&vm, 0x80000000, PFEC_WRITE | PFEC_USER,
			   PFEC_WRITE | PFEC_USER);
	expect_guest_fault(&vm, 0x80001000, PFEC_FETCH, PFEC_FETCH);
	expect_guest_fault(&vm, 0xc0000000, 0, PFEC_PRESENT | PFEC_RSVD);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* A PDPT write counts from the next CR3 load only. */
	val = (33 << 12) | F_P;
	cpu_access(&vm, (PDPT_GFN << 12) + 0x30, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(pdpt[2], val);
	expect_guest_fault(&vm, 0x80400000, 0, 0);
	CHECK_EQ(model_load_cr3(&vm, PAE_CR3), 0);
	expect_ok(&vm, 0x80400000, 0);
	CHECK_EQ(shadow_hfn(&vm, 0x80400000), hfn_of(&vm, DATA));
	/* and one that clears a PDPTE as well */
	val = 0;
	cpu_access(&vm, (PDPT_GFN << 12) + 0x30, PFEC_WRITE, &val, &o);
	CHECK_EQ(o.kind, CPU_OK);
	expect_ok(&vm, 0x80400000, PFEC_USER);
	CHECK_EQ(model_load_cr3(&vm, PAE_CR3), 0);
	expect_guest_fault(&vm, 0x80400000, PFEC_USER, PFEC_USER);
	/* Reserved bits in a present PDPTE: #GP, nothing changes. */
	pdpt[3] = (33 << 12) | F_P | BIT_ULL(1);
	CHECK_EQ(shadow_read_pdptes(&vm.mmu, PAE_CR3, regs), -EINVAL);
	CHECK_EQ(model_load_cr3(&vm, PAE_CR3), -EINVAL);
	CHECK_EQ(vm.gp.pdpte[3], (0x900ULL << 12) | F_P);
	pdpt[3] = (33 << 12) | F_P | BIT_ULL(63);
	CHECK_EQ(model_load_cr3(&vm, PAE_CR3), -EINVAL);
	pdpt[3] = (33 << 12) | F_P | BIT_ULL(46);
	CHECK_EQ(model_load_cr3(&vm, PAE_CR3), -EINVAL);
	pdpt[3] = (33ULL << 12) | F_P | BIT_ULL(52);
	CHECK_EQ(model_load_cr3(&vm, PAE_CR3), -EINVAL);
	/* Not present: the other bits are free. */
	pdpt[3] = ~F_P;
	CHECK_EQ(model_load_cr3(&vm, PAE_CR3), 0);
	expect_guest_fault(&vm, 0xc0000000, 0, 0);
	/* Outside RAM, a PDPT reads as all ones: #GP. */
	CHECK_EQ(model_load_cr3(&vm, 0x900000), -EINVAL);
	CHECK_EQ(vm.gp.cr3, PAE_CR3);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);

	/* Reloading a cached CR3 builds nothing. */
	memcpy(pae_pdpt(&vm, 0x40), pdpt, 32);
	CHECK_EQ(model_load_cr3(&vm, (PDPT_GFN << 12) | 0x40), 0);
	expect_ok(&vm, 0x40400000, 0);
	CHECK_EQ(model_load_cr3(&vm, PAE_CR3), 0);
	hits = vm.mmu.stats.root_cache_hits;
	pages = vm.mmu.stats.pages_in_use;
	CHECK_EQ(model_load_cr3(&vm, (PDPT_GFN << 12) | 0x40), 0);
	CHECK(vm.mmu.stats.root_cache_hits > hits);
	CHECK_EQ(vm.mmu.stats.pages_in_use, pages);
	CHECK_EQ(access_(&vm, 0x40400000, 0).faults, 0);

	/*
	 * The guest writes an L2 that a PDPTE register names (a top-level
	 * shadow); the emulator gives up: the write must still complete.
	 */
	vm.emulate = EMU_FAIL;
	val = pte(DATA + 4, F_P | F_W | F_U | F_A | F_D);
	cpu_access(&vm, (33 << 12) + 8 * 2, PFEC_WRITE, &val, &o);
	vm.emulate = EMU_WRITE;
	CHECK_EQ(o.kind, CPU_OK);
	CHECK_EQ(l2[2], val);
	CHECK_EQ(shadow_audit(&vm.mmu), 0);
	/* The new PDE names DATA + 4 as its page table: what it holds. */
	o = access_(&vm, 0x40400000, PFEC_WRITE);
	ref_walk(&vm.host, &vm.gp, 0x40400000, PFEC_WRITE, &r);
	CHECK_EQ(o.kind == CPU_GUEST_FAULT, r.fault);
	CHECK_EQ(o.kind == CPU_GUEST_FAULT ? o.pfec : 0, r.fault ? r.pfec : 0);
	l2[2] = (34 << 12) | F_P | F_W | F_U;
	CHECK_EQ(model_load_cr3(&vm, PAE_CR3), 0);

	/* EFER.NXE off: XD is reserved, fetches lose I/D. */
	CHECK_EQ(model_set_paging(&vm, vm.gp.cr0, vm.gp.cr4, 0), 0);
	expect_guest_fault(&vm, 0x40401000, PFEC_USER,
			   PFEC_PRESENT | PFEC_RSVD | PFEC_USER);
	expect_guest_fault(&vm, 0x80000000, PFEC_FETCH, 0);
	done(&vm);
}

/* 64 -> PAE -> 2-level -> unpaged -> 64, with the same data in each. */
static void test_mode_switch(void)
{
	static const struct {
		enum shadow_guest_mode mode;
		u64 cr0, cr4, efer, cr3;
	} seq[] = {
		{ SHADOW_MODE_PAE, CR0_PE | CR0_WP | CR0_PG, CR4_PAE,
		  EFER_NXE, PDPT_GFN << 12 },
		{ SHADOW_MODE_32, CR0_PE | CR0_WP | CR0_PG, CR4_PSE, EFER_NXE,
		  PD32 << 12 },
		{ SHADOW_MODE_UNPAGED, CR0_PE | CR0_WP, CR4_PSE, EFER_NXE,
		  PD32 << 12 },
		{ SHADOW_MODE_64, CR0_PE | CR0_WP | CR0_PG, CR4_PAE,
		  EFER_NXE | EFER_LME, G_L4 << 12 },
	};
	struct model_vm vm;
	u64 pages, roots, nr_old_roots;
	unsigned int i, j;

	std_layout(&vm, 64);
	/* PAE: PDPTE 0 is the 4-level layout's L2. */
	*pae_pdpt(&vm, 0) = pte(G_L2, F_P);
	/* 2-level: 0x400000 through PDE 1 to the same data frame. */
	gtab32(&vm, PD32)[0] = F_P | F_W | F_PS;	/* 4 MiB identity */
	gtab32(&vm, PD32)[1] = (L1_32 << 12) | F_P | F_W | F_U;
	gtab32(&vm, L1_32)[0] = (DATA << 12) | F_P | F_W | F_U;
	gtab(&vm, G_L1)[0] = pte(DATA, F_P | F_W | F_U);
	expect_ok(&vm, VA_T, PFEC_WRITE);
	expect_ok(&vm, (DATA + 1) << 12, PFEC_WRITE);
	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		pages = vm.mmu.stats.pages_in_use;
		for (nr_old_roots = 0, j = 0; j < 4; j++)
			nr_old_roots += vm.sv.root[j] &&
					(!j || vm.sv.root[j] != vm.sv.root[j - 1]);
		vm.gp.cr3 = seq[i].cr3;
		CHECK_EQ(model_set_paging(&vm, seq[i].cr0, seq[i].cr4,
					  seq[i].efer), 0);
		CHECK_EQ(vm.sv.mode, seq[i].mode);
		CHECK_EQ(shadow_audit(&vm.mmu), 0);
		CHECK_EQ(foreign_shadows(&vm, seq[i].mode), 0);
		for (roots = 0, j = 0; j < 4; j++)
			roots += vm.sv.root[j] &&
				 (!j || vm.sv.root[j] != vm.sv.root[j - 1]);
		CHECK_EQ(vm.mmu.stats.pages_in_use, roots);
		/* There was something of the old mode to drop. */
		CHECK(pages > nr_old_roots);
		expect_ok(&vm, seq[i].mode == SHADOW_MODE_UNPAGED ?
			  DATA << 12 : VA_T, PFEC_WRITE | PFEC_USER);
		CHECK_EQ(shadow_hfn(&vm, seq[i].mode == SHADOW_MODE_UNPAGED ?
				    DATA << 12 : VA_T), hfn_of(&vm, DATA));
		expect_ok(&vm, (DATA + 1) << 12, PFEC_WRITE);
		CHECK_EQ(shadow_hfn(&vm, (DATA + 1) << 12),
			 hfn_of(&vm, DATA + 1));
		CHECK_EQ(foreign_shadows(&vm, seq[i].mode), 0);
		CHECK_EQ(shadow_audit(&vm.mmu), 0);
	}
	CHECK(vm.gp.efer & EFER_LMA);
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
		{ "emulated writes: revalidation, split, cmpxchg, heuristics",
		  test_emulated_writes },
		{ "L3-toplevel: pinned L3s, kept across L4 churn, mass unpin",
		  test_l3_toplevel },
		{ "seed rule: unpinned L3 has up == 0 on every path",
		  test_seed_rule },
		{ "prefetch of accessed neighbours", test_prefetch },
		{ "invlpg", test_invlpg },
		{ "out-of-sync L1s: native writes, resync, snapshot", test_oos },
		{ "pool exhaustion and reclaim", test_pool_exhaustion },
		{ "flush all and mode change", test_flush_all },
		{ "CR0.WP=0 supervisor writes", test_cr0_wp },
		{ "unpaged guest: identity, no protection", test_mode_unpaged },
		{ "2-level guest: 4 KiB and 4 MiB pages, 4-byte entries",
		  test_mode_32 },
		{ "PAE guest: PDPTE registers, NX, reserved bits",
		  test_mode_pae },
		{ "mode switches leave no shadow of the old mode",
		  test_mode_switch },
	};
	unsigned int i, n = ARRAY_SIZE(tests);
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	model_trace_on = true;
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
