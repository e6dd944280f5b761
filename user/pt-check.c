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

static uint64_t rd(const struct guest_mem *m, uint64_t gpa, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, m->host + gpa, size);
	return v;
}

/* Linear addresses probed in every paged mode: RAM, MMIO hole, 4 GiB edge. */
static const uint64_t probes[] = {
	0, 0x1000, 0x100000, 0x1fffff, 0x200000, 0x3ffffff,
	0x4000000, 0x3fffffff, 0x40000000, 0xc0000000, 0xfffffff8,
};

/* Walk every probe like the CPU would in @s's mode: each maps to itself. */
static int identity_mapped(const struct guest_mem *m,
			   const struct shadowvm_sregs *s)
{
	uint64_t gpa;
	unsigned int i;
	int good = 1, err;

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		err = guest_walk(m, s, probes[i], &gpa);
		if (err || gpa != probes[i]) {
			printf("# %#llx: walk %d, maps to %#llx\n",
			       (unsigned long long)probes[i], err,
			       (unsigned long long)gpa);
			good = 0;
		}
	}
	return good;
}

/* @n entries of @size bytes at @table equal to (i << @shift) + @first. */
static int table_is(const struct guest_mem *m, uint64_t table, unsigned int n,
		    unsigned int size, unsigned int shift, uint64_t first)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rd(m, table + (uint64_t)i * size, size) !=
		    ((uint64_t)i << shift) + first)
			return 0;
	return 1;
}

/* The 32-bit entry modes share the segment state: flat 32-bit, busy TSS. */
static void check_segments32(const struct guest_mem *m,
			     const struct shadowvm_sregs *s,
			     const struct shadowvm_regs *r, const char *mode)
{
	char what[128];
	uint64_t d;

	d = desc(m, s->cs.selector);
	snprintf(what, sizeof(what),
		 "%s CS: flat 4 GiB 32-bit code, matches the descriptor", mode);
	ok(s->cs.selector == GUEST_SEL_CODE32 && s->cs.l == 0 && s->cs.db == 1 &&
	   s->cs.g == 1 && s->cs.limit == 0xffffffff && s->cs.base == 0 &&
	   s->cs.type == 0xb && !((d >> 53) & 1) && ((d >> 54) & 1) &&
	   ((d >> 40) & 0xf) == s->cs.type && ((d >> 47) & 1), what);
	d = desc(m, s->ds.selector);
	snprintf(what, sizeof(what), "%s data segments flat 4 GiB", mode);
	ok(((d >> 40) & 0xff) == 0x93 && s->ds.db == 1 &&
	   s->ds.limit == 0xffffffff && s->ss.selector == GUEST_SEL_DATA &&
	   s->es.selector == GUEST_SEL_DATA, what);
	d = desc(m, s->tr.selector);
	/* VM entry outside IA-32e mode: TR type 3 or 11 (busy 16/32-bit). */
	snprintf(what, sizeof(what), "%s TR: busy 32-bit TSS (type 11)", mode);
	ok(s->tr.type == 11 && ((d >> 40) & 0xf) == 11 && !s->tr.unusable &&
	   s->tr.present && desc_base(d) == s->tr.base && s->tr.limit >= 0x67,
	   what);
	snprintf(what, sizeof(what), "%s entry registers", mode);
	ok(r->rip == GUEST_LOAD_DEFAULT && r->rsp == GUEST_STACK_TOP &&
	   r->rflags == 2 && r->rdi == m->size && r->rsi == GUEST_LOAD_DEFAULT,
	   what);
}

int main(void)
{
	struct guest_mem m;
	struct shadowvm_sregs s, bad;
	enum guest_mode mode;
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

	ok(identity_mapped(&m, &s), "0-4 GiB identity mapped (RAM and MMIO hole)");
	good = 1;
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (guest_translate(&m, s.cr3, probes[i], &gpa) || gpa != probes[i])
			good = 0;
	ok(good, "guest_translate() agrees");
	ok(guest_translate(&m, s.cr3, 1ULL << 32, &gpa) == -EFAULT,
	   "4 GiB and above not mapped");
	ok(table_is(&m, GUEST_PD, 4 * 512, 8, 21, 0x83),
	   "PDEs are 2 MiB pages with only P|RW|PS set");
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
	ok(parse_size_unit("256", 20, &v) == 0 && v == 256ULL << 20 &&
	   parse_size_unit("64k", 20, &v) == 0 && v == 64 << 10 &&
	   parse_size_unit("1G", 20, &v) == 0 && v == 1 << 30 &&
	   parse_size_unit("-1", 20, &v) == -EINVAL &&
	   parse_size_unit("0x100000000000", 20, &v) == -EINVAL,
	   "size parser, bare numbers in MiB");

	/* Unpaged 32-bit entry: same descriptors, no paging state. */
	memset(m.host, 0xcc, m.size);
	ok(guest_setup_unpaged(&m, GUEST_LOAD_DEFAULT, &s, &r) == 0,
	   "unpaged setup");
	check_segments32(&m, &s, &r, "unpaged");
	ok(s.cr0 == 0x33 && s.cr4 == 0 && s.efer == 0 && s.cr3 == 0,
	   "unpaged CR0 = PE|MP|ET|NE, CR4/EFER/CR3 zero");
	ok(rd(&m, GUEST_PML4, 8) == 0xccccccccccccccccULL,
	   "unpaged: no page tables written");
	ok(identity_mapped(&m, &s) &&
	   guest_walk(&m, &s, 1ULL << 32, &gpa) == -EFAULT,
	   "unpaged: linear = physical below 4 GiB only");
	ok(guest_setup_unpaged(&m, 1ULL << 32, &s, &r) == -EINVAL,
	   "unpaged entry above 4 GiB refused");

	/* 2-level paging with 4 MiB pages. */
	memset(m.host, 0xcc, m.size);
	ok(guest_setup_mode(&m, GUEST_MODE_32, GUEST_LOAD_DEFAULT, &s, &r) == 0,
	   "2-level setup");
	check_segments32(&m, &s, &r, "2-level");
	ok(s.cr0 == 0x80010033 && s.cr4 == 0x10 && s.efer == 0 &&
	   s.cr3 == GUEST_PD32, "2-level CR0 = PG|WP|NE|ET|MP|PE, CR4 = PSE, EFER 0, CR3");
	ok(identity_mapped(&m, &s), "2-level: 0-4 GiB identity mapped");
	ok(table_is(&m, GUEST_PD32, 1024, 4, 22, 0x83),
	   "2-level PDEs are 4 MiB pages with only P|RW|PS set");
	ok(rd(&m, GUEST_PDPT, 8) == 0xccccccccccccccccULL,
	   "2-level: only the page directory written");
	bad = s;
	bad.cr4 = 0;
	/* PDE 1 (0x400083) read as a table pointer: its PTE 1 at 0x400004. */
	memcpy(m.host + 0x400004, &(uint32_t){ 0xabc003 }, 4);
	ok(guest_walk(&m, &bad, 0x401010, &gpa) == 0 && gpa == 0xabc010 &&
	   guest_walk(&m, &s, 0x401010, &gpa) == 0 && gpa == 0x401010,
	   "walker: without CR4.PSE the PDE is a table pointer");

	/* PAE paging with 2 MiB pages. */
	memset(m.host, 0xcc, m.size);
	ok(guest_setup_mode(&m, GUEST_MODE_PAE, GUEST_LOAD_DEFAULT, &s, &r) == 0,
	   "PAE setup");
	check_segments32(&m, &s, &r, "PAE");
	ok(s.cr0 == 0x80010033 && s.cr4 == 0x20 && s.efer == 0x800 &&
	   s.cr3 == GUEST_PDPT && !(s.cr3 & 0x1f),
	   "PAE CR0 = PG|WP|NE|ET|MP|PE, CR4 = PAE, EFER = NXE, CR3 32-byte aligned");
	ok(identity_mapped(&m, &s), "PAE: 0-4 GiB identity mapped");
	ok(table_is(&m, GUEST_PDPT, 4, 8, 12, GUEST_PD | 1) &&
	   rd(&m, GUEST_PDPT + 32, 8) == 0,
	   "PAE PDPTEs point at the four directories, only P set");
	ok(table_is(&m, GUEST_PD, 4 * 512, 8, 21, 0x83),
	   "PAE PDEs are 2 MiB pages with only P|RW|PS set");
	ok(rd(&m, GUEST_PML4, 8) == 0xccccccccccccccccULL,
	   "PAE: no PML4 written");
	v = rd(&m, GUEST_PDPT + 8, 8);
	memcpy(m.host + GUEST_PDPT + 8, &(uint64_t){ v | 2 }, 8);
	ok(guest_walk(&m, &s, 0x40000000, &gpa) == -EINVAL &&
	   guest_walk(&m, &s, 0, &gpa) == 0,
	   "walker: PDPTE with RW (reserved) refused");
	memcpy(m.host + GUEST_PDPT + 8, &(uint64_t){ v | 1ULL << 63 }, 8);
	bad = s;
	bad.efer = 0;
	ok(guest_walk(&m, &s, 0x40000000, &gpa) == -EINVAL &&
	   guest_walk(&m, &bad, 0x200000 * 3, &gpa) == 0,
	   "walker: PDPTE bit 63 refused");
	memcpy(m.host + GUEST_PDPT + 8, &v, 8);
	v = rd(&m, GUEST_PD + 8, 8);
	memcpy(m.host + GUEST_PD + 8, &(uint64_t){ v | 1ULL << 63 }, 8);
	ok(guest_walk(&m, &s, 0x200000, &gpa) == 0 &&
	   guest_walk(&m, &bad, 0x200000, &gpa) == -EINVAL,
	   "walker: NX is reserved without EFER.NXE");
	memcpy(m.host + GUEST_PD + 8, &(uint64_t){ v | 1ULL << 13 }, 8);
	ok(guest_walk(&m, &s, 0x200000, &gpa) == -EINVAL,
	   "walker: reserved bit inside a 2 MiB frame number refused");
	memcpy(m.host + GUEST_PD + 8, &v, 8);

	ok(guest_setup_mode(&m, GUEST_MODE_32, 1ULL << 32, &s, &r) == -EINVAL &&
	   guest_setup_mode(&m, GUEST_MODE_PAE, 1ULL << 32, &s, &r) == -EINVAL,
	   "32-bit paged entry above 4 GiB refused");
	ok(guest_setup_mode(&m, (enum guest_mode)7, GUEST_LOAD_DEFAULT, &s, &r) == -EINVAL,
	   "unknown mode refused");
	good = 1;
	for (i = 0; i < 4; i++) {
		const char *name = guest_mode_name(i);

		if (!name || guest_mode_parse(name, &mode) || mode != i)
			good = 0;
	}
	ok(good && guest_mode_parse("real", &mode) == -EINVAL &&
	   guest_mode_parse("", &mode) == -EINVAL && !guest_mode_name(4),
	   "mode names round-trip, unknown names refused");

	guest_mem_free(&m);
	ok(guest_mem_alloc(&m, 1 << 20) == 0 &&
	   guest_setup_long_mode(&m, GUEST_LOAD_DEFAULT, &s, &r) == -EINVAL,
	   "RAM below 2 MiB refused");
	printf("1..%d\n", nr);
	return failed ? 1 : 0;
}
