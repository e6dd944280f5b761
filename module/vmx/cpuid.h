/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SHADOWVM_VMX_CPUID_H
#define SHADOWVM_VMX_CPUID_H

#include <linux/types.h>

/* The guest's CPUID: leaf in eax, subleaf in ecx; results in all four. */
void shvm_cpuid(u64 *eax, u64 *ebx, u64 *ecx, u64 *edx);

#endif /* SHADOWVM_VMX_CPUID_H */
