// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit guest runtime: serial output, exit, GDT/TSS/IDT and exception
 * dispatch, in every 32-bit paging mode.
 */
#include "rt32.h"


struct idt_gate {
	u16 offset0;
	u16 selector;
	u8 zero;
	u8 type;
	u16 offset1;
} __attribute__((packed));

struct dtr {
	u16 limit;
	u32 base;
} __attribute__((packed));

extern const u32 exc_stubs[32];
extern const u8 user_ret[], user_fault_resume[];
extern volatile u32 user_active, try_armed;
extern const u8 try_fault[];

static struct idt_gate idt[VEC_USER_RET + 1] __attribute__((aligned(8)));
static u64 gdt[7] __attribute__((aligned(8)));
static u32 tss[26] __attribute__((aligned(16)));
/* Stack for exceptions and INT 0x80 from CPL 3 (TSS ESP0). */
static u8 ring0_stack[8192] __attribute__((aligned(16)));
static exc_handler_t handlers[32];
volatile struct exc_record last_exc;

void put_hex(u64 v)
{
	int i = v >> 32 ? 60 : 28;

	puts("0x");
	for (; i >= 0; i -= 4)
		putc("0123456789abcdef"[(v >> i) & 15]);
}

void put_dec(u32 v)
{
	char buf[11];
	int i = 10;

	buf[i] = 0;
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	puts(buf + i);
}

void check_eq(u64 got, u64 want, u32 code, const char *what)
{
	puts(got == want ? "PASS: " : "FAIL: ");
	puts(what);
	puts(": got ");
	put_hex(got);
	puts(" want ");
	put_hex(want);
	putc('\n');
	if (got != want)
		guest_exit(code);
}

static void set_gate(unsigned int vec, u32 addr, u8 type)
{
	idt[vec].offset0 = addr & 0xffff;
	idt[vec].selector = SEL_CODE32;
	idt[vec].zero = 0;
	idt[vec].type = type;
	idt[vec].offset1 = addr >> 16;
}

void rt_load_idt(void)
{
	struct dtr idtr = { sizeof(idt) - 1, (u32)idt };

	asm volatile("lidt %0" : : "m"(idtr));
}

/* Our own GDT (the launcher's has no user segments) and a 32-bit TSS. */
void rt_setup(void);
void rt_setup(void)
{
	struct dtr gdtr = { sizeof(gdt) - 1, (u32)gdt };
	u32 t = (u32)tss;
	unsigned int i;

	tss[1] = (u32)ring0_stack + sizeof(ring0_stack);	/* ESP0 */
	tss[2] = SEL_DATA;					/* SS0 */
	tss[25] = sizeof(tss) << 16;	/* I/O map base past the limit */
	gdt[1] = 0x00af9b000000ffffULL;	/* 0x08 64-bit code */
	gdt[2] = 0x00cf93000000ffffULL;	/* 0x10 data */
	gdt[3] = 0x00cf9b000000ffffULL;	/* 0x18 32-bit code */
	/* 0x20 32-bit TSS, available (LTR makes it busy: type 11) */
	gdt[4] = (sizeof(tss) - 1) | (u64)(t & 0xffffff) << 16 |
		 0x89ULL << 40 | (u64)(t >> 24) << 56;
	gdt[5] = 0x00cff3000000ffffULL;	/* 0x28 user data */
	gdt[6] = 0x00cffb000000ffffULL;	/* 0x30 user code 32 */
	asm volatile("lgdt %0\n\t"
		     "ljmp $0x18, $1f\n"
		     "1:\tmovw $0x10, %%ax\n\t"
		     "movw %%ax, %%ds\n\t"
		     "movw %%ax, %%es\n\t"
		     "movw %%ax, %%fs\n\t"
		     "movw %%ax, %%gs\n\t"
		     "movw %%ax, %%ss\n\t"
		     "movw $0x20, %%ax\n\t"
		     "ltr %%ax" : : "m"(gdtr) : "eax", "memory");

	for (i = 0; i < 32; i++)
		set_gate(i, exc_stubs[i], 0x8e);	/* int gate, DPL 0 */
	set_gate(VEC_USER_RET, (u32)user_ret, 0xee);	/* DPL 3 */
	rt_load_idt();
}

void set_exception_handler(unsigned int vector, exc_handler_t fn)
{
	if (vector < 32)
		handlers[vector] = fn;
}

void exception_dispatch(struct exc_frame *f);
void exception_dispatch(struct exc_frame *f)
{
	last_exc.vector = f->vector;
	last_exc.error = f->error;
	last_exc.cr2 = f->vector == VEC_PF ? read_cr2() : 0;
	last_exc.eip = f->eip;
	last_exc.cs = f->cs;
	last_exc.count++;
	/* An exception at CPL 3 ends user_run(), with 1. */
	if ((f->cs & 3) == 3 && user_active) {
		f->eip = (u32)user_fault_resume;
		f->cs = SEL_CODE32;
		f->eflags = 2;
		return;
	}
	/* An exception in try_access() ends it, with 1. */
	if ((f->cs & 3) == 0 && try_armed) {
		f->eip = (u32)try_fault;
		return;
	}
	if (f->vector < 32 && handlers[f->vector] && handlers[f->vector](f))
		return;
	puts("FAIL: unexpected exception ");
	put_dec(f->vector);
	puts(" error ");
	put_hex(f->error);
	puts(" cr2 ");
	put_hex(last_exc.cr2);
	puts(" eip ");
	put_hex(f->eip);
	puts(" cr0 ");
	put_hex(read_cr0());
	puts(" cr4 ");
	put_hex(read_cr4());
	putc('\n');
	guest_exit(EXIT_UNEXPECTED_EXCEPTION);
}
