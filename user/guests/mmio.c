// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO accesses of every MOV size above RAM at MMIO_BASE (0xc0000000).
 *
 * Writes: 1 byte 0x5a at +0x00, 2 bytes 0xbeef at +0x10, 4 bytes
 * 0xdeadbeef at +0x20, 8 bytes 0x0123456789abcdef at +0x30.
 * Reads: 1, 2, 4, 8 bytes at +0x40, +0x50, +0x60, +0x70; after each read
 * the value (zero-extended) is written back with an 8-byte MOV to +0x100,
 * so a host can see what landed in the register. Then the values are
 * printed as "readN 0x..." and the guest stops with HLT.
 */
#include "rt.h"

static u64 mmio_read(unsigned int size, u64 addr)
{
	u64 v = 0;

	/* Byte and word loads keep the upper bits: v starts as 0. */
	switch (size) {
	case 1:
		asm volatile("movb (%1), %b0" : "+q"(v) : "r"(addr) : "memory");
		break;
	case 2:
		asm volatile("movw (%1), %w0" : "+r"(v) : "r"(addr) : "memory");
		break;
	case 4:
		asm volatile("movl (%1), %k0" : "+r"(v) : "r"(addr) : "memory");
		break;
	default:
		asm volatile("movq (%1), %0" : "+r"(v) : "r"(addr) : "memory");
		break;
	}
	return v;
}

static void mmio_write(unsigned int size, u64 addr, u64 v)
{
	switch (size) {
	case 1:
		asm volatile("movb %b0, (%1)" : : "q"(v), "r"(addr) : "memory");
		break;
	case 2:
		asm volatile("movw %w0, (%1)" : : "r"(v), "r"(addr) : "memory");
		break;
	case 4:
		asm volatile("movl %k0, (%1)" : : "r"(v), "r"(addr) : "memory");
		break;
	default:
		asm volatile("movq %0, (%1)" : : "r"(v), "r"(addr) : "memory");
		break;
	}
}

int main(void)
{
	static const unsigned int sizes[4] = { 1, 2, 4, 8 };
	u64 got[4];
	int i;

	mmio_write(1, MMIO_BASE + 0x00, 0x5a);
	mmio_write(2, MMIO_BASE + 0x10, 0xbeef);
	mmio_write(4, MMIO_BASE + 0x20, 0xdeadbeef);
	mmio_write(8, MMIO_BASE + 0x30, 0x0123456789abcdefUL);
	for (i = 0; i < 4; i++) {
		got[i] = mmio_read(sizes[i], MMIO_BASE + 0x40 + 0x10 * i);
		mmio_write(8, MMIO_BASE + 0x100, got[i]);
	}
	for (i = 0; i < 4; i++) {
		puts("read");
		put_dec(sizes[i]);
		putc(' ');
		put_hex(got[i]);
		putc('\n');
	}
	for (i = 0; i < 3; i++)
		check(!(got[i] >> (8 * sizes[i])), 1 + i,
		      "MMIO read does not touch register bits above its size");
	return 0;
}
