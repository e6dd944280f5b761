/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny freestanding runtime for shadowvm test guests: serial output on the
 * launcher's 16550, exit through HLT or the debug-exit port, exceptions
 * through an IDT of our own.
 *
 * Exit convention: main() returning 0 executes HLT (launcher status 0);
 * returning or passing V != 0 to guest_exit() writes V to port 0xf4
 * (launcher status (V << 1) | 1). Each check in a payload has its own V.
 */
#ifndef SHADOWVM_GUEST_RT_H
#define SHADOWVM_GUEST_RT_H

#include "rtio.h"

#define PTE_P		(1UL << 0)
#define PTE_RW		(1UL << 1)
#define PTE_US		(1UL << 2)
#define PTE_A		(1UL << 5)
#define PTE_D		(1UL << 6)
#define PTE_PS		(1UL << 7)
#define PTE_NX		(1UL << 63)
#define PTE_ADDR	0x000ffffffffff000UL

#define PFEC_P		(1UL << 0)
#define PFEC_W		(1UL << 1)
#define PFEC_U		(1UL << 2)
#define PFEC_RSVD	(1UL << 3)
#define PFEC_I		(1UL << 4)

#define VEC_PF		14

/* The launcher's layout (user/lib/guest.h). */
#define LAUNCHER_PML4	0x10000UL
#define LAUNCHER_PDPT	0x11000UL
#define LAUNCHER_PD	0x12000UL
#define MMIO_BASE	0xc0000000UL

/* Unexpected exception: this status V. */
#define EXIT_UNEXPECTED_EXCEPTION	0x7f

/* Saved by the exception stubs (entry.S), lowest address first. */
struct exc_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

/* Last exception seen, whoever handled it. */
struct exc_record {
	u64 count;
	u64 vector, error, cr2, rip;
};

extern volatile struct exc_record last_exc;
extern u64 guest_mem_size;	/* RDI at entry */
extern u64 guest_arg;		/* RDX at entry: shadowvm-run --guest-arg */

/* Return nonzero if the fault was fixed and the instruction may retry. */
typedef int (*exc_handler_t)(struct exc_frame *f);

int main(void);
void idt_setup(void);
void set_exception_handler(unsigned int vector, exc_handler_t fn);

void put_hex(u64 v);
void put_dec(u64 v);

static inline u64 read_cr0(void)
{
	u64 v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr2(void)
{
	u64 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr3(void)
{
	u64 v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr4(void)
{
	u64 v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(u64 v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void invlpg(u64 addr)
{
	asm volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

/* Plain MOV loads and stores: what the hypervisor's decoder expects. */
static inline u64 read64(u64 addr)
{
	u64 v;

	asm volatile("movq (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void write64(u64 addr, u64 v)
{
	asm volatile("movq %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

/*
 * Page-table entries in live tables are written with one plain MOV: the
 * hypervisor emulates writes to write-protected guest tables, and a MOV is
 * what every decoder handles.
 */
static inline void set_pte(u64 *entry, u64 v)
{
	write64((u64)entry, v);
}

#endif /* SHADOWVM_GUEST_RT_H */
