// SPDX-License-Identifier: GPL-2.0
/*
 * Randomised driver: random guest page tables, random guest accesses and
 * page-table writes (made by the guest, through its own mappings, so they
 * hit the write protection), CR3 switches, INVLPG, paging-control changes
 * and full flushes. After every step the audit runs and the shadow
 * translation of sampled addresses is compared with the reference walker.
 *
 * Usage: mmu-model [SEED [STEPS [POOL_PAGES]]]; without SEED, a fixed
 * list of seeds.
 */
#include <stdlib.h>
#include "model.h"
#include "tap.h"

#define R_IDENT_L3	2
#define R_IDENT_L2	3
#define R_IDENT_L1	4
#define R_L4_FIRST	10
#define R_NR_L4		4
#define R_TAB_FIRST	16	/* test tables: 16..63 */
#define R_TAB_LAST	63
#define R_DATA_FIRST	64	/* data frames: 64..127 */
#define R_DATA_LAST	127
#define R_RO_GFN	0x800
#define R_HOLE_GFN	0x900
#define R_HIGH_VA	(5ULL << 21)	/* identity of gfn 512..1023 */

static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static u64 pick(u64 n)
{
	return rnd() % n;
}

static const unsigned int r_idx[4] = { 0, 1, 2, 511 };

static u64 ident_va(u64 gfn)
{
	return gfn < 512 ? gfn << 12 : R_HIGH_VA + ((gfn - 512) << 12);
}

static u64 *gtab(struct model_vm *vm, u64 gfn)
{
	return model_gfn_va(&vm->host, gfn);
}

/* A random guest entry for a test table interpreted at @level. */
static u64 random_entry(unsigned int level)
{
	u64 flags = PTE_P, frame;

	if (!pick(8))
		return pick(2) ? 0 : (pick(1ULL << 40) << 12) & ~PTE_P;
	if (pick(4))
		flags |= PTE_RW;
	if (pick(4))
		flags |= PTE_US;
	if (pick(2))
		flags |= PTE_A;
	if (pick(2))
		flags |= PTE_D;
	if (!pick(4))
		flags |= PTE_NX;
	if (!pick(32))
		flags |= BIT_ULL(50);		/* reserved: above MAXPHYADDR */
	if (level >= 3 && !pick(32))
		flags |= PTE_PS;		/* reserved at L4/L3 */

	if (level == 2 && !pick(4)) {
		static const u64 big[] = { 0, 512, R_RO_GFN, 0x21 };

		return (big[pick(4)] << 12) | flags | PTE_PS;
	}
	if (level > 1) {
		switch (pick(8)) {
		case 0:
			frame = R_L4_FIRST + pick(R_NR_L4);	/* recursion */
			break;
		case 1:
			frame = R_HOLE_GFN;
			break;
		default:
			frame = R_TAB_FIRST + pick(R_TAB_LAST - R_TAB_FIRST + 1);
		}
	} else {
		switch (pick(8)) {
		case 0:
			frame = R_L4_FIRST + pick(R_NR_L4);
			break;
		case 1:
		case 2:
			frame = R_TAB_FIRST + pick(R_TAB_LAST - R_TAB_FIRST + 1);
			break;
		case 3:
			frame = R_RO_GFN + pick(16);
			break;
		case 4:
			frame = R_HOLE_GFN + pick(4);
			break;
		default:
			frame = R_DATA_FIRST + pick(R_DATA_LAST - R_DATA_FIRST + 1);
		}
	}
	return (frame << 12) | flags;
}

static u64 random_test_va(void)
{
	return ((1 + pick(3)) << 39) | ((u64)r_idx[pick(4)] << 30) |
	       ((u64)r_idx[pick(4)] << 21) | ((u64)r_idx[pick(4)] << 12) |
	       (8 + 8 * pick(3));
}

static void build_guest(struct model_vm *vm)
{
	unsigned int i, j;
	u64 g;

	model_add_slot(&vm->host, 0, 1024, false);
	model_add_slot(&vm->host, R_RO_GFN, 16, true);
	/* Identity: gfn 0..511 by 4 KiB pages, 512..1023 by a 2 MiB page. */
	gtab(vm, R_IDENT_L3)[0] = (R_IDENT_L2 << 12) | PTE_P | PTE_RW;
	gtab(vm, R_IDENT_L2)[0] = (R_IDENT_L1 << 12) | PTE_P | PTE_RW;
	gtab(vm, R_IDENT_L2)[5] = (512ULL << 12) | PTE_P | PTE_RW | PTE_PS;
	for (g = 4; g < 512; g++)
		gtab(vm, R_IDENT_L1)[g] = (g << 12) | PTE_P | PTE_RW |
					  (pick(2) ? PTE_A : 0);
	for (i = 0; i < R_NR_L4; i++) {
		u64 *l4 = gtab(vm, R_L4_FIRST + i);

		l4[0] = (R_IDENT_L3 << 12) | PTE_P | PTE_RW;
		for (j = 1; j <= 3; j++)
			l4[j] = random_entry(4);
	}
	for (g = R_TAB_FIRST; g <= R_TAB_LAST; g++)
		for (j = 0; j < 4; j++)
			gtab(vm, g)[r_idx[j]] = random_entry(1 + pick(3));
	for (g = R_DATA_FIRST; g <= R_DATA_LAST; g++)
		for (j = 0; j < 512; j++)
			gtab(vm, g)[j] = rnd();
}

/* Does the processor's walk of @va go through a shadow of the oos frame? */
static bool uses_oos(struct model_vm *vm, u64 va)
{
	u64 hpa = vm->sv.root_hpa;
	int level;

	if (!vm->mmu.oos_valid)
		return false;
	for (level = 4; level >= 1; level--) {
		struct shadow_page *sp = sh_from_hpa(&vm->mmu, hpa);
		u64 e;

		if (!sp)
			return false;
		if (sp->type != SH_TYPE_FL1_64 && sp->gfn == vm->mmu.oos_gfn)
			return true;
		e = sp->entries[(va >> (12 + 9 * (level - 1))) & 511];
		if (!(e & PTE_P))
			return false;
		hpa = e & PTE_ADDR_MASK;
	}
	return false;
}

static bool ref_ok(struct model_vm *vm, const struct guest_paging *gp, u64 va,
		   u32 access)
{
	struct ref_result r;

	ref_walk(&vm->host, gp, va, access, &r);
	return !r.fault;
}

/* Invariants 1, 2, 5 on the composed translation of @va. */
static int compare_translation(struct model_vm *vm, u64 va)
{
	struct guest_paging probe = vm->gp;
	struct hw_result hw;
	struct ref_result r;
	unsigned int i;
	bool w;
	u64 hfn;

	if (!vm->sv.root || shadow_root_stale(&vm->sv) || uses_oos(vm, va))
		return 0;
	probe.cr4 &= ~(CR4_SMEP | CR4_SMAP);
	hw_walk(&vm->host, &probe, vm->sv.root_hpa, va, 0, false, &hw);
	if (hw.bad) {
		printf("#   va %#llx: malformed shadow entry\n",
		       (unsigned long long)va);
		return 1;
	}
	if (hw.fault && !(hw.pfec & PFEC_PRESENT))
		return 0;	/* not present in the shadow: always fine */
	ref_walk(&vm->host, &probe, va, 0, &r);
	if (r.fault || mmu_host_gfn_to_hfn(&vm->host, r.gpa >> 12, &hfn, &w) ||
	    hfn != hw.hfn) {
		printf("#   va %#llx: shadow maps hfn %#llx, guest says %s gpa %#llx\n",
		       (unsigned long long)va, (unsigned long long)hw.hfn,
		       r.fault ? "fault" : "", (unsigned long long)r.gpa);
		return 1;
	}
	for (i = 0; i < r.nr; i++) {
		bool table_w;

		mmu_host_gfn_to_hfn(&vm->host, r.table_gfn[i], &hfn, &table_w);
		if (table_w && !(*r.entry[i] & PTE_A)) {
			printf("#   va %#llx: shadow present, guest A clear at level %u\n",
			       (unsigned long long)va, 4 - i);
			return 1;
		}
	}
	if ((hw.w && (!ref_ok(vm, &probe, va, PFEC_WRITE) ||
		      !(*r.entry[r.nr - 1] & PTE_D) || !w)) ||
	    (hw.u && !ref_ok(vm, &probe, va, PFEC_USER)) ||
	    (!hw.nx && !ref_ok(vm, &probe, va, PFEC_FETCH))) {
		printf("#   va %#llx: shadow rights w%d u%d x%d exceed guest's\n",
		       (unsigned long long)va, hw.w, hw.u, !hw.nx);
		return 1;
	}
	if (hw.w && sh_frame_is_shadowed(&vm->mmu, r.gpa >> 12) &&
	    !(vm->mmu.oos_valid && vm->mmu.oos_gfn == r.gpa >> 12)) {
		printf("#   va %#llx: writable mapping of a shadowed table\n",
		       (unsigned long long)va);
		return 1;
	}
	return 0;
}

/* A guest access; the outcome must be what the reference walk says. */
static int random_access(struct model_vm *vm, u64 va, u32 access, u64 val)
{
	bool stale = uses_oos(vm, va), w;
	struct cpu_outcome o;
	struct ref_result r;
	u64 hfn, got = val;
	unsigned int i;

	ref_walk(&vm->host, &vm->gp, va, access, &r);
	cpu_access(vm, va, access, &got, &o);
	if (o.kind == CPU_ERROR) {
		printf("#   va %#llx access %x: error %d after %u faults\n",
		       (unsigned long long)va, access, o.err, o.faults);
		return 1;
	}
	if (stale)
		return 0;	/* may legitimately use the old translation */
	if (r.fault) {
		if (o.kind != CPU_GUEST_FAULT || o.pfec != r.pfec) {
			printf("#   va %#llx access %x: kind %d pfec %x, reference pfec %x\n",
			       (unsigned long long)va, access, o.kind, o.pfec,
			       r.pfec);
			return 1;
		}
		return 0;
	}
	if (mmu_host_gfn_to_hfn(&vm->host, r.gpa >> 12, &hfn, &w) ||
	    (!w && (access & PFEC_WRITE))) {
		if (o.kind != CPU_MMIO || o.mmio_gpa != r.gpa ||
		    o.mmio_write != !!(access & PFEC_WRITE)) {
			printf("#   va %#llx access %x: kind %d, expected MMIO %#llx\n",
			       (unsigned long long)va, access, o.kind,
			       (unsigned long long)r.gpa);
			return 1;
		}
		return 0;
	}
	if (o.kind != CPU_OK) {
		printf("#   va %#llx access %x: kind %d pfec %x, reference allows\n",
		       (unsigned long long)va, access, o.kind, o.pfec);
		return 1;
	}
	/* The data moved to/from the frame the guest tables name. */
	if (*(u64 *)((u8 *)model_gfn_va(&vm->host, r.gpa >> 12) +
		     (r.gpa & 4088)) != got) {
		printf("#   va %#llx: data went to the wrong frame\n",
		       (unsigned long long)va);
		return 1;
	}
	for (i = 0; i < r.nr; i++) {
		bool table_w;

		mmu_host_gfn_to_hfn(&vm->host, r.table_gfn[i], &hfn, &table_w);
		/* A write may have changed the very entry: skip that case. */
		if (table_w && !(*r.entry[i] & PTE_A) &&
		    !((access & PFEC_WRITE) && r.gpa >> 12 == r.table_gfn[i])) {
			printf("#   va %#llx: A not set at level %u\n",
			       (unsigned long long)va, 4 - i);
			return 1;
		}
	}
	return 0;
}

static int run_seed(u64 seed, unsigned long steps, unsigned long pool)
{
	struct model_vm vm;
	unsigned long step;
	int bad = 0;

	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	if (model_vm_init(&vm, pool))
		return 1;
	build_guest(&vm);
	model_long_mode(&vm.gp, (u64)R_L4_FIRST << 12);
	if (shadow_load_root(&vm.mmu, &vm.sv, &vm.gp))
		bad++;

	for (step = 0; step < steps && !bad; step++) {
		unsigned int op = pick(100), k;
		u64 va, gfn;
		u32 access;

		if (op < 50) {
			static const u32 kinds[] = {
				0, PFEC_WRITE, PFEC_FETCH, PFEC_USER,
				PFEC_USER | PFEC_WRITE, PFEC_USER | PFEC_FETCH,
			};

			access = kinds[pick(6)];
			va = pick(10) ? random_test_va() :
			     ident_va(R_DATA_FIRST + pick(64)) + 8 * pick(512);
			bad += random_access(&vm, va, access,
					     random_entry(1 + pick(4)));
		} else if (op < 75) {
			/* The guest rewrites one of its page-table entries. */
			if (pick(4)) {
				gfn = R_TAB_FIRST +
				      pick(R_TAB_LAST - R_TAB_FIRST + 1);
				k = r_idx[pick(4)];
			} else {
				gfn = R_L4_FIRST + pick(R_NR_L4);
				k = 1 + pick(3);
			}
			va = ident_va(gfn) + 8 * k;
			bad += random_access(&vm, va, PFEC_WRITE,
					     random_entry(1 + pick(4)));
			/* Recursive maps may use it as a leaf: ignore A/D. */
			if ((gtab(&vm, R_IDENT_L2)[0] & ~(PTE_A | PTE_D)) !=
			    ((R_IDENT_L1 << 12) | PTE_P | PTE_RW)) {
				printf("#   identity map damaged\n");
				bad++;
			}
		} else if (op < 85) {
			vm.gp.cr3 = (R_L4_FIRST + pick(R_NR_L4)) << 12;
			if (shadow_load_root(&vm.mmu, &vm.sv, &vm.gp)) {
				printf("#   load_root failed\n");
				bad++;
			}
		} else if (op < 93) {
			shadow_invlpg(&vm.mmu, &vm.sv, &vm.gp,
				      random_test_va());
		} else if (op < 97) {
			static const u64 bits[] = { CR4_SMEP, CR4_SMAP };

			switch (pick(4)) {
			case 0:
			case 1:
				vm.gp.cr4 ^= bits[pick(2)];
				shadow_flush_all(&vm.mmu);
				break;
			case 2:
				/* The vCPU flushes on EFER/CR4 writes. */
				vm.gp.efer ^= EFER_NXE;
				shadow_flush_all(&vm.mmu);
				break;
			default:
				vm.gp.rflags ^= RFLAGS_AC;
			}
		} else {
			shadow_flush_all(&vm.mmu);
		}

		if (shadow_audit(&vm.mmu)) {
			printf("#   audit failed after step %lu (op %u)\n",
			       step, op);
			bad++;
		}
		for (k = 0; k < 24 && !bad; k++)
			bad += compare_translation(&vm, random_test_va());
		if (bad)
			printf("#   seed %llu failed at step %lu\n",
			       (unsigned long long)seed, step);
	}
	if (!bad && (vm.mmu.stats.shadow_faults == 0 ||
		     vm.mmu.stats.guest_faults == 0 ||
		     vm.mmu.stats.unshadows == 0)) {
		printf("#   seed %llu exercised too little\n",
		       (unsigned long long)seed);
		bad++;
	}
	printf("#   seed %llu: %llu shadow faults, %llu guest faults, %llu mmio,",
	       seed, vm.mmu.stats.shadow_faults, vm.mmu.stats.guest_faults,
	       vm.mmu.stats.mmio_faults);
	printf(" %llu unshadows, %llu reclaims, max %llu pages\n",
	       vm.mmu.stats.unshadows, vm.mmu.stats.reclaims,
	       vm.mmu.stats.pages_max);
	model_vm_destroy(&vm);
	return bad;
}

int random_tests(int argc, char **argv, int first)
{
	static const u64 seeds[] = { 1, 2, 3, 42 };
	unsigned long steps = argc > 2 ? strtoul(argv[2], NULL, 0) : 10000;
	int failed = 0, n = first;
	unsigned int i;

	if (argc > 1) {
		u64 seed = strtoull(argv[1], NULL, 0);

		unsigned long pool = argc > 3 ? strtoul(argv[3], NULL, 0) : 256;

		failed = run_seed(seed, steps, pool) != 0;
		printf("%sok %d - random seed %llu\n", failed ? "not " : "",
		       n++, (unsigned long long)seed);
	} else {
		for (i = 0; i < ARRAY_SIZE(seeds); i++) {
			int bad = run_seed(seeds[i], steps, 256) != 0;

			printf("%sok %d - random seed %llu\n",
			       bad ? "not " : "", n++,
			       (unsigned long long)seeds[i]);
			failed += bad;
		}
		/* A tiny pool: reclaim and full flushes all the time. */
		i = run_seed(7, steps, 6) != 0;
		printf("%sok %d - random seed 7, pool of 6 pages\n",
		       i ? "not " : "", n++);
		failed += i;
	}
	printf("1..%d\n", n - 1);
	return failed;
}
