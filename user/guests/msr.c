// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs, CPUID and control registers as the guest sees them: stored MSRs
 * read back, invalid values raise #GP, unknown MSRs raise #GP, the CPUID
 * signature and the hidden features, CR3 reads return the guest's value.
 */
#include "rt.h"

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_PAT			0x277
#define MSR_UNKNOWN		0x12345

#define VEC_GP			13

static volatile int gp_count;

/* Skip the faulting RDMSR/WRMSR (both 2 bytes). */
static int gp_handler(struct exc_frame *f)
{
	gp_count++;
	f->rip += 2;
	return 1;
}

static void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static u64 rdmsr(u32 msr)
{
	u32 lo = 0, hi = 0;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (u64)hi << 32;
}

static void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(0));
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

int main(void)
{
	u32 a, b, c, d;
	u64 cr3;
	char sig[13];

	idt_setup();
	set_exception_handler(VEC_GP, gp_handler);

	check((rdmsr(MSR_EFER) & 0xd00) == 0xd00, 1, "EFER reads LME|LMA|NXE");
	wrmsr(MSR_LSTAR, 0xffffffff81000000UL);
	check(rdmsr(MSR_LSTAR) == 0xffffffff81000000UL, 2, "LSTAR reads back");
	wrmsr(MSR_STAR, 0x0023001000000000UL);
	check(rdmsr(MSR_STAR) == 0x0023001000000000UL, 3, "STAR reads back");
	check(gp_count == 0, 4, "no #GP so far");
	wrmsr(MSR_KERNEL_GS_BASE, 0x0000800000000000UL);
	check(gp_count == 1, 5, "non-canonical KERNEL_GS_BASE raises #GP");
	wrmsr(MSR_PAT, 0x0000000000000002UL);
	check(gp_count == 2, 6, "PAT with a reserved memory type raises #GP");
	wrmsr(MSR_PAT, 0x0007040600070406UL);
	check(rdmsr(MSR_PAT) == 0x0007040600070406UL && gp_count == 2, 7,
	      "PAT reads back");
	rdmsr(MSR_UNKNOWN);
	check(gp_count == 3, 8, "unknown MSR raises #GP");

	cpuid(0x40000000, &a, &b, &c, &d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	check(same(sig, "ShadowVMShdw"), 9, "hypervisor signature ShadowVMShdw");
	cpuid(1, &a, &b, &c, &d);
	check(!(c & (1u << 5)) && (c & (1u << 31)), 10,
	      "CPUID hides VMX and sets the hypervisor bit");
	cpuid(0x80000001, &a, &b, &c, &d);
	check(!(d & (1u << 26)) && (d & (1u << 29)), 11,
	      "CPUID hides 1 GiB pages and reports long mode");
	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	check(cr3 == LAUNCHER_PML4, 12, "CR3 reads the guest's own value");
	puts("msr: all checks passed\n");
	return 0;
}
