// SPDX-License-Identifier: GPL-2.0
/*
 * Randomised driver: random guest page tables, random guest accesses and
 * page-table writes (made by the guest, through its own mappings, so they
 * hit the write protection), CR3 switches, INVLPG, paging-control changes
 * and full flushes. After every step the audit runs and the shadow
 * translation of sampled addresses is compared with the reference walker.
 *
 * Usage: mmu-model [SEED [STEPS [POOL_PAGES [VCPUS]]]]; without SEED,
 * the fixed runs below, FIXED_STEPS operations each. A failing seed
 * prints its step and the last operations before it.
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

/* The last few operations, printed when a seed fails. */
#define TRACE_LEN	16
static char trace[TRACE_LEN][96];
static unsigned long trace_n;

#define TRACE(fmt, ...)							\
	snprintf(trace[trace_n++ % TRACE_LEN], sizeof(trace[0]), fmt,	\
		 ##__VA_ARGS__)

static void trace_dump(void)
{
	unsigned long i = trace_n > TRACE_LEN ? trace_n - TRACE_LEN : 0;

	printf("#   last operations (oldest first):\n");
	for (; i < trace_n; i++)
		printf("#     %lu: %s\n", i, trace[i % TRACE_LEN]);
}

static u64 random_entry(unsigned int level);

/*
 * A test table frame that currently has a shadow, so that writes to it
 * are revalidated; *level is the level the shadow reads it at.
 */
static bool pick_shadowed(struct model_vm *vm, u64 *gfn, unsigned int *level)
{
	unsigned long n = vm->mmu.pool_size, start = pick(n), i;

	for (i = 0; i < n; i++) {
		struct shadow_page *sp = &vm->mmu.pool[(start + i) % n];

		if (!sh_type_is_table(sp->type) || sp->dead ||
		    sp->gfn < R_L4_FIRST || sp->gfn > R_TAB_LAST)
			continue;
		*gfn = sp->gfn;
		*level = sh_type_level(sp->type);
		return true;
	}
	return false;
}

static enum model_emulate random_emulate(void)
{
	switch (pick(8)) {
	case 0:
		return EMU_FAIL;
	case 1:
	case 2:
		return EMU_CMPXCHG;
	default:
		return EMU_WRITE;
	}
}

/*
 * Emulated writes that the vCPU loop does not make: odd sizes and
 * offsets, writes running into the next frame, compare-exchange that
 * loses, a frame zeroed from entry 0 (reuse as data) and a burst of
 * writes to one frame (flooding). Guest entry 0 of each L4 (the identity
 * map the driver itself uses) is never written.
 */
static int random_direct_write(struct model_vm *vm)
{
	u64 data[2] = { random_entry(1 + pick(4)), random_entry(1 + pick(4)) };
	unsigned int len = 1 + pick(16), off, i, n;
	bool l4 = !pick(4);
	u64 gfn = l4 ? R_L4_FIRST + pick(R_NR_L4) :
		  R_TAB_FIRST + pick(R_TAB_LAST - R_TAB_FIRST + 1);
	int err = 0;

	switch (pick(10)) {
	case 0:		/* zero the frame from entry 0, 8 bytes at a time */
		if (l4)
			break;
		n = 8 + pick(16);
		TRACE("zero gfn %#llx entries 0..%u", gfn, n - 1);
		memset(data, 0, sizeof(data));
		for (i = 0; i < n && !err; i++)
			err = shadow_write_guest(&vm->mmu, &vm->gp,
						 (gfn << 12) + 8 * i, data, 8);
		return err != 0;
	case 1:		/* flood: many writes to the same frame */
		n = 12 + pick(10);
		TRACE("flood gfn %#llx x%u", gfn, n);
		for (i = 0; i < n && !err; i++) {
			data[0] = random_entry(1 + pick(4));
			err = shadow_write_guest(&vm->mmu, &vm->gp,
						 (gfn << 12) + 8 * r_idx[1 + pick(3)],
						 data, 8);
		}
		return err != 0;
	case 3:		/* share an L3 as Linux does: copy another L4's entry */
	case 4:
		i = 1 + pick(3);
		data[0] = gtab(vm, R_L4_FIRST + pick(R_NR_L4))[i] | PTE_A;
		gfn = R_L4_FIRST + pick(R_NR_L4);
		TRACE("copy l4e %u to gfn %#llx: %#llx", i, gfn, data[0]);
		return shadow_write_guest(&vm->mmu, &vm->gp, (gfn << 12) + 8 * i,
					  data, 8) != 0;
	case 2:		/* compare-exchange with a wrong old value */
		off = 8 * r_idx[1 + pick(3)];
		data[1] = gtab(vm, gfn)[off / 8] ^ 1;
		TRACE("cmpxchg-lose gfn %#llx off %u", gfn, off);
		if (shadow_cmpxchg_guest(&vm->mmu, &vm->gp, (gfn << 12) + off,
					 &data[1], &data[0], 8) != -EAGAIN) {
			printf("#   cmpxchg with a stale old value stored\n");
			return 1;
		}
		return 0;
	default:
		break;
	}
	off = l4 ? 8 + pick(4096 - 8 - len + 1) : pick(4096 - len / 2);
	if (!pick(4))
		off = 4096 - pick(len + 1) - (l4 ? len : 0);
	if (off < 8 && l4)
		off = 8;
	TRACE("write gfn %#llx off %u len %u", gfn, off, len);
	err = shadow_write_guest(&vm->mmu, &vm->gp, (gfn << 12) + off, data,
				 len);
	if (err || memcmp((u8 *)gtab(vm, gfn) + off, data,
			  min_t(unsigned int, len, 4096 - off)) ||
	    (off + len > 4096 &&
	     memcmp(gtab(vm, gfn + 1), (u8 *)data + (4096 - off),
		    off + len - 4096))) {
		printf("#   direct write gfn %#llx off %u len %u: err %d or data wrong\n",
		       gfn, off, len, err);
		return 1;
	}
	return 0;
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
		case 2:
		case 3:
		case 4:
			/* a few tables, often shadowed already: links reuse */
			frame = R_TAB_FIRST + pick(6);
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
	    /* W for supervisor writes only (guest CR0.WP=0) must drop U */
	    (hw.w && hw.u &&
	     !ref_ok(vm, &probe, va, PFEC_WRITE | PFEC_USER)) ||
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

static int run_seed(u64 seed, unsigned long steps, unsigned long pool,
		    unsigned int vcpus)
{
	struct model_vm vm;
	unsigned long step;
	int bad = 0;

	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	trace_n = 0;
	if (model_vm_init_vcpus(&vm, pool, vcpus))
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
			vm.emulate = random_emulate();
			TRACE("access va %#llx kind %x emulate %d", va, access,
			      vm.emulate);
			bad += random_access(&vm, va, access,
					     random_entry(1 + pick(4)));
		} else if (op < 75) {
			/* The guest rewrites one of its page-table entries. */
			unsigned int level = 1 + pick(4);

			if (pick(2) && pick_shadowed(&vm, &gfn, &level)) {
				k = gfn < R_TAB_FIRST ? 1 + pick(3) :
				    r_idx[pick(4)];
			} else if (pick(4)) {
				gfn = R_TAB_FIRST +
				      pick(R_TAB_LAST - R_TAB_FIRST + 1);
				k = r_idx[pick(4)];
			} else {
				gfn = R_L4_FIRST + pick(R_NR_L4);
				k = 1 + pick(3);
			}
			va = ident_va(gfn) + 8 * k;
			vm.emulate = random_emulate();
			if (!pick(4)) {
				bad += random_direct_write(&vm);
			} else {
				TRACE("pt-write gfn %#llx idx %u emulate %d",
				      gfn, k, vm.emulate);
				bad += random_access(&vm, va, PFEC_WRITE,
						     random_entry(level));
			}
			/* Recursive maps may use it as a leaf: ignore A/D. */
			if ((gtab(&vm, R_IDENT_L2)[0] & ~(PTE_A | PTE_D)) !=
			    ((R_IDENT_L1 << 12) | PTE_P | PTE_RW)) {
				printf("#   identity map damaged\n");
				bad++;
			}
		} else if (op < 85) {
			/*
			 * One-vCPU runs use two address spaces for their
			 * first half: L3-toplevel stays on until the mass
			 * unpin in the second half finds plenty of state.
			 */
			vm.gp.cr3 = (R_L4_FIRST +
				     pick(vcpus == 1 && step < steps / 2 ?
					  2 : R_NR_L4)) << 12;
			TRACE("cr3 %#llx", vm.gp.cr3);
			if (shadow_load_root(&vm.mmu, &vm.sv, &vm.gp)) {
				printf("#   load_root failed\n");
				bad++;
			}
		} else if (op < 93) {
			va = random_test_va();
			TRACE("invlpg %#llx", va);
			shadow_invlpg(&vm.mmu, &vm.sv, &vm.gp, va);
		} else if (op < 97) {
			static const u64 bits[] = { CR4_SMEP, CR4_SMAP };

			TRACE("paging controls");
			switch (pick(5)) {
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
			case 3:
				/* As the vCPU does on a MOV to CR0 toggling WP. */
				vm.gp.cr0 ^= CR0_WP;
				shadow_flush_all(&vm.mmu);
				break;
			default:
				vm.gp.rflags ^= RFLAGS_AC;
			}
		} else {
			TRACE("flush all");
			shadow_flush_all(&vm.mmu);
		}

		if (shadow_audit(&vm.mmu)) {
			printf("#   audit failed after step %lu (op %u)\n",
			       step, op);
			bad++;
		}
		for (k = 0; k < 24 && !bad; k++)
			bad += compare_translation(&vm, random_test_va());
		if (bad) {
			printf("#   seed %llu failed at step %lu\n",
			       (unsigned long long)seed, step);
			trace_dump();
		}
	}
	if (!bad && steps >= 10000 &&
	    (vm.mmu.stats.shadow_faults == 0 ||
	     vm.mmu.stats.guest_faults == 0 || vm.mmu.stats.unshadows == 0 ||
	     vm.mmu.stats.emulated_writes == 0 ||
	     vm.mmu.stats.prefetched == 0 ||
	     (vcpus == 1) != (vm.mmu.stats.l3_mass_unpins == 1))) {
		printf("#   seed %llu exercised too little\n",
		       (unsigned long long)seed);
		bad++;
	}
	printf("#   seed %llu: %llu shadow faults, %llu guest faults, %llu mmio,",
	       seed, vm.mmu.stats.shadow_faults, vm.mmu.stats.guest_faults,
	       vm.mmu.stats.mmio_faults);
	printf(" %llu unshadows (%llu up, %llu walk), %llu emulated writes,",
	       vm.mmu.stats.unshadows, vm.mmu.stats.unshadows_up,
	       vm.mmu.stats.unshadows_walk, vm.mmu.stats.emulated_writes);
	printf(" %llu reclaims, max %llu pages, %llu L3 mass unpins,",
	       vm.mmu.stats.reclaims, vm.mmu.stats.pages_max,
	       vm.mmu.stats.l3_mass_unpins);
	printf(" %llu prefetched\n", vm.mmu.stats.prefetched);
	model_vm_destroy(&vm);
	return bad;
}

/*
 * The fixed runs of "make check": every seed with its own pool size and
 * vCPU count. One vCPU crosses the L3-toplevel threshold (4 address
 * spaces > 2 x 1) halfway; two never do, so pinned L3s meet reclaim,
 * unshadow and flushes for the whole run. Seeds 7 and 8 run with the
 * smallest legal pool (shadow_min_pool_pages()) and reclaim constantly.
 */
static const struct {
	u64 seed;
	unsigned long pool;
	unsigned int vcpus;
} fixed_runs[] = {
	{ 1, 256, 1 }, { 2, 256, 2 }, { 3, 64, 1 }, { 42, 64, 2 },
	{ 7, 5, 1 }, { 8, 6, 2 }, { 9, 12, 2 }, { 10, 24, 1 },
};

#define FIXED_STEPS	130000

int random_tests(int argc, char **argv, int first)
{
	unsigned long steps = argc > 2 ? strtoul(argv[2], NULL, 0) :
				FIXED_STEPS;
	unsigned long total = 0;
	int failed = 0, n = first;
	unsigned int i;

	if (argc > 1) {
		u64 seed = strtoull(argv[1], NULL, 0);
		unsigned long pool = argc > 3 ? strtoul(argv[3], NULL, 0) : 256;
		unsigned int vcpus = argc > 4 ? strtoul(argv[4], NULL, 0) : 1;

		failed = run_seed(seed, steps, pool, vcpus) != 0;
		printf("%sok %d - random seed %llu, pool %lu, %u vCPUs\n",
		       failed ? "not " : "", n++, (unsigned long long)seed,
		       pool, vcpus);
		total = steps;
	} else {
		for (i = 0; i < ARRAY_SIZE(fixed_runs); i++) {
			int bad = run_seed(fixed_runs[i].seed, steps,
					   fixed_runs[i].pool,
					   fixed_runs[i].vcpus) != 0;

			printf("%sok %d - random seed %llu, pool %lu, %u vCPUs\n",
			       bad ? "not " : "", n++,
			       (unsigned long long)fixed_runs[i].seed,
			       fixed_runs[i].pool, fixed_runs[i].vcpus);
			failed += bad;
			total += steps;
		}
	}
	printf("# %lu random operations\n", total);
	printf("1..%d\n", n - 1);
	return failed;
}
