// SPDX-License-Identifier: GPL-2.0
/* Spins forever without exits, for the signal and kill tests. */
#include "rt.h"

int main(void)
{
	puts("looping\n");
	/*
	 * RFLAGS.IF=1 changes nothing for the guest (shadowvm injects no
	 * interrupts) but matters under Bochs: it fails to turn host
	 * interrupts into VM exits while a guest runs with IF=0 and makes no
	 * exits, which would freeze the emulated host instead of letting the
	 * signal tests interrupt this loop. Hardware has no such problem.
	 */
	asm volatile("sti");
	for (;;)
		asm volatile("" : : : "memory");
	return 0;
}
