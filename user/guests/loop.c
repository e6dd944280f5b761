// SPDX-License-Identifier: GPL-2.0
/* Spins forever without exits, for the signal and kill tests. */
#include "rt.h"

int main(void)
{
	puts("looping\n");
	for (;;)
		asm volatile("" : : : "memory");
	return 0;
}
