/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the guest runtime that is the same for 64-bit guests
 * (rt.h) and 32-bit ones (guests32/rt32.h): types, port I/O, serial
 * output on the launcher's 16550, memset/memcpy, and the exit convention.
 * rtio.c is compiled once for each.
 */
#ifndef SHADOWVM_GUEST_RTIO_H
#define SHADOWVM_GUEST_RTIO_H

#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define NULL ((void *)0)

void putc(char c);
void puts(const char *s);
/* "PASS: what" or "FAIL: what" and guest_exit(code). */
void check(int ok, u32 code, const char *what);
/*
 * 0: HLT (launcher status 0); V != 0: V to the debug-exit port 0xf4
 * (launcher status (V << 1) | 1).
 */
void guest_exit(u32 code) __attribute__((noreturn));
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif /* SHADOWVM_GUEST_RTIO_H */
