/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Freestanding runtime for 32-bit shadowvm test guests, entered by
 * shadowvm-run --mode=unpaged (32-bit protected mode, paging off): serial
 * output on the launcher's 16550, exit through HLT or the debug-exit port
 * (as the 64-bit runtime, guests/rt.h), a GDT with user segments and a
 * 32-bit TSS, a 32-bit IDT with exception stubs, and user_run() to run
 * code at CPL 3 and come back.
 *
 * The guests build their own page tables and switch paging modes
 * themselves; the runtime works in every mode as long as the image, its
 * stack and its data stay identity-mapped and supervisor.
 *
 * Compiled with -m32: no libgcc, so no 64-bit division anywhere.
 */
#ifndef SHADOWVM_GUEST_RT32_H
#define SHADOWVM_GUEST_RT32_H

#include "try.h"

#include "rtio.h"

/* Entry bits shared by 2-level (4-byte) and PAE/4-level (8-byte) entries. */
#define PTE_P		(1U << 0)
#define PTE_RW		(1U << 1)
#define PTE_US		(1U << 2)
#define PTE_A		(1U << 5)
#define PTE_D		(1U << 6)
#define PTE_PS		(1U << 7)
#define PTE_G		(1U << 8)
#define PTE_NX		(1ULL << 63)

#define PFEC_P		(1U << 0)
#define PFEC_W		(1U << 1)
#define PFEC_U		(1U << 2)
#define PFEC_RSVD	(1U << 3)
#define PFEC_I		(1U << 4)

#define VEC_UD		6
#define VEC_GP		13
#define VEC_PF		14
#define VEC_USER_RET	0x80	/* INT 0x80 from CPL 3 ends user_run() */

#define CR0_PE		(1U << 0)
#define CR0_WP		(1U << 16)
#define CR0_PG		(1U << 31)
#define CR4_PSE		(1U << 4)
#define CR4_PAE		(1U << 5)
#define CR4_PGE		(1U << 7)
#define CR4_SMEP	(1U << 20)
#define CR4_SMAP	(1U << 21)
#define MSR_EFER	0xc0000080U
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)
#define EFLAGS_AC	(1U << 18)

/* The runtime's GDT (rt32.c). */
#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_CODE32	0x18
#define SEL_TSS		0x20
#define SEL_UDATA	0x2b	/* slot 5, DPL 3 */
#define SEL_UCODE	0x33	/* slot 6, DPL 3 */

#define EXIT_UNEXPECTED_EXCEPTION	0x7f

/* Saved by the exception stubs (entry32.S), lowest address first. */
struct exc_frame {
	u32 es, ds;
	u32 edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
	u32 vector, error;
	u32 eip, cs, eflags;
	u32 user_esp, user_ss;	/* only when the exception came from CPL 3 */
};

/* Last exception seen, whoever handled it. */
struct exc_record {
	u32 count;
	u32 vector, error, cr2, eip, cs;
};

extern volatile struct exc_record last_exc;
extern u32 guest_mem_size;	/* EDI at entry */

/* Return nonzero if the frame was fixed and execution may resume. */
typedef int (*exc_handler_t)(struct exc_frame *f);

int main(void);
void set_exception_handler(unsigned int vector, exc_handler_t fn);
/* Load the runtime's 32-bit IDT again (after a guest used a 64-bit one). */
void rt_load_idt(void);

/*
 * Run code at CPL 3 from @eip with stack @esp, EDI and ESI as given, DS/ES
 * the user data segment. Returns 0 when it executes INT 0x80 (its EAX is
 * then in user_eax), 1 when an exception stopped it (in last_exc).
 */
int user_run(u32 eip, u32 esp, u32 edi, u32 esi);
extern volatile u32 user_eax;

/*
 * One access at CPL 0 (@op from try.h) with EFLAGS = @eflags: 0 if it
 * completed (value read in try_val), 1 if an exception stopped it (see
 * last_exc). TRY_CALL calls @addr; TRY_LOAD_CR3 moves @val to CR3.
 */
int try_access(u32 addr, u32 op, u32 val, u32 eflags);
extern volatile u32 try_val;

void put_hex(u64 v);	/* 8 digits, or 16 when the value needs them */
void put_dec(u32 v);
/* "PASS/FAIL: what: got G want W"; guest_exit(@code) unless equal. */
void check_eq(u64 got, u64 want, u32 code, const char *what);

#define DEFINE_CR(n) \
static inline u32 read_cr##n(void) \
{ \
	u32 v; \
	asm volatile("mov %%cr" #n ", %0" : "=r"(v)); \
	return v; \
} \
static inline void write_cr##n(u32 v) \
{ \
	asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

static inline void invlpg(u32 addr)
{
	asm volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

/* Plain 32-bit MOV loads and stores: what the hypervisor's decoder expects. */
static inline u32 read32(u32 addr)
{
	u32 v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void write32(u32 addr, u32 v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

static inline u64 read64(u32 addr)
{
	return read32(addr) | (u64)read32(addr + 4) << 32;
}

/*
 * An 8-byte entry in a live table, written as a 32-bit kernel does: clear
 * the low half (P) first, then the high half, then the low half, so the
 * walker never sees a present entry with a half-written other half.
 */
static inline void set_pte64(u32 addr, u64 v)
{
	if (read32(addr) & PTE_P)
		write32(addr, 0);
	write32(addr + 4, v >> 32);
	write32(addr, (u32)v);
}

/* TCG's hypervisor signature: QEMU differs from hardware in a few places. */
static inline int on_tcg(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1U << 31)))
		return 0;
	cpuid(0x40000000, 0, &a, &b, &c, &d);
	return b == 0x54474354 && c == 0x43544743 && d == 0x47435447;
}

#endif /* SHADOWVM_GUEST_RT32_H */
