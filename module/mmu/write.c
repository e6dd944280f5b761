// SPDX-License-Identifier: GPL-2.0
/*
 * The write path: guest writes to frames that hold shadowed page tables.
 *
 * Such frames are mapped read-only by every shadow, so the write faults;
 * shadow_page_fault() answers SHADOW_FAULT_EMULATE, the vCPU code runs the
 * instruction in module/emulate and does its memory writes here. Each
 * write lands in guest memory and then every shadow of the frame (of any
 * type: a frame may be an L1 in one address space and an L2 in another)
 * is brought in line with the changed guest entries, in place, so the
 * shadows stay exact without being thrown away.
 *
 * Frames that stop being page tables would make every later write an
 * emulation; two heuristics unshadow them instead (see shadow-pager.rst):
 * many emulated writes with no shadow fault through the frame in between
 * (flooding), and zeroing from entry 0 on (reuse as data).
 */
#include "internal.h"

/* Emulated writes without a shadow fault through the frame: unshadow. */
#define SH_FLOOD_WRITES		16
/* Bytes zeroed in a row from offset 0 that mean "reused as data". */
#define SH_ZERO_RUN		64

/*
 * A shadow fault walked through guest tables: the frames on its path are
 * in use as page tables, so writes to them are not flooding.
 */
void sh_emulate_note_walk(struct shadow_mmu *mmu, const struct guest_walk *w)
{
	unsigned int level;

	for (level = w->top_level; level >= w->leaf_level; level--)
		if (w->table_gfn[level] == mmu->flood_gfn)
			mmu->flood_count = 0;
}

/*
 * Make entry @idx of shadow @sp mirror guest entry @ge. Entries are also
 * filled when they were empty (the guest usually touches what it just
 * mapped), but only from accessed guest entries, and an upper entry only
 * links to a child shadow that already exists: nothing is allocated here.
 */
static void sh_revalidate_entry(struct shadow_mmu *mmu,
				const struct guest_paging *gp,
				struct shadow_page *sp, unsigned int idx, u64 ge)
{
	unsigned int level = sh_type_level(sp->type);
	struct shadow_page *child;
	struct sh_key k;
	u64 flags, leaf;

	if (!sh_guest_entry_usable(gp, level, ge)) {
		sh_zap_entry(mmu, sp, idx);
		return;
	}
	if (level == 1) {
		leaf = sh_leaf_entry(mmu, gp, ge);
		if (leaf)
			sh_set_leaf(mmu, sp, idx, leaf);
		else
			sh_zap_entry(mmu, sp, idx);
		sh_oos_note_guest(mmu, sp, idx, ge);
		return;
	}
	sh_child_key(gp, sp, idx, ge, &k, &flags);
	child = sh_hash_find(mmu, k.gfn, k.type, k.part);
	if (child)
		sh_set_link(mmu, sp, idx, child, flags);
	else
		sh_zap_entry(mmu, sp, idx);
}

void sh_revalidate_range(struct shadow_mmu *mmu, const struct guest_paging *gp,
			 u64 gfn, unsigned int first, unsigned int last)
{
	unsigned int type, part, size, i, sfirst, slast;

	/*
	 * Revalidating an entry can free shadows, but only of lower types
	 * than the one being revalidated (children), so each type is looked
	 * up afresh rather than collected up front.
	 */
	for (type = SH_TYPE_NR - 1; type > SH_TYPE_NONE; type--) {
		if (!sh_type_is_table(type))
			continue;
		size = sh_type_guest_entry_size(type);
		for (part = 0; part < sh_type_parts(type); part++) {
			struct shadow_page *sp = sh_hash_find(mmu, gfn, type,
							      part);

			if (!sp || !sh_shadow_range(sp, first / size,
						    last / size, &sfirst,
						    &slast))
				continue;
			for (i = sfirst; i <= slast; i++)
				sh_revalidate_entry(mmu, gp, sp, i,
						    sh_guest_entry(mmu, gp,
								   sp, i));
		}
	}
}

static bool sh_all_zero(const u8 *p, unsigned int len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/*
 * Heuristics, given a write of @len bytes at offset @off in shadowed
 * frame @gfn. True when the frame should be unshadowed rather than
 * revalidated; *@cause says which heuristic fired.
 */
static bool sh_looks_like_data(struct shadow_mmu *mmu, u64 gfn,
			       unsigned int off, const void *data,
			       unsigned int len, enum mmu_cause *cause)
{
	bool whole = !(off % 4) && !(len % 4);

	if (mmu->flood_gfn != gfn) {
		mmu->flood_gfn = gfn;
		mmu->flood_count = 0;
	}
	*cause = MMU_CAUSE_FLOOD;
	if (++mmu->flood_count >= SH_FLOOD_WRITES)
		return true;
	*cause = MMU_CAUSE_ZERO;

	/*
	 * clear_page() of a page that used to be a table: zeroes from 0 on
	 * (counted in bytes: a 2-level guest's entries are 4 bytes).
	 */
	if (whole && sh_all_zero(data, len)) {
		if (off == 0) {
			mmu->zero_gfn = gfn;
			mmu->zero_next = len;
		} else if (mmu->zero_gfn == gfn && off == mmu->zero_next) {
			mmu->zero_next += len;
		} else {
			return false;
		}
		return mmu->zero_next >= SH_ZERO_RUN;
	}
	if (mmu->zero_gfn == gfn)
		mmu->zero_next = 0;
	return false;
}

/* Is [@gpa, @gpa + @len) all in writable guest RAM? */
static bool sh_range_writable(struct shadow_mmu *mmu, u64 gpa,
			      unsigned int len)
{
	u64 gfn, end = gpa + len - 1;
	bool writable;
	u64 hfn;

	if (end < gpa)
		return false;
	for (gfn = gpa >> SH_PAGE_SHIFT; gfn <= end >> SH_PAGE_SHIFT; gfn++)
		if (mmu_host_gfn_to_hfn(mmu->host, gfn, &hfn, &writable) ||
		    !writable || !mmu_host_map_gfn(mmu->host, gfn))
			return false;
	return true;
}

/* Up to the first 8 bytes at @p, as the trace shows them. */
static u64 sh_trace_bytes(const u8 *p, unsigned int len)
{
	u64 val = 0;

	memcpy(&val, p, min_t(unsigned int, len, sizeof(val)));
	return val;
}

/*
 * Store @len bytes (within one frame) unless the caller already did
 * (@stored), then bring the frame's shadows in line. @old: what the bytes
 * held before, when the caller knows (else read here, for the trace).
 */
static void sh_write_frame(struct shadow_mmu *mmu,
			   const struct guest_paging *gp, u64 gfn,
			   unsigned int off, const u8 *data, const u8 *old,
			   unsigned int len, bool stored)
{
	u8 *page = mmu_host_map_gfn(mmu->host, gfn);
	bool shadowed = sh_frame_is_shadowed(mmu, gfn);
	enum mmu_cause cause;
	u64 val;

	if (shadowed && mmu_host_trace_enabled(pt_write))
		mmu_host_trace_pt_write(mmu->host, gfn, off, len,
					sh_trace_bytes(old ? old : page + off,
						       len),
					sh_trace_bytes(data, len));
	if (stored) {
		/* nothing to store */
	} else if (len == 8 && !(off % 8)) {
		/* One aligned entry: a single store, as the guest would do. */
		memcpy(&val, data, 8);
		WRITE_ONCE(*(u64 *)(page + off), val);
	} else {
		memcpy(page + off, data, len);
	}
	if (!shadowed)
		return;
	if (sh_looks_like_data(mmu, gfn, off, data, len, &cause)) {
		sh_unshadow_frame(mmu, gfn, cause);
		mmu->flood_count = 0;
		mmu->zero_next = 0;
		return;
	}
	sh_revalidate_range(mmu, gp, gfn, off, off + len - 1);
}

/* Checks and bookkeeping shared by the write and cmpxchg entry points. */
static int sh_write_begin(struct shadow_mmu *mmu,
			  const struct guest_paging *gp, u64 gpa,
			  unsigned int len)
{
	if (!len)
		return 0;
	if (!sh_range_writable(mmu, gpa, len))
		return -EFAULT;
	sh_resync(mmu);
	sh_check_mode(mmu, gp);
	return 1;
}

/* @old as for sh_write_frame(): NULL, or @len bytes. */
static void sh_write_range(struct shadow_mmu *mmu,
			   const struct guest_paging *gp, u64 gpa,
			   const u8 *data, const u8 *old, unsigned int len,
			   bool stored)
{
	while (len) {
		unsigned int off = gpa & (SH_PAGE_SIZE - 1);
		unsigned int n = min_t(unsigned int, len, SH_PAGE_SIZE - off);

		sh_write_frame(mmu, gp, gpa >> SH_PAGE_SHIFT, off, data, old,
			       n, stored);
		gpa += n;
		data += n;
		if (old)
			old += n;
		len -= n;
	}
	mmu->stats.emulated_writes++;
	sh_flush_if_needed(mmu);
}

int shadow_write_guest(struct shadow_mmu *mmu, const struct guest_paging *gp,
		       u64 gpa, const void *data, unsigned int len)
{
	int ret = sh_write_begin(mmu, gp, gpa, len);

	if (ret <= 0)
		return ret;
	sh_write_range(mmu, gp, gpa, data, NULL, len, false);
	return 0;
}

/* Read @len guest bytes at @gpa (already checked to be RAM). */
static void sh_read_range(struct shadow_mmu *mmu, u64 gpa, void *buf,
			  unsigned int len)
{
	u8 *out = buf;

	while (len) {
		unsigned int off = gpa & (SH_PAGE_SIZE - 1);
		unsigned int n = min_t(unsigned int, len, SH_PAGE_SIZE - off);
		const u8 *page = mmu_host_map_gfn(mmu->host,
						  gpa >> SH_PAGE_SHIFT);

		memcpy(out, page + off, n);
		gpa += n;
		out += n;
		len -= n;
	}
}

int shadow_cmpxchg_guest(struct shadow_mmu *mmu, const struct guest_paging *gp,
			 u64 gpa, const void *old, const void *new,
			 unsigned int len)
{
	unsigned int off = gpa & (SH_PAGE_SIZE - 1);
	u8 cur[16];
	int ret;

	if (len > sizeof(cur))
		return -EINVAL;
	ret = sh_write_begin(mmu, gp, gpa, len);
	if (ret <= 0)
		return ret;
	/*
	 * Other vCPUs may write the frame natively (it need not be shadowed
	 * any more), so aligned 4- and 8-byte exchanges are done atomically;
	 * the shadows are then revalidated from what memory holds.
	 */
	if ((len == 8 || len == 4) && !(off % len)) {
		u8 *p = (u8 *)mmu_host_map_gfn(mmu->host, gpa >> SH_PAGE_SHIFT) +
			off;
		bool done;

		if (len == 8) {
			u64 o, n;

			memcpy(&o, old, 8);
			memcpy(&n, new, 8);
			done = cmpxchg64((u64 *)p, o, n) == o;
		} else {
			u32 o, n;

			memcpy(&o, old, 4);
			memcpy(&n, new, 4);
			done = cmpxchg((u32 *)p, o, n) == o;
		}
		if (!done)
			return -EAGAIN;
		sh_write_range(mmu, gp, gpa, new, old, len, true);
		return 0;
	}
	sh_read_range(mmu, gpa, cur, len);
	if (memcmp(cur, old, len))
		return -EAGAIN;
	sh_write_range(mmu, gp, gpa, new, cur, len, false);
	return 0;
}

void shadow_unshadow_gfn(struct shadow_mmu *mmu, u64 gfn)
{
	sh_unshadow_frame(mmu, gfn, MMU_CAUSE_EMULATOR);
	mmu->native_gfn = gfn;
	mmu->native_valid = true;
	sh_flush_if_needed(mmu);
}
