// SPDX-License-Identifier: GPL-2.0
/*
 * shadowvm ioctl API: version, capabilities, and every ioctl with bad
 * arguments (bad fds, wrong objects, bad sizes and alignment, overlaps,
 * reserved bits, unknown flags, out-of-range ids).
 */
#include "test_util.h"
#include "kselftest_harness.h"

/* ioctl() result as -errno, to compare against exact errors. */
static long io(int fd, unsigned long cmd, unsigned long arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

static int region(int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		  uint64_t size, uint64_t hva, uint64_t res0, uint64_t res1)
{
	struct shadowvm_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = hva,
		.reserved = { res0, res1 },
	};

	return io(vm, SHADOWVM_SET_MEMORY_REGION, (unsigned long)&r);
}

/* A system fd, a VM fd and (if asked) a vCPU fd with its run page. */
FIXTURE(vm) {
	int sys, vm, vcpu;
	struct shadowvm_run *run;
	void *mem;
	size_t mem_size;
};

FIXTURE_SETUP(vm)
{
	self->mem_size = 4 << 20;
	self->sys = svm_open_dev();
	ASSERT_LE(0, self->sys);
	self->vm = svm_create_vm(self->sys);
	ASSERT_LE(0, self->vm) TH_LOG("CREATE_VM: %s", strerror(-self->vm));
	self->mem = mmap(NULL, self->mem_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	self->vcpu = svm_create_vcpu(self->vm, 0, &self->run);
	ASSERT_LE(0, self->vcpu) TH_LOG("CREATE_VCPU: %s", strerror(-self->vcpu));
}

FIXTURE_TEARDOWN(vm)
{
	if (self->run)
		svm_unmap_run(self->run);
	close(self->vcpu);
	close(self->vm);
	close(self->sys);
	munmap(self->mem, self->mem_size);
}

TEST(api_version)
{
	int fd = svm_open_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(SHADOWVM_API_VERSION, io(fd, SHADOWVM_GET_API_VERSION, 0));
	EXPECT_EQ(-EINVAL, io(fd, SHADOWVM_GET_API_VERSION, 1));
	close(fd);
}

TEST(check_extension_known)
{
	int fd = svm_open_dev(), vm;

	ASSERT_LE(0, fd);
	EXPECT_LE(1, svm_check_extension(fd, SHADOWVM_CAP_NR_MEMSLOTS));
	EXPECT_LE(1, svm_check_extension(fd, SHADOWVM_CAP_MAX_VCPUS));
	EXPECT_EQ(SHADOWVM_GUEST_MODE_LONG64 | SHADOWVM_GUEST_MODE_PAE |
		  SHADOWVM_GUEST_MODE_PAGED32 | SHADOWVM_GUEST_MODE_UNPAGED,
		  svm_check_extension(fd, SHADOWVM_CAP_GUEST_MODES));
	EXPECT_EQ(1, svm_check_extension(fd, SHADOWVM_CAP_READONLY_MEM));
	EXPECT_EQ(SHADOWVM_STATS_NR, svm_check_extension(fd, SHADOWVM_CAP_STATS));
	EXPECT_EQ(1, svm_check_extension(fd, SHADOWVM_CAP_VMX));
	/* The same answers on a VM fd. */
	vm = svm_create_vm(fd);
	ASSERT_LE(0, vm);
	EXPECT_EQ(svm_check_extension(fd, SHADOWVM_CAP_NR_MEMSLOTS),
		  svm_check_extension(vm, SHADOWVM_CAP_NR_MEMSLOTS));
	EXPECT_EQ(svm_check_extension(fd, SHADOWVM_CAP_MAX_VCPUS),
		  svm_check_extension(vm, SHADOWVM_CAP_MAX_VCPUS));
	close(vm);
	close(fd);
}

TEST(check_extension_unknown)
{
	int fd = svm_open_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, svm_check_extension(fd, 0));
	EXPECT_EQ(0, svm_check_extension(fd, 9999));
	EXPECT_EQ(0, svm_check_extension(fd, ~0UL));
	close(fd);
}

TEST(bad_fd)
{
	int fd = svm_open_dev();

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EBADF, io(fd, SHADOWVM_GET_API_VERSION, 0));
	EXPECT_EQ(-EBADF, io(-1, SHADOWVM_CREATE_VM, 0));
	EXPECT_EQ(-EBADF, io(-1, SHADOWVM_RUN, 0));
}

TEST(unknown_ioctl)
{
	struct shadowvm_run *run;
	int fd = svm_open_dev(), vm, vcpu;

	ASSERT_LE(0, fd);
	vm = svm_create_vm(fd);
	ASSERT_LE(0, vm);
	vcpu = svm_create_vcpu(vm, 0, &run);
	ASSERT_LE(0, vcpu);
	EXPECT_EQ(-ENOTTY, io(fd, _IO(SHADOWVM_IO, 0x7f), 0));
	EXPECT_EQ(-ENOTTY, io(vm, _IO(SHADOWVM_IO, 0x7f), 0));
	EXPECT_EQ(-ENOTTY, io(vcpu, _IO(SHADOWVM_IO, 0x7f), 0));
	/* KVM's magic: KVM_GET_API_VERSION is not ours. */
	EXPECT_EQ(-ENOTTY, io(fd, _IO(0xAE, 0x00), 0));
	svm_unmap_run(run);
	close(vcpu);
	close(vm);
	close(fd);
}

TEST(vm_ioctls_on_system_fd)
{
	struct shadowvm_memory_region r = { .memory_size = 4096 };
	struct shadowvm_stats st;
	int fd = svm_open_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, io(fd, SHADOWVM_SET_MEMORY_REGION, (unsigned long)&r));
	EXPECT_EQ(-ENOTTY, io(fd, SHADOWVM_CREATE_VCPU, 0));
	EXPECT_EQ(-ENOTTY, io(fd, SHADOWVM_GET_STATS, (unsigned long)&st));
	EXPECT_EQ(-ENOTTY, io(fd, SHADOWVM_RUN, 0));
	close(fd);
}

TEST_F(vm, system_ioctls_on_vm_fd)
{
	EXPECT_EQ(-ENOTTY, io(self->vm, SHADOWVM_CREATE_VM, 0));
	EXPECT_EQ(-ENOTTY, io(self->vm, SHADOWVM_GET_API_VERSION, 0));
}

TEST_F(vm, vcpu_ioctls_on_vm_fd)
{
	struct shadowvm_regs r;

	EXPECT_EQ(-ENOTTY, io(self->vm, SHADOWVM_RUN, 0));
	EXPECT_EQ(-ENOTTY, io(self->vm, SHADOWVM_GET_REGS, (unsigned long)&r));
}

TEST_F(vm, vm_ioctls_on_vcpu_fd)
{
	struct shadowvm_stats st;

	EXPECT_EQ(-ENOTTY, region(self->vcpu, 0, 0, 0, self->mem_size,
				  (uintptr_t)self->mem, 0, 0));
	EXPECT_EQ(-ENOTTY, io(self->vcpu, SHADOWVM_CREATE_VCPU, 1));
	EXPECT_EQ(-ENOTTY, io(self->vcpu, SHADOWVM_GET_STATS, (unsigned long)&st));
	EXPECT_EQ(-ENOTTY, io(self->vcpu, SHADOWVM_CREATE_VM, 0));
}

TEST(wrong_object)
{
	int fd = open("/dev/null", O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_GT(0, io(fd, SHADOWVM_CREATE_VM, 0));
	EXPECT_GT(0, io(fd, SHADOWVM_RUN, 0));
	close(fd);
}

TEST(create_vm_bad_type)
{
	int fd = svm_open_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, io(fd, SHADOWVM_CREATE_VM, 1));
	EXPECT_EQ(-EINVAL, io(fd, SHADOWVM_CREATE_VM, ~0UL));
	close(fd);
}

TEST_F(vm, region_misaligned)
{
	uint64_t hva = (uintptr_t)self->mem;

	EXPECT_EQ(-EINVAL, region(self->vm, 0, 0, 0x800, 0x10000, hva, 0, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, 0, 0, 0, 0x10800, hva, 0, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, 0, 0, 0, 0x10000, hva + 8, 0, 0));
	EXPECT_EQ(0, region(self->vm, 0, 0, 0, 0x10000, hva, 0, 0));
}

TEST_F(vm, region_overlap)
{
	uint64_t hva = (uintptr_t)self->mem;

	ASSERT_EQ(0, region(self->vm, 0, 0, 0x100000, 0x100000, hva, 0, 0));
	/* Same range, partial overlap at either end, containment. */
	EXPECT_EQ(-EINVAL, region(self->vm, 1, 0, 0x100000, 0x100000,
				  hva + 0x100000, 0, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, 1, 0, 0xff000, 0x2000,
				  hva + 0x100000, 0, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, 1, 0, 0x1ff000, 0x2000,
				  hva + 0x100000, 0, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, 1, 0, 0, 0x300000,
				  hva + 0x100000, 0, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, 1, 0, 0x180000, 0x1000,
				  hva + 0x100000, 0, 0));
	/* Adjacent on both sides is fine. */
	EXPECT_EQ(0, region(self->vm, 1, 0, 0xff000, 0x1000, hva + 0x200000, 0, 0));
	EXPECT_EQ(0, region(self->vm, 2, 0, 0x200000, 0x1000, hva + 0x201000, 0, 0));
}

TEST_F(vm, region_beyond_address_width)
{
	uint64_t hva = (uintptr_t)self->mem;

	EXPECT_EQ(-EINVAL, region(self->vm, 0, 0, ~0xfffULL, 0x2000, hva, 0, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, 0, 0, 1ULL << 52, 0x1000, hva, 0, 0));
}

TEST_F(vm, region_bad_slot)
{
	long n = svm_check_extension(self->sys, SHADOWVM_CAP_NR_MEMSLOTS);
	uint64_t hva = (uintptr_t)self->mem;

	ASSERT_LT(0, n);
	EXPECT_EQ(-EINVAL, region(self->vm, n, 0, 0, 0x1000, hva, 0, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, ~0U, 0, 0, 0x1000, hva, 0, 0));
	EXPECT_EQ(0, region(self->vm, n - 1, 0, 0, 0x1000, hva, 0, 0));
}

TEST_F(vm, region_flags_and_reserved)
{
	uint64_t hva = (uintptr_t)self->mem;

	EXPECT_EQ(-EINVAL, region(self->vm, 0, 2, 0, 0x1000, hva, 0, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, 0, 1U << 31, 0, 0x1000, hva, 0, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, 0, 0, 0, 0x1000, hva, 1, 0));
	EXPECT_EQ(-EINVAL, region(self->vm, 0, 0, 0, 0x1000, hva, 0, 1));
	EXPECT_EQ(0, region(self->vm, 0, SHADOWVM_MEM_READONLY, 0, 0x1000, hva, 0, 0));
}

TEST_F(vm, region_add_delete_readd)
{
	uint64_t hva = (uintptr_t)self->mem;

	EXPECT_EQ(0, region(self->vm, 3, 0, 0, self->mem_size, hva, 0, 0));
	/* A slot in use is not redefined in place. */
	EXPECT_EQ(-EEXIST, region(self->vm, 3, 0, 0, 0x1000, hva, 0, 0));
	EXPECT_EQ(0, svm_delete_region(self->vm, 3));
	EXPECT_EQ(-EINVAL, svm_delete_region(self->vm, 3));
	EXPECT_EQ(0, region(self->vm, 3, 0, 0x200000, 0x100000, hva, 0, 0));
	/* The freed range can now go to another slot. */
	EXPECT_EQ(0, region(self->vm, 4, 0, 0, 0x100000, hva + 0x100000, 0, 0));
	EXPECT_EQ(0, svm_delete_region(self->vm, 3));
	EXPECT_EQ(0, svm_delete_region(self->vm, 4));
}

TEST_F(vm, region_unmapped_memory)
{
	void *hole = mmap(NULL, 0x4000, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	ASSERT_NE(MAP_FAILED, hole);
	munmap(hole, 0x4000);
	EXPECT_EQ(-EFAULT, region(self->vm, 0, 0, 0, 0x4000, (uintptr_t)hole, 0, 0));
	/* Nothing was left half-registered. */
	EXPECT_EQ(0, region(self->vm, 0, 0, 0, 0x1000, (uintptr_t)self->mem, 0, 0));
}

/*
 * Sizes far beyond the memory behind them fail before the module sizes
 * anything by them (outside fuzzing found a 1 TiB request with 1 MiB
 * behind it making the host warn in kvmalloc, and 4 GiB ones making it
 * allocate and zero the page array first); the kernel-log check of the
 * boot catches a WARNING or a vmalloc splat.
 */
TEST_F(vm, region_larger_than_its_memory)
{
	static const uint64_t sizes[] = { 1ull << 40, 256ull << 30, 4ull << 30,
					  (1ull << 20) + 4096 };
	size_t mib = 1 << 20;
	void *buf = mmap(NULL, 2 * mib, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int i;

	ASSERT_NE(MAP_FAILED, buf);
	/* A hole right after the buffer: nothing else is mapped there. */
	ASSERT_EQ(0, munmap((char *)buf + mib, mib));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		EXPECT_EQ(-EFAULT, region(self->vm, 0, 0, 0, sizes[i],
					  (uintptr_t)buf, 0, 0))
			TH_LOG("memory_size %#llx", (unsigned long long)sizes[i]);
	/* The memory that is there still makes a slot. */
	EXPECT_EQ(0, region(self->vm, 0, 0, 0, mib, (uintptr_t)buf, 0, 0));
	munmap(buf, mib);
}

TEST_F(vm, region_larger_than_host_ram)
{
	size_t size = 1ull << 40;	/* reserved only, never touched */
	void *buf = mmap(NULL, size, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (buf == MAP_FAILED)
		SKIP(return, "cannot reserve 1 TiB of address space");
	EXPECT_EQ(-ENOMEM, region(self->vm, 0, 0, 0, size, (uintptr_t)buf, 0, 0));
	munmap(buf, size);
}

TEST_F(vm, region_bad_pointer)
{
	EXPECT_EQ(-EFAULT, io(self->vm, SHADOWVM_SET_MEMORY_REGION, 0));
	EXPECT_EQ(-EFAULT, io(self->vm, SHADOWVM_GET_STATS, 16));
}

TEST_F(vm, vcpu_id_out_of_range)
{
	long n = svm_check_extension(self->sys, SHADOWVM_CAP_MAX_VCPUS);

	ASSERT_LT(0, n);
	EXPECT_EQ(-EINVAL, io(self->vm, SHADOWVM_CREATE_VCPU, n));
	EXPECT_EQ(-EINVAL, io(self->vm, SHADOWVM_CREATE_VCPU, ~0UL));
}

TEST_F(vm, vcpu_duplicate_id)
{
	EXPECT_EQ(-EEXIST, io(self->vm, SHADOWVM_CREATE_VCPU, 0));
}

TEST_F(vm, run_page_mmap)
{
	long page = getpagesize();
	void *p;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->vcpu, page);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, self->vcpu, 0);
	EXPECT_EQ(MAP_FAILED, p);
	/* The run page is per vCPU and shared by every mapping. */
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, p);
	self->run->immediate_exit = 1;
	EXPECT_EQ(1, ((struct shadowvm_run *)p)->immediate_exit);
	self->run->immediate_exit = 0;
	munmap(p, page);
}

TEST_F(vm, sregs_interrupt_bitmap)
{
	struct shadowvm_sregs s;
	struct shadowvm_regs r;
	struct guest_mem m = { .host = self->mem, .size = self->mem_size };

	ASSERT_EQ(0, guest_setup_long_mode(&m, GUEST_LOAD_DEFAULT, &s, &r));
	ASSERT_EQ(0, svm_set_sregs(self->vcpu, &s));
	s.interrupt_bitmap[1] = 1;
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->vcpu, &s));
}

TEST_F(vm, sregs_real_mode)
{
	struct shadowvm_sregs s;
	struct shadowvm_regs r;
	struct guest_mem m = { .host = self->mem, .size = self->mem_size };

	ASSERT_EQ(0, guest_setup_long_mode(&m, GUEST_LOAD_DEFAULT, &s, &r));
	s.cr0 &= ~(1ULL | 1ULL << 31);	/* PE and PG off */
	s.efer = 0;
	s.cr4 = 0;
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->vcpu, &s));
	/* The vCPU keeps a valid state: the good one is accepted after. */
	ASSERT_EQ(0, guest_setup_long_mode(&m, GUEST_LOAD_DEFAULT, &s, &r));
	EXPECT_EQ(0, svm_set_sregs(self->vcpu, &s));
}

TEST_F(vm, sregs_padding_and_reserved)
{
	struct shadowvm_sregs s, good;
	struct shadowvm_regs r;
	struct guest_mem m = { .host = self->mem, .size = self->mem_size };

	ASSERT_EQ(0, guest_setup_long_mode(&m, GUEST_LOAD_DEFAULT, &good, &r));
	s = good;
	s.ds.padding = 1;
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->vcpu, &s));
	s = good;
	s.gdt.padding[2] = 1;
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->vcpu, &s));
	s = good;
	s.cr4 |= 1ULL << 13;	/* VMXE is not offered to guests */
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->vcpu, &s));
	s = good;
	s.efer |= 1ULL << 12;	/* SVME */
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->vcpu, &s));
	s = good;
	s.cr3 |= 1ULL << 60;
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->vcpu, &s));
	s = good;
	s.cr0 |= 1ULL << 40;
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->vcpu, &s));
	EXPECT_EQ(0, svm_set_sregs(self->vcpu, &good));
}

TEST_F(vm, regs_roundtrip_and_reserved_rflags)
{
	struct shadowvm_regs r, got;

	memset(&r, 0, sizeof(r));
	r.rax = 0x1111; r.rbx = 0x2222; r.r15 = 0xf0f0f0f0f0f0f0f0ULL;
	r.rip = 0x100000; r.rsp = 0x80000; r.rflags = 0x2 | 0x1;
	ASSERT_EQ(0, svm_set_regs(self->vcpu, &r));
	ASSERT_EQ(0, svm_get_regs(self->vcpu, &got));
	EXPECT_EQ(0, memcmp(&r, &got, sizeof(r)));
	r.rflags = 0x2 | 1ULL << 40;
	EXPECT_EQ(-EINVAL, svm_set_regs(self->vcpu, &r));
	r.rflags = 0x2 | 1ULL << 3;	/* reserved bit 3 */
	EXPECT_EQ(-EINVAL, svm_set_regs(self->vcpu, &r));
	EXPECT_EQ(-EFAULT, io(self->vcpu, SHADOWVM_SET_REGS, 0));
	EXPECT_EQ(-EFAULT, io(self->vcpu, SHADOWVM_GET_SREGS, 0));
}

TEST_F(vm, sregs_roundtrip)
{
	struct shadowvm_sregs s, got;
	struct shadowvm_regs r;
	struct guest_mem m = { .host = self->mem, .size = self->mem_size };

	ASSERT_EQ(0, guest_setup_long_mode(&m, GUEST_LOAD_DEFAULT, &s, &r));
	ASSERT_EQ(0, svm_set_sregs(self->vcpu, &s));
	ASSERT_EQ(0, svm_get_sregs(self->vcpu, &got));
	EXPECT_EQ(s.cr0, got.cr0);
	EXPECT_EQ(s.cr3, got.cr3);
	EXPECT_EQ(s.cr4, got.cr4);
	EXPECT_EQ(s.efer, got.efer);
	EXPECT_EQ(s.cs.selector, got.cs.selector);
	EXPECT_EQ(1, got.cs.l);
	EXPECT_EQ(s.tr.base, got.tr.base);
	EXPECT_EQ(11, got.tr.type);
	EXPECT_EQ(s.gdt.base, got.gdt.base);
	EXPECT_EQ(s.gdt.limit, got.gdt.limit);
	EXPECT_EQ(s.idt.limit, got.idt.limit);
}

TEST_F(vm, run_bad_arg)
{
	EXPECT_EQ(-EINVAL, io(self->vcpu, SHADOWVM_RUN, 1));
}

TEST_F(vm, stats_fresh_vm)
{
	struct shadowvm_stats st;
	unsigned int i;

	ASSERT_EQ(0, svm_get_stats(self->vm, &st));
	EXPECT_EQ(SHADOWVM_STAT_NR, st.nr);
	EXPECT_EQ(0, st.pad);
	for (i = 0; i < SHADOWVM_STAT_NR; i++)
		if (i != SHADOWVM_STAT_SHADOW_PAGES &&
		    i != SHADOWVM_STAT_SHADOW_PAGES_MAX &&
		    i != SHADOWVM_STAT_HASH_LOOKUPS &&
		    i != SHADOWVM_STAT_HASH_MAX_CHAIN)
			EXPECT_EQ(0, st.val[i]) TH_LOG("stat %s", svm_stat_name(i));
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	filter_tests();
	return test_harness_run(argc, argv);
}
