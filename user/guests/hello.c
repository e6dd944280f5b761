// SPDX-License-Identifier: GPL-2.0
/* Prints one line and stops with HLT: launcher exit status 0. */
#include "rt.h"

int main(void)
{
	puts("Hello from shadowvm guest\n");
	return 0;
}
