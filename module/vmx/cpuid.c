// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID a guest sees: the host's, filtered down to what shadowvm
 * virtualises. Anything not listed here reads as zero.
 *
 * Hidden on purpose: VMX/SMX (no nesting), x2APIC/APIC/TSC-deadline (no
 * local APIC model yet), XSAVE/AVX (guest FPU state is switched with
 * FXSAVE only), PCID/INVPCID (the shadow pager tags nothing by PCID),
 * 1 GiB pages (shadowing them is issue 3), RDTSCP and FSGSBASE (not
 * enabled in the VMCS), MONITOR/MWAIT, performance counters.
 */
#include <linux/kernel.h>
#include <asm/processor.h>
#include <asm/cpufeatures.h>

#include "cpuid.h"
#include "../mmu/shadow.h"

#define LEAF1_ECX (BIT(0) /* SSE3 */ | BIT(1) /* PCLMULQDQ */ | \
		   BIT(9) /* SSSE3 */ | BIT(13) /* CX16 */ | \
		   BIT(19) /* SSE4.1 */ | BIT(20) /* SSE4.2 */ | \
		   BIT(22) /* MOVBE */ | BIT(23) /* POPCNT */ | \
		   BIT(25) /* AES */ | BIT(30) /* RDRAND */)
#define LEAF1_EDX (BIT(0) /* FPU */ | BIT(1) /* VME */ | BIT(2) /* DE */ | \
		   BIT(3) /* PSE */ | BIT(4) /* TSC */ | BIT(5) /* MSR */ | \
		   BIT(6) /* PAE */ | BIT(8) /* CX8 */ | BIT(11) /* SEP */ | \
		   BIT(13) /* PGE */ | BIT(15) /* CMOV */ | BIT(16) /* PAT */ | \
		   BIT(19) /* CLFSH */ | BIT(23) /* MMX */ | \
		   BIT(24) /* FXSR */ | BIT(25) /* SSE */ | BIT(26) /* SSE2 */)
#define LEAF7_EBX (BIT(3) /* BMI1 */ | BIT(7) /* SMEP */ | \
		   BIT(8) /* BMI2 */ | BIT(9) /* ERMS */ | BIT(20) /* SMAP */)
#define EXT1_ECX  (BIT(0) /* LAHF in 64-bit mode */ | BIT(5) /* LZCNT */)
#define EXT1_EDX  (BIT(11) /* SYSCALL */ | BIT(20) /* NX */ | \
		   BIT(29) /* long mode */)

#define HYPERVISOR_BIT BIT(31)	/* leaf 1 ECX: running under a hypervisor */

void shvm_cpuid(u64 *eax, u64 *ebx, u64 *ecx, u64 *edx)
{
	u32 leaf = *eax, subleaf = *ecx;
	u32 a = 0, b = 0, c = 0, d = 0;

	switch (leaf) {
	case 0:
		cpuid_count(0, 0, &a, &b, &c, &d);
		a = min(a, 7u);
		break;
	case 1:
		cpuid_count(1, 0, &a, &b, &c, &d);
		/* One logical processor, no APIC ID. */
		b &= 0xffff;
		c = (c & LEAF1_ECX) | HYPERVISOR_BIT;
		d &= LEAF1_EDX;
		break;
	case 7:
		if (subleaf == 0) {
			cpuid_count(7, 0, &a, &b, &c, &d);
			a = 0;
			b &= LEAF7_EBX;
			c = 0;
			d = 0;
		}
		break;
	case 0x40000000:
		/* "ShadowVMShdw": lets a guest know who runs it. */
		a = 0x40000000;
		b = 0x64616853;
		c = 0x4d56776f;
		d = 0x77646853;
		break;
	case 0x80000000:
		cpuid_count(0x80000000, 0, &a, &b, &c, &d);
		a = min(a, 0x80000008u);
		b = 0;
		c = 0;
		d = 0;
		break;
	case 0x80000001:
		cpuid_count(leaf, 0, &a, &b, &c, &d);
		b = 0;
		c &= EXT1_ECX;
		d &= EXT1_EDX;
		break;
	case 0x80000002 ... 0x80000004:
		cpuid_count(leaf, 0, &a, &b, &c, &d);
		break;
	case 0x80000008:
		cpuid_count(leaf, 0, &a, &b, &c, &d);
		/* The pager checks guest reserved bits against this width. */
		a = (a & 0xff00) | SHADOW_GUEST_MAXPHYADDR;
		b = 0;
		c = 0;
		d = 0;
		break;
	}
	*eax = a;
	*ebx = b;
	*ecx = c;
	*edx = d;
}
