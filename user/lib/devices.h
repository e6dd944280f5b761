/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The launcher's device model: a 16550 UART at 0x3f8, a QEMU-style debug
 * exit port at 0xf4, all other ports and MMIO "nothing there".
 *
 * It sees accesses as (port/address, size, data) and knows nothing about
 * run pages, so any backend can feed it.
 *
 *   0x3f8-0x3ff  16550: THR writes go to the output stream; LSR (0x3fd)
 *                reads 0x60 (transmitter empty, holding register empty);
 *                IER/LCR/MCR/SCR and the divisor latch keep what is
 *                written; RBR reads 0 (no input); IIR reads 0x01 (no
 *                interrupt); MSR reads 0xb0 (DCD, DSR, CTS).
 *   0xf4         debug exit: a write of V ends the run with exit status
 *                (V << 1) | 1 (only the low 8 bits reach the parent).
 *   other ports  reads return all ones, writes are ignored.
 *   MMIO         reads return all ones, writes are ignored; the first
 *                access is noted on the note stream.
 */
#ifndef SHADOWVM_USER_DEVICES_H
#define SHADOWVM_USER_DEVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define DEV_UART_BASE		0x3f8
#define DEV_DEBUG_EXIT_PORT	0xf4

struct devices {
	FILE *out;		/* guest serial output */
	FILE *note;		/* launcher notes (first MMIO use, ...) */
	/* UART registers that keep their value */
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool mmio_noted;
	bool port_noted;
	/* set by a debug-exit write */
	bool exit_requested;
	int exit_status;
};

void devices_init(struct devices *d, FILE *out, FILE *note);
/*
 * One port access of @size bytes (1, 2 or 4). For @is_write, @data holds
 * the value; otherwise the device fills it.
 */
void devices_pio(struct devices *d, uint16_t port, unsigned int size,
		 bool is_write, uint8_t *data);
/* One MMIO access of @len bytes (1..8) at guest-physical @addr. */
void devices_mmio(struct devices *d, uint64_t addr, unsigned int len,
		  bool is_write, uint8_t *data);

#endif /* SHADOWVM_USER_DEVICES_H */
