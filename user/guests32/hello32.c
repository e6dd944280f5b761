// SPDX-License-Identifier: GPL-2.0
/*
 * hello32: the smallest check of a 32-bit entry mode. Entered by
 * shadowvm-run --mode=unpaged, --mode=32 or --mode=pae, it
 *  1. reads CR0, CR4 and EFER, tells the paging mode from them and checks
 *     that they are the launcher's entry state for that mode (user/lib/
 *     guest.h); with paging off it turns on 2-level paging itself, with a
 *     page directory like the one --mode=32 starts with;
 *  2. replaces the large page that maps WINDOW with a page table of its
 *     own: WINDOW's first page maps a data frame, the second page is not
 *     present;
 *  3. writes through WINDOW and reads the frame through the identity map,
 *     and the other way round;
 *  4. reads the not-present page: one #PF with error code 0 (read, not
 *     present, supervisor) and CR2 = the address; maps it, INVLPG, reads
 *     again.
 * It ends with "hello32: all checks passed (MODE)" and HLT; a failed check
 * exits with its number through port 0xf4.
 */
#include "rt32.h"

/* Linear 3 GiB: above any RAM, PD slot 768 (2-level) or PDPT slot 3 (PAE). */
#define WINDOW		0xc0000000U
#define PATTERN		0x5a17c0deU

static u32 pd32[1024] __attribute__((aligned(4096)));	/* unpaged entry */
static u64 table[512] __attribute__((aligned(4096)));	/* 4-byte or 8-byte */
static u32 frame[2][1024] __attribute__((aligned(4096)));

enum mode { MODE_UNPAGED, MODE_32, MODE_PAE, MODE_OTHER };

static const char *const mode_names[] = {
	[MODE_UNPAGED] = "unpaged", [MODE_32] = "32", [MODE_PAE] = "pae",
	[MODE_OTHER] = "unknown",
};

static enum mode entry_mode(u32 cr0, u32 cr4, u64 efer)
{
	if (efer & EFER_LMA)
		return MODE_OTHER;
	if (!(cr0 & CR0_PG))
		return MODE_UNPAGED;
	return cr4 & CR4_PAE ? MODE_PAE : MODE_32;
}

/* Paging off: the page directory --mode=32 would have given us. */
static void enable_2level(void)
{
	u32 i;

	for (i = 0; i < 1024; i++)
		pd32[i] = i << 22 | PTE_P | PTE_RW | PTE_PS;
	write_cr3((u32)pd32);
	write_cr4(read_cr4() | CR4_PSE);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
}

/* Address of the entry mapping @lin at the level above the 4 KiB PTEs. */
static u32 pde_addr(enum mode m, u32 lin)
{
	u32 cr3 = read_cr3();

	if (m == MODE_PAE) {
		u32 pd = (u32)read64((cr3 & ~0x1fU) + (lin >> 30) * 8) &
			 ~0xfffU;

		return pd + ((lin >> 21) & 511) * 8;
	}
	return (cr3 & ~0xfffU) + (lin >> 22) * 4;
}

/* Set PTE @idx of our table, in the table format of @m. */
static void set_pte(enum mode m, u32 idx, u32 frame_addr, u32 flags)
{
	if (m == MODE_PAE)
		set_pte64((u32)&table[idx], frame_addr | flags);
	else
		write32((u32)table + idx * 4, frame_addr | flags);
}

int main(void)
{
	u32 cr0 = read_cr0(), cr4 = read_cr4();
	u64 efer = rdmsr(MSR_EFER);
	enum mode entry = entry_mode(cr0, cr4, efer), m = entry;
	u32 data = (u32)frame[0], pde;

	puts("hello32: cr0 ");
	put_hex(cr0);
	puts(" cr4 ");
	put_hex(cr4);
	puts(" efer ");
	put_hex(efer);
	puts("\nhello32: entry mode ");
	puts(mode_names[entry]);
	putc('\n');

	switch (entry) {
	case MODE_UNPAGED:
		check(!(cr4 & (CR4_PAE | CR4_PSE)) && !(efer & EFER_LME),
		      1, "unpaged entry: CR4.PAE/PSE and EFER.LME clear");
		enable_2level();
		puts("hello32: turned on 2-level paging with 4 MiB pages\n");
		m = MODE_32;
		break;
	case MODE_32:
		check((cr0 & CR0_WP) && (cr4 & CR4_PSE) && !(cr4 & CR4_PAE),
		      1, "2-level entry: CR0.WP, CR4.PSE set, CR4.PAE clear");
		break;
	case MODE_PAE:
		check((cr0 & CR0_WP) && (efer & EFER_NXE) &&
		      !(efer & (EFER_LME | EFER_LMA)) && !(read_cr3() & 0x1f),
		      1, "PAE entry: CR0.WP, EFER.NXE set, LME/LMA clear, PDPT 32-byte aligned");
		break;
	default:
		check(0, 1, "entered in a 32-bit mode");
	}
	puts(m == MODE_PAE ? "hello32: PAE paging, 2 MiB pages\n" :
	     "hello32: 2-level paging, 4 MiB pages\n");

	/* The entry mapping WINDOW must be the loader's identity large page. */
	pde = pde_addr(m, WINDOW);
	check_eq((m == MODE_PAE ? read64(pde) : read32(pde)) & ~(PTE_A | PTE_D),
		 WINDOW | PTE_P | PTE_RW | PTE_PS, 2,
		 "large page maps WINDOW to itself");

	memset(table, 0, sizeof(table));
	set_pte(m, 0, data, PTE_P | PTE_RW);
	if (m == MODE_PAE)
		set_pte64(pde, (u32)table | PTE_P | PTE_RW);
	else
		write32(pde, (u32)table | PTE_P | PTE_RW);
	invlpg(WINDOW);
	invlpg(WINDOW + 4096);

	write32(WINDOW + 8, PATTERN);
	check_eq(read32(data + 8), PATTERN, 3,
		 "write through WINDOW lands in the data frame");
	write32(data + 12, ~PATTERN);
	check_eq(read32(WINDOW + 12), ~PATTERN, 4,
		 "write to the data frame reads back through WINDOW");

	check(try_access(WINDOW + 4096 + 4, TRY_READ32, 0, 2) == 1, 5,
	      "read of the not-present page faults");
	check_eq(last_exc.vector, VEC_PF, 6, "fault vector");
	check_eq(last_exc.error, 0, 7, "error code: read, not present, supervisor");
	check_eq(last_exc.cr2, WINDOW + 4096 + 4, 8, "CR2");

	frame[1][1] = PATTERN ^ 1;
	set_pte(m, 1, (u32)frame[1], PTE_P | PTE_RW);
	invlpg(WINDOW + 4096);
	check(try_access(WINDOW + 4096 + 4, TRY_READ32, 0, 2) == 0 &&
	      try_val == (PATTERN ^ 1), 9,
	      "after mapping it and INVLPG the read succeeds");
	check_eq(last_exc.count, 1, 10, "exactly one exception taken");

	puts("hello32: all checks passed (");
	puts(mode_names[entry]);
	puts(")\n");
	return 0;
}
