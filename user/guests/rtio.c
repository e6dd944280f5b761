// SPDX-License-Identifier: GPL-2.0
/*
 * Guest runtime shared by the 64-bit and the 32-bit guests (rtio.h).
 */
#include "rtio.h"

#define UART		0x3f8
#define UART_LSR	(UART + 5)
#define LSR_THRE	0x20
#define DEBUG_EXIT	0xf4

void *memset(void *d, int c, unsigned long n)
{
	u8 *p = d;

	while (n--)
		*p++ = c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	u8 *p = d;
	const u8 *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

void putc(char c)
{
	/* The launcher's LSR always says empty; a real 16550 may not. */
	while (!(inb(UART_LSR) & LSR_THRE))
		;
	outb(UART, c);
}

void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

void guest_exit(u32 code)
{
	if (code)
		outl(DEBUG_EXIT, code);
	for (;;)
		asm volatile("cli; hlt");
}

void check(int ok, u32 code, const char *what)
{
	puts(ok ? "PASS: " : "FAIL: ");
	puts(what);
	putc('\n');
	if (!ok)
		guest_exit(code);
}
