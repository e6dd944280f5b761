// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction counts of the pager's hot paths, for callgrind:
 *
 *   mmu-bench l1fault    16,384 not-present faults on guest PTEs whose L1
 *                        shadow already exists (the common L1 fault)
 *   mmu-bench cr3        10,000 CR3 loads round robin over 64 address
 *                        spaces whose roots are pinned (cached reloads)
 *   mmu-bench ptewrite   10,000 emulated 8-byte writes that remap a
 *                        present, accessed guest PTE (the write path after
 *                        the instruction was decoded)
 *
 * Each measured call goes through its own non-inlined wrapper
 * (bench_l1_fault, bench_cr3_reload, bench_pte_write); setup goes
 * through other functions. So
 *   valgrind --tool=callgrind --toggle-collect=bench_l1_fault mmu-bench l1fault
 * counts exactly the measured calls (callees included), and the count
 * divided by the "calls" line printed here is the cost of one call.
 * Every result is checked, so a broken pager cannot report a fast path
 * it did not take: exit status 1 and a FAIL line.
 *
 * Built -O2 without sanitizers from the unchanged core files (bench.mk).
 */
#include <stdlib.h>
#include "model.h"

int model_quiet;

#ifndef noinline
#define noinline __attribute__((noinline))
#endif

#define G_L4		1
#define G_L3		2
#define G_L2		3
#define G_L1		0x10		/* first L1 table */
#define G_DATA		0x1000		/* first data frame */
#define RAM_PAGES	0x6000
#define F_P		PTE_P
#define F_W		PTE_RW
#define F_A		PTE_A
#define BENCH_POOL	4096

static void fail(const char *what, u64 a, u64 b)
{
	printf("FAIL: %s (%#llx, %#llx)\n", what, a, b);
	exit(1);
}

static u64 *gtab(struct model_vm *vm, u64 gfn)
{
	return model_gfn_va(&vm->host, gfn);
}

static void vm_setup(struct model_vm *vm)
{
	if (model_vm_init(vm, BENCH_POOL))
		fail("model_vm_init", 0, 0);
	model_add_slot(&vm->host, 0, RAM_PAGES, false);
}

/* The shadow translation of @va must be guest frame @gfn, writable. */
static void expect_mapped(struct model_vm *vm, u64 va, u64 gfn)
{
	struct hw_result r;
	bool writable;
	u64 hfn;

	hw_walk(&vm->host, &vm->gp, vm->sv.root_hpa, va, PFEC_WRITE, false,
		&r);
	if (mmu_host_gfn_to_hfn(&vm->host, gfn, &hfn, &writable))
		fail("gfn outside RAM", gfn, 0);
	if (r.fault || r.hfn != hfn)
		fail("shadow translation", va, r.fault ? ~0ULL : r.hfn);
}

/* Faults taken to build the upper levels: not measured. */
static noinline void setup_access(struct model_vm *vm, u64 va)
{
	struct cpu_outcome o;
	u64 val = 1;

	cpu_access(vm, va, PFEC_WRITE, &val, &o);
	if (o.kind != CPU_OK)
		fail("setup access", va, o.kind);
}

noinline int bench_l1_fault(struct model_vm *vm, u64 va,
					     struct shadow_fault *f)
{
	return shadow_page_fault(&vm->mmu, &vm->sv, &vm->gp, va, PFEC_WRITE,
				 f);
}

noinline int bench_cr3_reload(struct model_vm *vm)
{
	return shadow_load_root(&vm->mmu, &vm->sv, &vm->gp);
}

noinline int bench_pte_write(struct model_vm *vm, u64 gpa,
					      u64 val)
{
	return shadow_write_guest(&vm->mmu, &vm->gp, gpa, &val, 8);
}

/* 16,384 pages in 32 L1 tables, present, writable, never accessed. */
static unsigned long run_l1fault(void)
{
	const unsigned int nr = 16384;
	struct shadow_fault f;
	struct model_vm vm;
	unsigned long calls = 0;
	unsigned int i;

	vm_setup(&vm);
	gtab(&vm, G_L4)[1] = (G_L3 << 12) | F_P | F_W;
	gtab(&vm, G_L3)[0] = (G_L2 << 12) | F_P | F_W;
	for (i = 0; i < nr / 512; i++)
		gtab(&vm, G_L2)[i] = ((G_L1 + i) << 12) | F_P | F_W;
	for (i = 0; i < nr; i++)
		gtab(&vm, G_L1 + i / 512)[i % 512] =
			((u64)(G_DATA + i) << 12) | F_P | F_W;
	model_long_mode(&vm.gp, G_L4 << 12);
	if (shadow_load_root(&vm.mmu, &vm.sv, &vm.gp))
		fail("shadow_load_root", 0, 0);
	/* The first page of each L1 builds the L1 shadow (not measured). */
	for (i = 0; i < nr; i += 512)
		setup_access(&vm, (1ULL << 39) + (u64)i * 4096);
	for (i = 0; i < nr; i++) {
		u64 va = (1ULL << 39) + (u64)i * 4096;

		if (!(i % 512))
			continue;
		if (bench_l1_fault(&vm, va, &f) || f.kind != SHADOW_FAULT_FIXED)
			fail("l1 fault not fixed", va, f.kind);
		calls++;
		expect_mapped(&vm, va, G_DATA + i);
	}
	if (vm.mmu.stats.prefetched)
		fail("prefetch on never-accessed entries", vm.mmu.stats.prefetched, 0);
	if (shadow_audit(&vm.mmu))
		fail("audit", 0, 0);
	model_vm_destroy(&vm);
	return calls;
}

/* 64 L4s sharing one L3 (slot 0), each with a private L3 at slot 1. */
static unsigned long run_cr3(void)
{
	const unsigned int spaces = 64, loads = 10000;
	struct model_vm vm;
	u64 hits0;
	unsigned int i;

	vm_setup(&vm);
	gtab(&vm, G_L3)[0] = (G_L2 << 12) | F_P | F_W;
	gtab(&vm, G_L2)[0] = (G_L1 << 12) | F_P | F_W;
	gtab(&vm, G_L1)[0] = ((u64)G_DATA << 12) | F_P | F_W;
	for (i = 0; i < spaces; i++) {
		u64 l4 = 0x100 + i, l3 = 0x200 + i, l2 = 0x300 + i;
		u64 l1 = 0x400 + i;

		gtab(&vm, l4)[0] = (G_L3 << 12) | F_P | F_W;
		gtab(&vm, l4)[1] = (l3 << 12) | F_P | F_W;
		gtab(&vm, l3)[0] = (l2 << 12) | F_P | F_W;
		gtab(&vm, l2)[0] = (l1 << 12) | F_P | F_W;
		gtab(&vm, l1)[0] = ((G_DATA + 1 + i) << 12) | F_P | F_W;
	}
	for (i = 0; i < spaces; i++) {
		model_long_mode(&vm.gp, (0x100ULL + i) << 12);
		if (shadow_load_root(&vm.mmu, &vm.sv, &vm.gp))
			fail("first load", i, 0);
		setup_access(&vm, 0);
		setup_access(&vm, 1ULL << 39);
	}
	hits0 = vm.mmu.stats.root_cache_hits;
	for (i = 0; i < loads; i++) {
		vm.gp.cr3 = (0x100ULL + i % spaces) << 12;
		if (bench_cr3_reload(&vm))
			fail("reload", i, 0);
	}
	if (vm.mmu.stats.root_cache_hits - hits0 != loads)
		fail("reloads that missed the pinned roots",
		     vm.mmu.stats.root_cache_hits - hits0, loads);
	expect_mapped(&vm, 1ULL << 39, G_DATA + 1 + (loads - 1) % spaces);
	if (shadow_audit(&vm.mmu))
		fail("audit", 0, 0);
	model_vm_destroy(&vm);
	return loads;
}

/* Remap present, accessed PTEs of two shadowed L1s, alternating. */
static unsigned long run_ptewrite(void)
{
	const unsigned int writes = 10000, window = 64;
	struct model_vm vm;
	u64 emulated0, unshadows0;
	unsigned int i, t;

	vm_setup(&vm);
	gtab(&vm, G_L4)[1] = (G_L3 << 12) | F_P | F_W;
	gtab(&vm, G_L3)[0] = (G_L2 << 12) | F_P | F_W;
	for (t = 0; t < 2; t++) {
		gtab(&vm, G_L2)[t] = ((G_L1 + t) << 12) | F_P | F_W;
		for (i = 0; i < window; i++)
			gtab(&vm, G_L1 + t)[i] =
				((u64)(G_DATA + i) << 12) | F_P | F_W | F_A;
	}
	model_long_mode(&vm.gp, G_L4 << 12);
	if (shadow_load_root(&vm.mmu, &vm.sv, &vm.gp))
		fail("shadow_load_root", 0, 0);
	for (t = 0; t < 2; t++)
		for (i = 0; i < window; i++)
			setup_access(&vm, (1ULL << 39) + t * 0x200000ULL +
				     i * 4096ULL);
	emulated0 = vm.mmu.stats.emulated_writes;
	unshadows0 = vm.mmu.stats.unshadows;
	for (i = 0; i < writes; i++) {
		unsigned int slot = (i / 2 * 37) % window;
		u64 gfn = G_DATA + 0x100 + (i % 0x200);
		u64 va = (1ULL << 39) + (i % 2) * 0x200000ULL + slot * 4096ULL;
		u64 gpa = ((u64)(G_L1 + i % 2) << 12) + slot * 8;

		if (bench_pte_write(&vm, gpa, (gfn << 12) | F_P | F_W | F_A | PTE_D))
			fail("write", gpa, i);
		expect_mapped(&vm, va, gfn);
	}
	if (vm.mmu.stats.emulated_writes - emulated0 != writes ||
	    vm.mmu.stats.unshadows != unshadows0)
		fail("writes revalidated in place",
		     vm.mmu.stats.emulated_writes - emulated0,
		     vm.mmu.stats.unshadows - unshadows0);
	if (shadow_audit(&vm.mmu))
		fail("audit", 0, 0);
	model_vm_destroy(&vm);
	return writes;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name, *function;
		unsigned long (*run)(void);
	} cases[] = {
		{ "l1fault", "bench_l1_fault", run_l1fault },
		{ "cr3", "bench_cr3_reload", run_cr3 },
		{ "ptewrite", "bench_pte_write", run_ptewrite },
	};
	unsigned int i;

	for (i = 0; argc == 2 && i < ARRAY_SIZE(cases); i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		printf("case %s function %s calls %lu\n", cases[i].name,
		       cases[i].function, cases[i].run());
		return 0;
	}
	fprintf(stderr, "usage: mmu-bench l1fault|cr3|ptewrite\n"
		"  (run under valgrind --tool=callgrind --toggle-collect=FUNCTION)\n");
	return 2;
}
