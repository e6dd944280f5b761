/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The size of every uapi structure and the offset of its fields, as
 * numbers: the ABI written down once. The module checks them at build
 * time (uapi_check.c, BUILD_BUG_ON) and so does a 32-bit compile of the
 * same list (user/uapi-layout32.c), which is what makes compat_ioctl
 * correct: the numbers are the same for 32-bit callers.
 *
 * Changing a number here is an ABI change: bump SHADOWVM_API_VERSION.
 * No include guard: the includer defines SHVM_UAPI_SIZE(tag, bytes) and
 * SHVM_UAPI_OFF(tag, member, offset) as one statement each.
 */
SHVM_UAPI_SIZE(shadowvm_memory_region, 48);
SHVM_UAPI_OFF(shadowvm_memory_region, slot, 0);
SHVM_UAPI_OFF(shadowvm_memory_region, flags, 4);
SHVM_UAPI_OFF(shadowvm_memory_region, guest_phys_addr, 8);
SHVM_UAPI_OFF(shadowvm_memory_region, memory_size, 16);
SHVM_UAPI_OFF(shadowvm_memory_region, userspace_addr, 24);
SHVM_UAPI_OFF(shadowvm_memory_region, reserved, 32);
SHVM_UAPI_SIZE(shadowvm_stats, 264);
SHVM_UAPI_OFF(shadowvm_stats, nr, 0);
SHVM_UAPI_OFF(shadowvm_stats, val, 8);
SHVM_UAPI_SIZE(shadowvm_stats_header, 32);
SHVM_UAPI_OFF(shadowvm_stats_header, flags, 0);
SHVM_UAPI_OFF(shadowvm_stats_header, name_size, 4);
SHVM_UAPI_OFF(shadowvm_stats_header, num_desc, 8);
SHVM_UAPI_OFF(shadowvm_stats_header, desc_size, 12);
SHVM_UAPI_OFF(shadowvm_stats_header, id_offset, 16);
SHVM_UAPI_OFF(shadowvm_stats_header, desc_offset, 20);
SHVM_UAPI_OFF(shadowvm_stats_header, data_offset, 24);
SHVM_UAPI_OFF(shadowvm_stats_header, data_size, 28);
SHVM_UAPI_SIZE(shadowvm_stats_desc, 16);
SHVM_UAPI_OFF(shadowvm_stats_desc, flags, 0);
SHVM_UAPI_OFF(shadowvm_stats_desc, size, 4);
SHVM_UAPI_OFF(shadowvm_stats_desc, offset, 8);
SHVM_UAPI_OFF(shadowvm_stats_desc, name, 16);
SHVM_UAPI_SIZE(shadowvm_regs, 144);
SHVM_UAPI_OFF(shadowvm_regs, rax, 0);
SHVM_UAPI_OFF(shadowvm_regs, r8, 64);
SHVM_UAPI_OFF(shadowvm_regs, rip, 128);
SHVM_UAPI_OFF(shadowvm_regs, rflags, 136);
SHVM_UAPI_SIZE(shadowvm_segment, 24);
SHVM_UAPI_OFF(shadowvm_segment, base, 0);
SHVM_UAPI_OFF(shadowvm_segment, limit, 8);
SHVM_UAPI_OFF(shadowvm_segment, selector, 12);
SHVM_UAPI_OFF(shadowvm_segment, type, 14);
SHVM_UAPI_OFF(shadowvm_segment, present, 15);
SHVM_UAPI_OFF(shadowvm_segment, avl, 21);
SHVM_UAPI_OFF(shadowvm_segment, unusable, 22);
SHVM_UAPI_OFF(shadowvm_segment, padding, 23);
SHVM_UAPI_SIZE(shadowvm_dtable, 16);
SHVM_UAPI_OFF(shadowvm_dtable, base, 0);
SHVM_UAPI_OFF(shadowvm_dtable, limit, 8);
SHVM_UAPI_OFF(shadowvm_dtable, padding, 10);
SHVM_UAPI_SIZE(shadowvm_sregs, 312);
SHVM_UAPI_OFF(shadowvm_sregs, cs, 0);
SHVM_UAPI_OFF(shadowvm_sregs, ldt, 168);
SHVM_UAPI_OFF(shadowvm_sregs, gdt, 192);
SHVM_UAPI_OFF(shadowvm_sregs, idt, 208);
SHVM_UAPI_OFF(shadowvm_sregs, cr0, 224);
SHVM_UAPI_OFF(shadowvm_sregs, cr8, 256);
SHVM_UAPI_OFF(shadowvm_sregs, efer, 264);
SHVM_UAPI_OFF(shadowvm_sregs, apic_base, 272);
SHVM_UAPI_OFF(shadowvm_sregs, interrupt_bitmap, 280);
SHVM_UAPI_SIZE(shadowvm_run, 272);
SHVM_UAPI_OFF(shadowvm_run, immediate_exit, 0);
SHVM_UAPI_OFF(shadowvm_run, exit_reason, 8);
SHVM_UAPI_OFF(shadowvm_run, io, 16);
SHVM_UAPI_OFF(shadowvm_run, io.port, 18);
SHVM_UAPI_OFF(shadowvm_run, io.count, 20);
SHVM_UAPI_OFF(shadowvm_run, io.data_offset, 24);
SHVM_UAPI_OFF(shadowvm_run, mmio.phys_addr, 16);
SHVM_UAPI_OFF(shadowvm_run, mmio.data, 24);
SHVM_UAPI_OFF(shadowvm_run, mmio.len, 32);
SHVM_UAPI_OFF(shadowvm_run, mmio.is_write, 36);
SHVM_UAPI_OFF(shadowvm_run, fail_entry.hardware_entry_failure_reason, 16);
SHVM_UAPI_OFF(shadowvm_run, fail_entry.cpu, 24);
SHVM_UAPI_OFF(shadowvm_run, internal.suberror, 16);
SHVM_UAPI_OFF(shadowvm_run, internal.ndata, 20);
SHVM_UAPI_OFF(shadowvm_run, internal.data, 24);
SHVM_UAPI_OFF(shadowvm_run, padding, 16);
