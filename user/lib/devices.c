// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's device model: see devices.h.
 */
#include <inttypes.h>
#include <string.h>

#include "devices.h"

#define UART_LCR_DLAB	0x80

void devices_init(struct devices *d, FILE *out, FILE *note)
{
	memset(d, 0, sizeof(*d));
	d->out = out;
	d->note = note;
	d->lcr = 0x03;		/* 8N1, what firmware leaves behind */
}

static uint8_t uart_read(struct devices *d, unsigned int reg)
{
	bool dlab = d->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		return dlab ? d->dll : 0;	/* RBR: no input */
	case 1:
		return dlab ? d->dlm : d->ier;
	case 2:
		return 0x01;			/* IIR: no interrupt pending */
	case 3:
		return d->lcr;
	case 4:
		return d->mcr;
	case 5:
		return 0x60;			/* LSR: THRE | TEMT */
	case 6:
		return 0xb0;			/* MSR: DCD | DSR | CTS */
	default:
		return d->scr;
	}
}

static void uart_write(struct devices *d, unsigned int reg, uint8_t val)
{
	bool dlab = d->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab) {
			d->dll = val;
		} else {
			fputc(val, d->out);
			/* Line-wise, so output survives a kill. */
			if (val == '\n')
				fflush(d->out);
		}
		break;
	case 1:
		if (dlab)
			d->dlm = val;
		else
			d->ier = val;
		break;
	case 3:
		d->lcr = val;
		break;
	case 4:
		d->mcr = val;
		break;
	case 7:
		d->scr = val;
		break;
	default:
		break;				/* FCR and read-only registers */
	}
}

void devices_pio(struct devices *d, uint16_t port, unsigned int size,
		 bool is_write, uint8_t *data)
{
	unsigned int i;

	if (port == DEV_DEBUG_EXIT_PORT && is_write) {
		uint32_t v = 0;

		memcpy(&v, data, size > 4 ? 4 : size);
		d->exit_requested = true;
		d->exit_status = ((v << 1) | 1) & 0xff;
		return;
	}
	/* Wider accesses touch consecutive byte registers. */
	if (port >= DEV_UART_BASE && port < DEV_UART_BASE + 8) {
		for (i = 0; i < size; i++) {
			unsigned int reg = port - DEV_UART_BASE + i;

			if (reg >= 8) {
				if (!is_write)
					data[i] = 0xff;
				continue;
			}
			if (is_write)
				uart_write(d, reg, data[i]);
			else
				data[i] = uart_read(d, reg);
		}
		return;
	}
	if (!d->port_noted && d->note) {
		fprintf(d->note, "shadowvm-run: note: guest %s unknown I/O port %#x (reads all ones, writes ignored)\n",
			is_write ? "writes" : "reads", port);
		d->port_noted = true;
	}
	if (!is_write)
		memset(data, 0xff, size);
}

void devices_mmio(struct devices *d, uint64_t addr, unsigned int len,
		  bool is_write, uint8_t *data)
{
	if (!d->mmio_noted && d->note) {
		fprintf(d->note, "shadowvm-run: note: guest %s MMIO at %#" PRIx64 " (no device: reads all ones, writes ignored)\n",
			is_write ? "writes" : "reads", addr);
		d->mmio_noted = true;
	}
	if (!is_write)
		memset(data, 0xff, len > 8 ? 8 : len);
}
