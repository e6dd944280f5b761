// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark "linuxl3": 16 processes (more than 2 x vCPUs L4s) whose
 * PML4s share the kernel's L3, as Linux does, switched round robin and
 * touching memory in each; every fourth round one process exits and a
 * new one (new PML4 and user tables, recycled frames) takes its place.
 *
 * Each PML4: slot 0 the launcher's identity map, slot 256 the shared
 * kernel L3 (KERNEL_PAGES pages of kernel data), slot 1 the process's own
 * L3/L2/L1 with USER_PAGES pages. A visit loads the process's CR3, checks
 * and rewrites every user page (the previous visit's value must still be
 * there), reads a few kernel pages and bumps a counter in kernel memory.
 *
 * Exit values: 1 RAM, 2 user memory, 3 kernel memory, 4 kernel counter.
 * RAM: at least 20 MiB (-m 32M); make bench gives it 128 MiB (see
 * scripts/bench/workloads: KVM sizes its shadow page cache from RAM).
 */
#include "bench.h"

#define NR_PROC		16
#define USER_PAGES	32
#define KERNEL_PAGES	64
#define ROUNDS		256
#define KVA		0xffff800000000000UL	/* PML4 slot 256 */
#define NR_DATA		1024

struct proc {
	u64 pml4, l3, l2, l1;
	u64 page[USER_PAGES];
	u64 id;		/* changes when the slot gets a new process */
	u64 last;	/* round of the last visit, 0 = none yet */
};

static struct proc procs[NR_PROC];
static u64 k3, kpage[KERNEL_PAGES];
static u8 data_used[NR_DATA];
static unsigned int data_next;
static u64 next_id = 1, visits;

static u64 data_alloc(void)
{
	unsigned int i;

	for (i = 0; i < NR_DATA; i++) {
		unsigned int k = (data_next + i) % NR_DATA;

		if (!data_used[k]) {
			data_used[k] = 1;
			data_next = k + 1;
			return DATA_BASE + (u64)k * 4096;
		}
	}
	check(0, 1, "linuxl3: data frames left");
	return 0;
}

static void proc_create(struct proc *p)
{
	unsigned int i;

	p->id = next_id++;
	p->last = 0;
	p->pml4 = pml4_alloc();
	set_pte(pt_entry(p->pml4, KVA, 4), k3 | PT_KERNEL);
	for (i = 0; i < USER_PAGES; i++) {
		p->page[i] = data_alloc();
		map_page(p->pml4, UVA + i * 4096UL, p->page[i], PT_KERNEL);
	}
	p->l3 = read64(p->pml4 + 8) & PTE_ADDR;
	p->l2 = read64(p->l3) & PTE_ADDR;
	p->l1 = read64(p->l2) & PTE_ADDR;
}

/* Runs on another process's CR3; the tables go back to the pool. */
static void proc_exit(struct proc *p)
{
	unsigned int i;

	for (i = 0; i < USER_PAGES; i++) {
		set_pte((u64 *)p->l1 + i, 0);
		data_used[(p->page[i] - DATA_BASE) >> 12] = 0;
	}
	frame_free(p->l1);
	frame_free(p->l2);
	frame_free(p->l3);
	frame_free(p->pml4);
}

static u64 uval(struct proc *p, u64 round, unsigned int i)
{
	return bench_marker(p->id << 12 | i, round);
}

static void visit(struct proc *p, u64 round)
{
	unsigned int i;
	u64 va, v, k;

	write_cr3(p->pml4);
	for (i = 0; i < USER_PAGES; i++) {
		va = UVA + i * 4096UL + (i % 64) * 64;
		if (p->last) {
			v = read64(va);
			if (v != uval(p, p->last, i)) {
				fail_at("user page", va, v,
					uval(p, p->last, i));
				check(0, 2, "linuxl3: user memory survives switches");
			}
		}
		write64(va, uval(p, round, i));
	}
	p->last = round;
	for (i = round % 4; i < KERNEL_PAGES; i += 8) {
		v = read64(KVA + i * 4096UL + 8);
		if (v != bench_marker(0x77, i)) {
			fail_at("kernel page", KVA + i * 4096UL + 8, v,
				bench_marker(0x77, i));
			check(0, 3, "linuxl3: the shared kernel L3 maps kernel data");
		}
	}
	k = read64(KVA);
	write64(KVA, k + 1);
	visits++;
}

int main(void)
{
	u64 t0, t1, k2, k1;
	unsigned int i, r;

	bench_need_ram(DATA_BASE + NR_DATA * 4096UL, "-m 32M");
	idt_setup();
	k3 = table_alloc();
	k2 = table_alloc();
	k1 = table_alloc();
	for (i = 0; i < KERNEL_PAGES; i++) {
		kpage[i] = frame_alloc();
		write64(kpage[i], 0);
		write64(kpage[i] + 8, bench_marker(0x77, i));
		write64(k1 + i * 8, kpage[i] | PT_KERNEL);
	}
	write64(k2, k1 | PT_KERNEL);
	write64(k3, k2 | PT_KERNEL);
	for (i = 0; i < NR_PROC; i++)
		proc_create(&procs[i]);

	t0 = read_tsc();
	for (r = 1; r <= ROUNDS; r++) {
		for (i = 0; i < NR_PROC; i++)
			visit(&procs[i], r);
		if (!(r % 4)) {
			struct proc *p = &procs[(r / 4) % NR_PROC];

			/* Exit on some other CR3, as the parent reaps it. */
			write_cr3(procs[((r / 4) + 1) % NR_PROC].pml4);
			proc_exit(p);
			proc_create(p);
		}
	}
	t1 = read_tsc();
	write_cr3(LAUNCHER_PML4);
	check(read64(kpage[0]) == visits, 4,
	      "linuxl3: the kernel counter saw every visit");
	check(1, 0,
	      "linuxl3: 4096 visits over 16 L4s sharing the kernel L3, 64 replacements");
	bench_report("linuxl3", t1 - t0);
	return 0;
}
