// SPDX-License-Identifier: GPL-2.0
/*
 * Address spaces sharing L3 tables like Linux: one PML4 per "process";
 * the kernel half (slot 256) of every PML4 points at one shared L3, which
 * each process also maps at a second, process-specific slot (257 + pid %
 * 4) so the same L3 sits at different PML4 indices in different tables; a
 * "library" L3 is shared by every process in slot 2; slot 1 is private.
 * Up to 8 processes (more than 2 per vCPU) are switched round robin; the
 * guest touches memory in each, changes shared L1 and L3 entries while
 * switching, and replaces processes (new PML4s, old tables freed and
 * reused) so the number of live L4s crosses 2 x vCPUs both ways.
 *
 * Exit values: 1 RAM, 2 private data, 3 shared kernel data, 4 alias slot,
 * 5 library, 6 shared L1 change, 7 shared L3 change, 8 after churn.
 */
#include "pt.h"

#define MAX_PROC	8
#define KVA		0xffff800000000000UL	/* PML4 slot 256 */
#define KALIAS(pid)	(0xffff808000000000UL + ((u64)((pid) % 4) << 39))
#define LIBVA		0x10000000000UL		/* slot 2 */
#define UVA		0x8000000000UL		/* slot 1, private */
#define NR_KPAGES	8

struct proc {
	u64 pml4, l3, l2, l1;	/* private tables for slot 1 */
	u64 data;		/* private frame at UVA */
	u64 gen;		/* incarnation, part of the markers */
	u64 last;		/* last value written at UVA + 8 */
};

static struct proc procs[MAX_PROC];
static u64 k3, k2, k2b, k1, k1b, lib3, libframe;
static u64 kframe[NR_KPAGES], kframe_b[NR_KPAGES];
static u64 loads;

static u64 marker(u64 a, u64 b)
{
	return 0x13500000000000UL | a << 16 | b;
}

static void proc_create(unsigned int pid)
{
	struct proc *p = &procs[pid];
	u64 *e;

	p->gen++;
	p->pml4 = pml4_alloc();
	p->l3 = table_alloc();
	p->l2 = table_alloc();
	p->l1 = table_alloc();
	p->data = frame_alloc();
	write64(p->data, marker(pid, p->gen));
	p->last = 0;
	write64(p->data + 8, 0);
	write64(p->l1, p->data | PT_USER);
	write64(p->l2, p->l1 | PT_USER);
	write64(p->l3, p->l2 | PT_USER);
	e = (u64 *)p->pml4;
	set_pte(&e[1], p->l3 | PT_USER);
	set_pte(&e[2], lib3 | PT_USER);
	set_pte(&e[256], k3 | PT_KERNEL);
	set_pte(&e[257 + pid % 4], k3 | PT_KERNEL);
}

/* Exit: tables and data go back to the allocator, scribbled over first. */
static void proc_destroy(unsigned int pid)
{
	struct proc *p = &procs[pid];
	u64 f[5] = { p->pml4, p->l3, p->l2, p->l1, p->data };
	unsigned int i, j;

	for (i = 0; i < 5; i++) {
		for (j = 0; j < 512; j++)
			write64(f[i] + j * 8, 0xdead000000000000UL | j);
		frame_free(f[i]);
	}
	p->pml4 = 0;
}

static void build_shared(void)
{
	unsigned int i;

	k3 = table_alloc();
	k2 = table_alloc();
	k2b = table_alloc();
	k1 = table_alloc();
	k1b = table_alloc();
	for (i = 0; i < NR_KPAGES; i++) {
		kframe[i] = frame_alloc();
		kframe_b[i] = frame_alloc();
		write64(kframe[i], marker(0x100 + i, 0));
		write64(kframe_b[i], marker(0x200 + i, 0));
		write64(kframe[i] + 8, 0);
		write64(k1 + i * 8, kframe[i] | PT_KERNEL);
		write64(k1b + i * 8, kframe_b[i] | PT_KERNEL);
	}
	write64(k2, k1 | PT_KERNEL);
	write64(k2b, k1b | PT_KERNEL);
	write64(k3, k2 | PT_KERNEL);
	write64(k3 + 8, k2 | PT_KERNEL);	/* KVA + 1 GiB: toggled later */
	lib3 = table_alloc();
	libframe = frame_alloc();
	write64(libframe, marker(0x300, 0));
	{
		u64 l2 = table_alloc(), l1 = table_alloc();

		write64(l1, libframe | PTE_P | PTE_US);	/* read-only */
		write64(l2, l1 | PT_USER);
		write64(lib3, l2 | PT_USER);
	}
}

/* Switch to @pid and check and touch its memory. */
static void visit(unsigned int pid, u64 round)
{
	struct proc *p = &procs[pid];
	u64 v, k;

	write_cr3(p->pml4);
	loads++;
	v = read64(UVA);
	if (v != marker(pid, p->gen) || read64(UVA + 8) != p->last) {
		fail_at("private page", UVA, v, marker(pid, p->gen));
		fail_at("private value", UVA + 8, read64(UVA + 8), p->last);
		check(0, 2, "private memory of each process");
	}
	p->last = marker(pid, round);
	write64(UVA + 8, p->last);
	/* One counter in shared kernel memory, seen through both slots. */
	k = read64(KVA + 8);
	write64(KVA + 8, k + 1);
	v = read64(KALIAS(pid) + 8);
	if (v != k + 1) {
		fail_at("kernel alias", KALIAS(pid) + 8, v, k + 1);
		check(0, 4, "shared L3 at a second PML4 slot");
	}
	if (read64(LIBVA) != marker(0x300, 0)) {
		fail_at("library", LIBVA, read64(LIBVA), marker(0x300, 0));
		check(0, 5, "shared library L3");
	}
}

int main(void)
{
	unsigned int i, r, n;
	u64 total = 0, v;
	int ok;

	check(guest_mem_size >= 12UL << 20, 1, "at least 12 MiB of RAM");
	idt_setup();
	build_shared();
	for (i = 0; i < MAX_PROC; i++)
		proc_create(i);

	/* Two processes (at the threshold), then all eight (beyond it). */
	for (r = 0; r < 100; r++)
		for (i = 0; i < 2; i++, total++)
			visit(i, r);
	for (r = 0; r < 100; r++)
		for (i = 0; i < MAX_PROC; i++, total++)
			visit(i, 100 + r);
	check(read64(kframe[0] + 8) == total, 3,
	      "kernel counter through the shared L3 counts every visit");

	/* A shared L1 entry changed in one space is seen by all others. */
	ok = 1;
	for (r = 0; r < 64 && ok; r++) {
		unsigned int k = r % NR_KPAGES, pid = r % MAX_PROC;
		u64 f = r & 8 ? kframe_b[k] : kframe[k];
		u64 want = marker((r & 8 ? 0x200 : 0x100) + k, 0);

		write_cr3(procs[pid].pml4);
		set_pte((u64 *)k1 + k, f | PT_KERNEL);
		invlpg(KVA + k * 0x1000UL);
		write_cr3(procs[(pid + 3) % MAX_PROC].pml4);
		v = read64(KVA + k * 0x1000UL);
		ok = v == want && read64(KALIAS(pid + 3) + k * 0x1000UL) == want;
		if (!ok)
			fail_at("shared L1 change", KVA + k * 0x1000UL, v, want);
	}
	check(ok, 6, "shared L1 entry changes are seen in every space");

	/* A shared L3 entry toggled between two L2s. */
	for (r = 0; r < 64 && ok; r++) {
		unsigned int pid = r % MAX_PROC;
		u64 l2 = r & 1 ? k2b : k2;
		u64 va = KVA + (1UL << 30) + 0x1000UL * (r % NR_KPAGES);
		u64 want, f;

		write_cr3(procs[pid].pml4);
		set_pte((u64 *)k3 + 1, l2 | PT_KERNEL);
		write_cr3(procs[(pid + 5) % MAX_PROC].pml4);
		f = read64((r & 1 ? k1b : k1) + 8 * (r % NR_KPAGES)) & PTE_ADDR;
		want = read64(f);
		v = read64(va);
		ok = v == want;
		if (!ok)
			fail_at("shared L3 change", va, v, want);
	}
	check(ok, 7, "shared L3 entry changes are seen in every space");

	/* Churn: processes exit and new ones (new PML4s) replace them. */
	for (n = 0; n < 40; n++) {
		unsigned int victim = (n * 3) % MAX_PROC;

		write_cr3(LAUNCHER_PML4);
		proc_destroy(victim);
		proc_create(victim);
		for (i = 0; i < MAX_PROC; i++)
			visit((victim + i) % MAX_PROC, 300 + n);
	}
	/* Back to two processes for a while, then everyone once more. */
	for (r = 0; r < 50; r++)
		for (i = 0; i < 2; i++)
			visit(i, 400 + r);
	for (i = 0; i < MAX_PROC; i++)
		visit(i, 500);
	check(1, 8, "processes replaced 40 times, every space still right");

	write_cr3(LAUNCHER_PML4);
	puts("l3share: ");
	put_dec(loads);
	puts(" CR3 loads among 8 PML4s sharing L3s; all checks passed\n");
	return 0;
}
