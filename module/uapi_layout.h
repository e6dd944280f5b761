/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The size of every uapi structure and the offset of its fields, as
 * numbers: the ABI written down once. The module checks them at build
 * time (uapi_check.c, BUILD_BUG_ON) and so does a 32-bit compile of the
 * same list (user/uapi-layout32.c), which is what makes compat_ioctl
 * correct: the numbers are the same for 32-bit callers.
 *
 * Changing a number here is an ABI change: bump SHADOWVM_API_VERSION.
 * Use: SHVM_UAPI_LAYOUT(SIZE, OFF) with SIZE(struct_tag, bytes) and
 * OFF(struct_tag, member, offset).
 */
#ifndef SHADOWVM_UAPI_LAYOUT_H
#define SHADOWVM_UAPI_LAYOUT_H

#define SHVM_UAPI_LAYOUT(SIZE, OFF) \
	SIZE(shadowvm_memory_region, 48) \
	OFF(shadowvm_memory_region, slot, 0) \
	OFF(shadowvm_memory_region, flags, 4) \
	OFF(shadowvm_memory_region, guest_phys_addr, 8) \
	OFF(shadowvm_memory_region, memory_size, 16) \
	OFF(shadowvm_memory_region, userspace_addr, 24) \
	OFF(shadowvm_memory_region, reserved, 32) \
	SIZE(shadowvm_stats, 264) \
	OFF(shadowvm_stats, nr, 0) \
	OFF(shadowvm_stats, val, 8) \
	SIZE(shadowvm_stats_header, 32) \
	OFF(shadowvm_stats_header, flags, 0) \
	OFF(shadowvm_stats_header, name_size, 4) \
	OFF(shadowvm_stats_header, num_desc, 8) \
	OFF(shadowvm_stats_header, desc_size, 12) \
	OFF(shadowvm_stats_header, id_offset, 16) \
	OFF(shadowvm_stats_header, desc_offset, 20) \
	OFF(shadowvm_stats_header, data_offset, 24) \
	OFF(shadowvm_stats_header, data_size, 28) \
	SIZE(shadowvm_stats_desc, 16) \
	OFF(shadowvm_stats_desc, flags, 0) \
	OFF(shadowvm_stats_desc, size, 4) \
	OFF(shadowvm_stats_desc, offset, 8) \
	OFF(shadowvm_stats_desc, name, 16) \
	SIZE(shadowvm_regs, 144) \
	OFF(shadowvm_regs, rax, 0) \
	OFF(shadowvm_regs, r8, 64) \
	OFF(shadowvm_regs, rip, 128) \
	OFF(shadowvm_regs, rflags, 136) \
	SIZE(shadowvm_segment, 24) \
	OFF(shadowvm_segment, base, 0) \
	OFF(shadowvm_segment, limit, 8) \
	OFF(shadowvm_segment, selector, 12) \
	OFF(shadowvm_segment, type, 14) \
	OFF(shadowvm_segment, present, 15) \
	OFF(shadowvm_segment, avl, 21) \
	OFF(shadowvm_segment, unusable, 22) \
	OFF(shadowvm_segment, padding, 23) \
	SIZE(shadowvm_dtable, 16) \
	OFF(shadowvm_dtable, base, 0) \
	OFF(shadowvm_dtable, limit, 8) \
	OFF(shadowvm_dtable, padding, 10) \
	SIZE(shadowvm_sregs, 312) \
	OFF(shadowvm_sregs, cs, 0) \
	OFF(shadowvm_sregs, ldt, 168) \
	OFF(shadowvm_sregs, gdt, 192) \
	OFF(shadowvm_sregs, idt, 208) \
	OFF(shadowvm_sregs, cr0, 224) \
	OFF(shadowvm_sregs, cr8, 256) \
	OFF(shadowvm_sregs, efer, 264) \
	OFF(shadowvm_sregs, apic_base, 272) \
	OFF(shadowvm_sregs, interrupt_bitmap, 280) \
	SIZE(shadowvm_run, 272) \
	OFF(shadowvm_run, immediate_exit, 0) \
	OFF(shadowvm_run, exit_reason, 8) \
	OFF(shadowvm_run, io, 16) \
	OFF(shadowvm_run, io.port, 18) \
	OFF(shadowvm_run, io.count, 20) \
	OFF(shadowvm_run, io.data_offset, 24) \
	OFF(shadowvm_run, mmio.phys_addr, 16) \
	OFF(shadowvm_run, mmio.data, 24) \
	OFF(shadowvm_run, mmio.len, 32) \
	OFF(shadowvm_run, mmio.is_write, 36) \
	OFF(shadowvm_run, fail_entry.hardware_entry_failure_reason, 16) \
	OFF(shadowvm_run, fail_entry.cpu, 24) \
	OFF(shadowvm_run, internal.suberror, 16) \
	OFF(shadowvm_run, internal.ndata, 20) \
	OFF(shadowvm_run, internal.data, 24) \
	OFF(shadowvm_run, padding, 16) \
	/* end */

#endif /* SHADOWVM_UAPI_LAYOUT_H */
