/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest loader: guest RAM, flat images, identity page tables, GDT/TSS and
 * the entry state of each guest mode (enum guest_mode).
 *
 * Independent of the hypervisor interface: it fills guest memory and the
 * KVM-compatible struct shadowvm_regs/shadowvm_sregs, so a KVM backend can
 * pass the same structures to KVM_SET_REGS/KVM_SET_SREGS.
 *
 * Guest-physical layout (RAM starts at guest-physical 0, one slot):
 *
 *   0x001000  GDT: 0x08 64-bit code, 0x10 flat data, 0x18 32-bit code,
 *             0x20 64-bit TSS (busy), limit 0x2f
 *   0x002000  IDT, 256 empty gates (limit 0xfff): the guest installs its own
 *   0x003000  TSS (104 bytes, no I/O bitmap)
 *   0x010000  PML4; 0x011000 PDPT; 0x012000-0x015fff four page directories
 *             mapping 0-4 GiB linear = physical with 2 MiB pages
 *             (P|RW, supervisor, A/D clear: the CPU/pager sets them)
 *             (long mode). The other paged modes reuse these spots:
 *             2-level: one page directory of 1024 4-byte PDEs at 0x010000
 *             (CR3), 4 MiB pages P|RW|PS; PAE: the PDPT at 0x011000 (CR3,
 *             32-byte aligned, 4 PDPTEs with only P set: RW/US are
 *             reserved there) and the same four page directories. Table
 *             pages a mode does not use are left as the image found them.
 *   0x020000-0x07ffff  initial stack, RSP = 0x80000
 *   0x100000  default load address of the image; RIP = load address
 *
 * Memory above RAM and below 4 GiB is mapped too, so guest accesses there
 * reach the hypervisor as MMIO. Entry registers: RDI = RAM size in bytes,
 * RSI = load address, RFLAGS = 0x2 (interrupts off).
 *
 * Unpaged entry (guest_setup_unpaged): 32-bit protected mode with paging
 * off, CS 0x18 (flat 4 GiB, D=1), data 0x10, the same GDT, IDT and TSS,
 * no page tables (0x10000-0x15fff left as the image found it), CR0 =
 * PE|MP|ET|NE, CR4 = 0, EFER = 0, EIP = load address, ESP = 0x80000, EDI =
 * RAM size, ESI = load address. TR stays the descriptor at 0x20: a busy
 * TSS of type 11, which outside IA-32e mode is a busy 32-bit TSS, the type
 * VM entry accepts there too, so no second TSS descriptor is needed.
 *
 * Entry state per mode (segments, GDT, IDT, TR and registers as above; CR0
 * always has PE|MP|ET|NE):
 *
 *   mode     CR0 adds  CR3       CR4                EFER         CS
 *   unpaged  -         0         0                  0            0x18
 *   32       PG|WP     0x010000  PSE                0            0x18
 *   pae      PG|WP     0x011000  PAE                NXE          0x18
 *   long     PG|WP     0x010000  PAE|OSFXSR|XMMEXC  LME|LMA|NXE  0x08
 */
#ifndef SHADOWVM_USER_GUEST_H
#define SHADOWVM_USER_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <linux/shadowvm.h>

#define GUEST_GDT		0x1000ULL
#define GUEST_IDT		0x2000ULL
#define GUEST_TSS		0x3000ULL
#define GUEST_PML4		0x10000ULL
#define GUEST_PDPT		0x11000ULL
#define GUEST_PD		0x12000ULL	/* four pages */
#define GUEST_PD32		0x10000ULL	/* 2-level mode's page directory */
#define GUEST_STACK_TOP		0x80000ULL
#define GUEST_LOAD_DEFAULT	0x100000ULL
#define GUEST_MAPPED_TOP	(4ULL << 30)	/* identity map ends here */

#define GUEST_SEL_CODE64	0x08
#define GUEST_SEL_DATA		0x10
#define GUEST_SEL_CODE32	0x18
#define GUEST_SEL_TSS		0x20

/* Smallest RAM the layout fits in (tables + stack + a 1 MiB image). */
#define GUEST_MEM_MIN		(2ULL << 20)

/* The paging mode a guest is entered in. */
enum guest_mode {
	GUEST_MODE_UNPAGED,	/* 32-bit protected mode, paging off */
	GUEST_MODE_32,		/* 2-level 32-bit paging, CR4.PSE */
	GUEST_MODE_PAE,		/* PAE paging, EFER.NXE */
	GUEST_MODE_LONG,	/* IA-32e mode, 4-level paging */
};

/* The names guest_mode_parse() takes, for messages. */
#define GUEST_MODE_NAMES	"unpaged, 32, pae or long"

/* "unpaged", "32", "pae", "long" -> *@mode; -EINVAL for anything else. */
int guest_mode_parse(const char *name, enum guest_mode *mode);
/* The name guest_mode_parse() takes for @mode, or NULL if out of range. */
const char *guest_mode_name(enum guest_mode mode);

struct guest_mem {
	uint8_t *host;		/* host mapping of guest-physical 0 */
	uint64_t size;		/* bytes, multiple of 4 KiB */
};

/* Anonymous private mapping of @size bytes (rounded up to 4 KiB). */
int guest_mem_alloc(struct guest_mem *m, uint64_t size);
void guest_mem_free(struct guest_mem *m);

/*
 * Copy the file @path to guest-physical @addr. Returns the image size or
 * -errno; -EFBIG when it does not fit below the end of RAM, -EINVAL when
 * @addr overlaps the fixed layout above (below 0x80000).
 */
long guest_load_file(struct guest_mem *m, const char *path, uint64_t addr);

/*
 * Write GDT, TSS, IDT and page tables into guest memory and fill @s and
 * @r with the long-mode entry state for an image at @entry. -EINVAL if RAM
 * is smaller than GUEST_MEM_MIN.
 */
int guest_setup_long_mode(struct guest_mem *m, uint64_t entry,
			  struct shadowvm_sregs *s, struct shadowvm_regs *r);

/*
 * Write GDT, TSS and IDT into guest memory and fill @s and @r with the
 * unpaged 32-bit protected-mode entry state described above. -EINVAL if
 * RAM is smaller than GUEST_MEM_MIN or @entry is not below 4 GiB.
 */
int guest_setup_unpaged(struct guest_mem *m, uint64_t entry,
			struct shadowvm_sregs *s, struct shadowvm_regs *r);

/*
 * Write GDT, TSS, IDT and the tables @mode needs into guest memory and
 * fill @s and @r with its entry state (table above). -EINVAL if RAM is
 * smaller than GUEST_MEM_MIN, @mode is unknown, or @entry is not below
 * 4 GiB outside long mode.
 */
int guest_setup_mode(struct guest_mem *m, enum guest_mode mode,
		     uint64_t entry, struct shadowvm_sregs *s,
		     struct shadowvm_regs *r);

/*
 * Resolve a linear address as the CPU would in the paging mode that @s's
 * CR0.PG, CR4.PAE/PSE and EFER.LMA select (permissions and A/D ignored;
 * PAE PDPTEs read from memory at CR3, as a CR3 load does). Returns 0 and
 * sets *gpa; -EFAULT if an entry is not present, a table lies outside RAM
 * or the address does not exist in the mode; -EINVAL if an entry has a
 * reserved bit set (PDPTE bits 2:1, 8:5, 63:52; PAE bits 62:52; NX
 * without EFER.NXE; PS in a PML4E; the reserved low bits of a large
 * page). Used to check the tables the loader builds.
 */
int guest_walk(const struct guest_mem *m, const struct shadowvm_sregs *s,
	       uint64_t lin, uint64_t *gpa);

/* guest_walk() through 4-level tables at @cr3. */
int guest_translate(const struct guest_mem *m, uint64_t cr3, uint64_t lin,
		    uint64_t *gpa);

/*
 * Parse "64M", "1G", "4096k", "123456" into bytes; -EINVAL on junk or
 * overflow. parse_size_unit() scales a number without a suffix by
 * 1 << @bare_shift (20: a bare "256" is 256 MiB, as QEMU's -m takes it).
 */
int parse_size(const char *s, uint64_t *out);
int parse_size_unit(const char *s, unsigned int bare_shift, uint64_t *out);

#endif /* SHADOWVM_USER_GUEST_H */
