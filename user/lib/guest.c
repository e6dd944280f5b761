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
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL
#define PTE32_ADDR	0xfffff000ULL
/* Bits a present PDPTE must not have (SDM Vol. 3, 4.4.1), MAXPHYADDR 52. */
#define PDPTE_RSVD	(0xfff0000000000000ULL | 0x1e6ULL)
/* Bits 62:52 of PAE entries are reserved; in 4-level ones they are not. */
#define PAE_RSVD_HIGH	0x7ff0000000000000ULL

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
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

/*
 * @n entries of @size (4 or 8) bytes at @table: entry i is
 * (@first + i * @step) | @flags. Every table the loader builds is one.
 */
static void fill_table(struct guest_mem *m, uint64_t table, unsigned int n,
		       unsigned int size, uint64_t first, uint64_t step,
		       uint64_t flags)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t e = (first + i * step) | flags;

		memcpy(m->host + table + (uint64_t)i * size, &e, size);
	}
}

/* Four page directories at GUEST_PD: 0-4 GiB in 2 MiB pages (PAE, long). */
static void build_pae_directories(struct guest_mem *m)
{
	memset(m->host + GUEST_PD, 0, 4 * PAGE_SIZE);
	fill_table(m, GUEST_PD, 4 * 512, 8, 0, 2ULL << 20,
		   PTE_P | PTE_RW | PTE_PS);
}

/*
 * The PDPT at GUEST_PDPT pointing at the four directories. @flags is P|RW
 * for long mode; PAE PDPTEs may only have P (RW is reserved there).
 */
static void build_pdpt(struct guest_mem *m, uint64_t flags)
{
	memset(m->host + GUEST_PDPT, 0, PAGE_SIZE);
	fill_table(m, GUEST_PDPT, 4, 8, GUEST_PD, PAGE_SIZE, flags);
}

static void build_tables(struct guest_mem *m, enum guest_mode mode)
{
	switch (mode) {
	case GUEST_MODE_UNPAGED:
		break;
	case GUEST_MODE_32:
		/* 0-4 GiB in 4 MiB pages: needs CR4.PSE. */
		fill_table(m, GUEST_PD32, 1024, 4, 0, 4ULL << 20,
			   PTE_P | PTE_RW | PTE_PS);
		break;
	case GUEST_MODE_PAE:
		build_pdpt(m, PTE_P);
		build_pae_directories(m);
		break;
	case GUEST_MODE_LONG:
		memset(m->host + GUEST_PML4, 0, PAGE_SIZE);
		fill_table(m, GUEST_PML4, 1, 8, GUEST_PDPT, 0, PTE_P | PTE_RW);
		build_pdpt(m, PTE_P | PTE_RW);
		build_pae_directories(m);
		break;
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

static const char *const mode_names[] = {
	[GUEST_MODE_UNPAGED] = "unpaged",
	[GUEST_MODE_32] = "32",
	[GUEST_MODE_PAE] = "pae",
	[GUEST_MODE_LONG] = "long",
};

const char *guest_mode_name(enum guest_mode mode)
{
	if ((unsigned int)mode >= sizeof(mode_names) / sizeof(mode_names[0]))
		return NULL;
	return mode_names[mode];
}

int guest_mode_parse(const char *name, enum guest_mode *mode)
{
	unsigned int i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (!strcmp(name, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

int guest_setup_mode(struct guest_mem *m, enum guest_mode mode,
		     uint64_t entry, struct shadowvm_sregs *s,
		     struct shadowvm_regs *r)
{
	/* The paged modes turn on WP so supervisor writes obey R/O pages. */
	static const struct {
		uint64_t cr0, cr3, cr4, efer;
	} regs[] = {
		[GUEST_MODE_UNPAGED] = { 0, 0, 0, 0 },
		[GUEST_MODE_32] = { CR0_PG | CR0_WP, GUEST_PD32, CR4_PSE, 0 },
		[GUEST_MODE_PAE] = { CR0_PG | CR0_WP, GUEST_PDPT, CR4_PAE,
				     EFER_NXE },
		[GUEST_MODE_LONG] = { CR0_PG | CR0_WP, GUEST_PML4,
				      CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT,
				      EFER_LME | EFER_LMA | EFER_NXE },
	};
	int code64 = mode == GUEST_MODE_LONG;

	if (m->size < GUEST_MEM_MIN || !guest_mode_name(mode) ||
	    (!code64 && entry >> 32))
		return -EINVAL;

	setup_descriptors(m, s, code64);
	build_tables(m, mode);
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | regs[mode].cr0;
	s->cr3 = regs[mode].cr3;
	s->cr4 = regs[mode].cr4;
	s->efer = regs[mode].efer;

	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->rsp = GUEST_STACK_TOP;
	r->rflags = 0x2;
	r->rdi = m->size;
	r->rsi = entry;
	return 0;
}

int guest_setup_unpaged(struct guest_mem *m, uint64_t entry,
			struct shadowvm_sregs *s, struct shadowvm_regs *r)
{
	return guest_setup_mode(m, GUEST_MODE_UNPAGED, entry, s, r);
}

int guest_setup_long_mode(struct guest_mem *m, uint64_t entry,
			  struct shadowvm_sregs *s, struct shadowvm_regs *r)
{
	return guest_setup_mode(m, GUEST_MODE_LONG, entry, s, r);
}

/* Entry of @size bytes at @gpa; -EFAULT outside RAM. */
static int read_entry(const struct guest_mem *m, uint64_t gpa,
		      unsigned int size, uint64_t *e)
{
	*e = 0;
	if (gpa > m->size || m->size - gpa < size)
		return -EFAULT;
	memcpy(e, m->host + gpa, size);
	return 0;
}

/*
 * Frame of a present large page (PS) at @level (2 or 3) of an 8-byte
 * entry walk, or -EINVAL if the bits between the PAT bit (12) and the
 * frame are not clear.
 */
static int large_frame64(uint64_t e, int level, uint64_t *base)
{
	uint64_t span = 1ULL << (12 + 9 * (level - 1));

	if (e & PTE_ADDR & (span - 1) & ~0x1fffULL)
		return -EINVAL;
	*base = e & PTE_ADDR & ~(span - 1);
	return 0;
}

/* 4 MiB page of a 2-level walk (PSE-36: bits 20:13 are 39:32; 21 rsvd). */
static int large_frame32(uint64_t e, uint64_t *base)
{
	if (e & (1ULL << 21))
		return -EINVAL;
	*base = (e & 0xffc00000ULL) | ((e >> 13) & 0xff) << 32;
	return 0;
}

int guest_walk(const struct guest_mem *m, const struct shadowvm_sregs *s,
	       uint64_t lin, uint64_t *gpa)
{
	unsigned int size = 8, bits = 9;
	uint64_t table, e, rsvd = 0, base;
	int level, err;

	if (!(s->cr0 & CR0_PG)) {
		if (lin >> 32)
			return -EFAULT;
		*gpa = lin;
		return 0;
	}
	if (!(s->efer & EFER_NXE))
		rsvd |= PTE_NX;
	if (s->efer & EFER_LMA) {
		level = 4;
		table = s->cr3 & PTE_ADDR;
	} else if (lin >> 32) {
		return -EFAULT;
	} else if (s->cr4 & CR4_PAE) {
		/* The PDPTE a CR3 load would have cached. */
		err = read_entry(m, (s->cr3 & 0xffffffe0ULL) + (lin >> 30) * 8,
				 8, &e);
		if (err || !(e & PTE_P))
			return -EFAULT;
		if (e & PDPTE_RSVD)
			return -EINVAL;
		level = 2;
		table = e & PTE_ADDR;
		rsvd |= PAE_RSVD_HIGH;
	} else {
		level = 2;
		size = 4;
		bits = 10;
		table = s->cr3 & PTE32_ADDR;
	}

	for (;; level--) {
		unsigned int shift = 12 + bits * (level - 1);
		uint64_t idx = (lin >> shift) & ((1ULL << bits) - 1);

		if (read_entry(m, table + idx * size, size, &e) ||
		    !(e & PTE_P))
			return -EFAULT;
		if (e & rsvd)
			return -EINVAL;
		if (level == 1) {
			*gpa = (e & (size == 4 ? PTE32_ADDR : PTE_ADDR)) |
			       (lin & 0xfff);
			return 0;
		}
		if (e & PTE_PS) {
			if (level == 4)
				return -EINVAL;
			if (size == 4 && !(s->cr4 & CR4_PSE)) {
				/* Without PSE the PS bit is ignored. */
				table = e & PTE32_ADDR;
				continue;
			}
			err = size == 4 ? large_frame32(e, &base) :
			      large_frame64(e, level, &base);
			if (err)
				return err;
			*gpa = base | (lin & ((1ULL << shift) - 1));
			return 0;
		}
		table = e & (size == 4 ? PTE32_ADDR : PTE_ADDR);
	}
}

int guest_translate(const struct guest_mem *m, uint64_t cr3, uint64_t lin,
		    uint64_t *gpa)
{
	struct shadowvm_sregs s = {
		.cr0 = CR0_PE | CR0_PG,
		.cr3 = cr3,
		.cr4 = CR4_PAE,
		.efer = EFER_LME | EFER_LMA | EFER_NXE,
	};

	return guest_walk(m, &s, lin, gpa);
}

int parse_size(const char *s, uint64_t *out)
{
	return parse_size_unit(s, 0, out);
}

int parse_size_unit(const char *s, unsigned int bare_shift, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = bare_shift;

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
	if (*end || strchr(s, '-') || (shift && v > (~0ULL >> shift)))
		return -EINVAL;
	*out = v << shift;
	return 0;
}
