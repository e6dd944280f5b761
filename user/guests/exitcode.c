// SPDX-License-Identifier: GPL-2.0
/* Ends through the debug-exit port with V = 21: launcher exit status 43. */
#include "rt.h"

int main(void)
{
	puts("exiting with 21\n");
	return 21;
}
