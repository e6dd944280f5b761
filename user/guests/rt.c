// SPDX-License-Identifier: GPL-2.0
/*
 * Guest runtime: serial output, exit, IDT and exception dispatch.
 */
#include "rt.h"


struct idt_gate {
	u16 offset0;
	u16 selector;
	u8 ist;
	u8 type;
	u16 offset1;
	u32 offset2;
	u32 reserved;
} __attribute__((packed));

extern const u64 exc_stubs[32];

static struct idt_gate idt[32] __attribute__((aligned(16)));
static exc_handler_t handlers[32];
volatile struct exc_record last_exc;

void put_hex(u64 v)
{
	int i;

	puts("0x");
	for (i = 60; i >= 0; i -= 4)
		putc("0123456789abcdef"[(v >> i) & 15]);
}

void put_dec(u64 v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	puts(buf + i);
}

void idt_setup(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (u64)idt };
	u16 cs;
	int i;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	for (i = 0; i < 32; i++) {
		idt[i].offset0 = exc_stubs[i] & 0xffff;
		idt[i].selector = cs;
		idt[i].ist = 0;
		idt[i].type = 0x8e;	/* present, DPL 0, interrupt gate */
		idt[i].offset1 = (exc_stubs[i] >> 16) & 0xffff;
		idt[i].offset2 = exc_stubs[i] >> 32;
		idt[i].reserved = 0;
	}
	asm volatile("lidt %0" : : "m"(idtr));
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
	last_exc.rip = f->rip;
	last_exc.count++;
	if (f->vector < 32 && handlers[f->vector] && handlers[f->vector](f))
		return;
	puts("FAIL: unexpected exception ");
	put_dec(f->vector);
	puts(" error ");
	put_hex(f->error);
	puts(" cr2 ");
	put_hex(last_exc.cr2);
	puts(" rip ");
	put_hex(f->rip);
	putc('\n');
	guest_exit(EXIT_UNEXPECTED_EXCEPTION);
}
