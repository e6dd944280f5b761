// SPDX-License-Identifier: GPL-2.0
/*
 * Guest loader: see guest.h for the guest-physical layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

#define PAGE_SIZE	4096ULL

int guest_mem_alloc(struct guest_mem *m, uint64_t size)
{
	void *p;

	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (!size)
		return -EINVAL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	m->host = p;
	m->size = size;
	return 0;
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	m->host = NULL;
	m->size = 0;
}

long guest_load_file(struct guest_mem *m, const char *path, uint64_t addr)
{
	struct stat st;
	uint64_t done = 0;
	int fd, err = 0;

	if (addr < GUEST_STACK_TOP)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (addr > m->size || (uint64_t)st.st_size > m->size - addr) {
		err = -EFBIG;
		goto out;
	}
	while (done < (uint64_t)st.st_size) {
		ssize_t n = read(fd, m->host + addr + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			goto out;
		}
		done += n;
	}
out:
	close(fd);
	return err ? err : (long)done;
}

static void put64(struct guest_mem *m, uint64_t gpa, uint64_t val)
{
	memcpy(m->host + gpa, &val, sizeof(val));
}

static uint64_t get64(const struct guest_mem *m, uint64_t gpa)
{
	uint64_t val;

	memcpy(&val, m->host + gpa, sizeof(val));
	return val;
}

/* Legacy 8-byte code/data descriptor from its parts. */
static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access,
			  uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) |
	       (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 |
	       (uint64_t)(base >> 24) << 56;
}

static void build_gdt(struct guest_mem *m)
{
	uint64_t tss = GUEST_TSS;

	put64(m, GUEST_GDT + 0x00, 0);
	/* P, DPL0, S, code exec/read accessed; G, L */
	put64(m, GUEST_GDT + GUEST_SEL_CODE64, gdt_entry(0, 0xfffff, 0x9b, 0xa));
	/* P, DPL0, S, data read/write accessed; G, D/B */
	put64(m, GUEST_GDT + GUEST_SEL_DATA, gdt_entry(0, 0xfffff, 0x93, 0xc));
	put64(m, GUEST_GDT + GUEST_SEL_CODE32, gdt_entry(0, 0xfffff, 0x9b, 0xc));
	/* 64-bit TSS, busy (type 11): VM entry wants a busy TR. */
	put64(m, GUEST_GDT + GUEST_SEL_TSS, gdt_entry(tss, 0x67, 0x8b, 0));
	put64(m, GUEST_GDT + GUEST_SEL_TSS + 8, tss >> 32);
}

static void build_page_tables(struct guest_mem *m)
{
	uint64_t i, j;

	memset(m->host + GUEST_PML4, 0, 6 * PAGE_SIZE);
	put64(m, GUEST_PML4, GUEST_PDPT | PTE_P | PTE_RW);
	for (i = 0; i < 4; i++) {
		uint64_t pd = GUEST_PD + i * PAGE_SIZE;

		put64(m, GUEST_PDPT + i * 8, pd | PTE_P | PTE_RW);
		for (j = 0; j < 512; j++)
			put64(m, pd + j * 8, (i << 30 | j << 21) |
			      PTE_P | PTE_RW | PTE_PS);
	}
}

static void flat_segment(struct shadowvm_segment *seg, uint16_t sel,
			 uint8_t type, int code64)
{
	memset(seg, 0, sizeof(*seg));
	seg->base = 0;
	seg->limit = 0xffffffff;
	seg->selector = sel;
	seg->type = type;
	seg->present = 1;
	seg->s = 1;
	seg->g = 1;
	seg->l = code64;
	seg->db = !code64;
}

/* GDT, IDT, TSS and the segment state both entry modes share. */
static void setup_descriptors(struct guest_mem *m, struct shadowvm_sregs *s,
			      int code64)
{
	build_gdt(m);
	memset(m->host + GUEST_IDT, 0, PAGE_SIZE);
	memset(m->host + GUEST_TSS, 0, 104);
	/* I/O map base past the limit: no I/O permission bitmap. */
	m->host[GUEST_TSS + 102] = 104;

	memset(s, 0, sizeof(*s));
	if (code64)
		flat_segment(&s->cs, GUEST_SEL_CODE64, 0xb, 1);
	else
		flat_segment(&s->cs, GUEST_SEL_CODE32, 0xb, 0);
	flat_segment(&s->ds, GUEST_SEL_DATA, 0x3, 0);
	s->es = s->ds;
	s->fs = s->ds;
	s->gs = s->ds;
	s->ss = s->ds;
	/*
	 * Type 11 is a busy 64-bit TSS in IA-32e mode and a busy 32-bit TSS
	 * outside it: VM entry accepts it in both (SDM 27.3.1.2).
	 */
	s->tr.base = GUEST_TSS;
	s->tr.limit = 0x67;
	s->tr.selector = GUEST_SEL_TSS;
	s->tr.type = 11;
	s->tr.present = 1;
	s->ldt.type = 2;
	s->ldt.unusable = 1;
	s->gdt.base = GUEST_GDT;
	s->gdt.limit = 0x2f;
	s->idt.base = GUEST_IDT;
	s->idt.limit = 0xfff;
}

int guest_setup_unpaged(struct guest_mem *m, uint64_t entry,
			struct shadowvm_sregs *s, struct shadowvm_regs *r)
{
	if (m->size < GUEST_MEM_MIN || entry >> 32)
		return -EINVAL;

	setup_descriptors(m, s, 0);
	/* No PG, so no WP either: the guest decides when it pages. */
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE;
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = 0;

	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->rsp = GUEST_STACK_TOP;
	r->rflags = 0x2;
	r->rdi = m->size;
	r->rsi = entry;
	return 0;
}

int guest_setup_long_mode(struct guest_mem *m, uint64_t entry,
			  struct shadowvm_sregs *s, struct shadowvm_regs *r)
{
	if (m->size < GUEST_MEM_MIN)
		return -EINVAL;

	setup_descriptors(m, s, 1);
	build_page_tables(m);
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s->cr3 = GUEST_PML4;
	s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	s->efer = EFER_LME | EFER_LMA | EFER_NXE;

	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->rsp = GUEST_STACK_TOP;
	r->rflags = 0x2;
	r->rdi = m->size;
	r->rsi = entry;
	return 0;
}

int guest_translate(const struct guest_mem *m, uint64_t cr3, uint64_t lin,
		    uint64_t *gpa)
{
	uint64_t table = cr3 & PTE_ADDR, e = 0;
	int level;

	for (level = 4; level >= 1; level--) {
		unsigned int idx = (lin >> (12 + 9 * (level - 1))) & 511;

		if (table + idx * 8 + 8 > m->size)
			return -EFAULT;
		e = get64(m, table + idx * 8);
		if (!(e & PTE_P))
			return -EFAULT;
		if (level == 4 || level == 1 || !(e & PTE_PS)) {
			table = e & PTE_ADDR;
			continue;
		}
		/* 1 GiB or 2 MiB page */
		{
			uint64_t span = 1ULL << (12 + 9 * (level - 1));

			*gpa = (e & PTE_ADDR & ~(span - 1)) | (lin & (span - 1));
			return 0;
		}
	}
	*gpa = table | (lin & 0xfff);
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'm': case 'M':
		shift = 20;
		end++;
		break;
	case 'g': case 'G':
		shift = 30;
		end++;
		break;
	}
	if (*end || (shift && v > (~0ULL >> shift)))
		return -EINVAL;
	*out = v << shift;
	return 0;
}
