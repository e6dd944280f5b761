// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side check of the loader (lib/guest.c): walks the page tables it
 * builds, decodes its GDT and checks the entry state, without a module.
 * Prints TAP; exit status 1 on any failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/guest.h"

static int nr, failed;

static void ok(int cond, const char *what)
{
	nr++;
	if (!cond)
		failed++;
	printf("%sok %d %s\n", cond ? "" : "not ", nr, what);
}

static uint64_t desc(const struct guest_mem *m, unsigned int sel)
{
	uint64_t d;

	memcpy(&d, m->host + GUEST_GDT + sel, 8);
	return d;
}

static uint32_t desc_base(uint64_t d)
{
	return ((d >> 16) & 0xffffff) | ((d >> 56) << 24);
}

int main(void)
{
	static const uint64_t probes[] = {
		0, 0x1000, 0x100000, 0x1fffff, 0x200000, 0x3ffffff,
		0x4000000, 0x3fffffff, 0x40000000, 0xc0000000, 0xfffffff8,
	};
	struct guest_mem m;
	struct shadowvm_sregs s;
	struct shadowvm_regs r;
	uint64_t gpa, d, v;
	unsigned int i;
	int good;
	char path[] = "/tmp/pt-check-XXXXXX";
	int fd;

	printf("TAP version 13\n");
	ok(guest_mem_alloc(&m, 64 << 20) == 0, "allocate 64 MiB");
	memset(m.host, 0xcc, m.size);	/* tables must not rely on zero RAM */
	ok(guest_setup_long_mode(&m, GUEST_LOAD_DEFAULT, &s, &r) == 0,
	   "long-mode setup");

	good = 1;
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (guest_translate(&m, s.cr3, probes[i], &gpa) || gpa != probes[i]) {
			printf("# %#llx does not map to itself\n",
			       (unsigned long long)probes[i]);
			good = 0;
		}
	}
	ok(good, "0-4 GiB identity mapped (RAM and MMIO hole)");
	ok(guest_translate(&m, s.cr3, 1ULL << 32, &gpa) == -EFAULT,
	   "4 GiB and above not mapped");
	good = 1;
	for (i = 0; i < 4 * 512; i++) {
		memcpy(&v, m.host + GUEST_PD + i * 8ULL, 8);
		if (v != (((uint64_t)i << 21) | 0x83))
			good = 0;
	}
	ok(good, "PDEs are 2 MiB pages with only P|RW|PS set");
	memcpy(&v, m.host + GUEST_PML4 + 8, 8);
	ok(v == 0, "PML4 has a single entry");
	memcpy(&v, m.host + GUEST_PDPT, 8);
	ok(!(v & 0x80), "no 1 GiB pages");

	d = desc(&m, s.cs.selector);
	ok(s.cs.l == 1 && s.cs.db == 0 && ((d >> 53) & 1) && !((d >> 54) & 1) &&
	   ((d >> 47) & 1) && ((d >> 40) & 0xf) == s.cs.type && ((d >> 44) & 1),
	   "CS descriptor: present 64-bit code, matches the sregs");
	d = desc(&m, s.ds.selector);
	ok(((d >> 40) & 0xff) == 0x93 && s.ds.type == 3 && s.ss.selector == s.ds.selector,
	   "data descriptor: present read/write, matches the sregs");
	d = desc(&m, s.tr.selector);
	ok(((d >> 40) & 0xf) == 11 && !((d >> 44) & 1) && s.tr.type == 11 &&
	   desc_base(d) == s.tr.base && (d & 0xffff) == s.tr.limit,
	   "TSS descriptor: busy 64-bit TSS at tr.base");
	ok(s.gdt.base == GUEST_GDT && s.gdt.limit >= s.tr.selector + 15,
	   "GDT limit covers the 16-byte TSS descriptor");
	ok(s.cr0 == 0x80010033 && s.cr4 == 0x620 && s.efer == 0xd00 &&
	   s.cr3 == GUEST_PML4, "CR0/CR4/EFER/CR3 entry values");
	ok(!s.interrupt_bitmap[0] && s.ldt.unusable && !s.cs.padding,
	   "no pending interrupt, LDT unusable, padding zero");
	ok(r.rip == GUEST_LOAD_DEFAULT && r.rsp == GUEST_STACK_TOP &&
	   r.rflags == 2 && r.rdi == m.size, "entry registers");

	fd = mkstemp(path);
	ok(fd >= 0 && write(fd, "\x90\xf4", 2) == 2, "temporary image");
	close(fd);
	ok(guest_load_file(&m, path, GUEST_LOAD_DEFAULT) == 2 &&
	   m.host[GUEST_LOAD_DEFAULT] == 0x90, "image loaded at 0x100000");
	ok(guest_load_file(&m, path, m.size - 1) == -EFBIG, "image past RAM refused");
	ok(guest_load_file(&m, path, 0x1000) == -EINVAL, "image over the tables refused");
	unlink(path);
	ok(parse_size("64M", &v) == 0 && v == 64 << 20 &&
	   parse_size("0x1000", &v) == 0 && v == 0x1000 &&
	   parse_size("1G", &v) == 0 && v == 1 << 30 &&
	   parse_size("12q", &v) == -EINVAL, "size parser");

	/* Unpaged 32-bit entry: same descriptors, no paging state. */
	memset(m.host, 0xcc, m.size);
	ok(guest_setup_unpaged(&m, GUEST_LOAD_DEFAULT, &s, &r) == 0,
	   "unpaged setup");
	d = desc(&m, s.cs.selector);
	ok(s.cs.selector == GUEST_SEL_CODE32 && s.cs.l == 0 && s.cs.db == 1 &&
	   s.cs.g == 1 && s.cs.limit == 0xffffffff && s.cs.base == 0 &&
	   s.cs.type == 0xb && !((d >> 53) & 1) && ((d >> 54) & 1) &&
	   ((d >> 40) & 0xf) == s.cs.type && ((d >> 47) & 1),
	   "unpaged CS: flat 4 GiB 32-bit code, matches the descriptor");
	d = desc(&m, s.ds.selector);
	ok(((d >> 40) & 0xff) == 0x93 && s.ds.db == 1 && s.ds.limit == 0xffffffff &&
	   s.ss.selector == GUEST_SEL_DATA && s.es.selector == GUEST_SEL_DATA,
	   "unpaged data segments flat 4 GiB");
	d = desc(&m, s.tr.selector);
	/* VM entry outside IA-32e mode: TR type 3 or 11 (busy 16/32-bit). */
	ok(s.tr.type == 11 && ((d >> 40) & 0xf) == 11 && !s.tr.unusable &&
	   s.tr.present && desc_base(d) == s.tr.base && s.tr.limit >= 0x67,
	   "unpaged TR: busy 32-bit TSS (type 11)");
	ok(s.cr0 == 0x33 && s.cr4 == 0 && s.efer == 0 && s.cr3 == 0,
	   "unpaged CR0 = PE|MP|ET|NE, CR4/EFER/CR3 zero");
	ok(r.rip == GUEST_LOAD_DEFAULT && r.rsp == GUEST_STACK_TOP &&
	   r.rflags == 2 && r.rdi == m.size && r.rsi == GUEST_LOAD_DEFAULT,
	   "unpaged entry registers");
	memcpy(&v, m.host + GUEST_PML4, 8);
	ok(v == 0xccccccccccccccccULL, "unpaged: no page tables written");
	ok(guest_setup_unpaged(&m, 1ULL << 32, &s, &r) == -EINVAL,
	   "unpaged entry above 4 GiB refused");

	guest_mem_free(&m);
	ok(guest_mem_alloc(&m, 1 << 20) == 0 &&
	   guest_setup_long_mode(&m, GUEST_LOAD_DEFAULT, &s, &r) == -EINVAL,
	   "RAM below 2 MiB refused");
	printf("1..%d\n", nr);
	return failed ? 1 : 0;
}
