// SPDX-License-Identifier: GPL-2.0
/*
 * ABI version 2: the ioctl magic, SHADOWVM_GET_VCPU_MMAP_SIZE and the
 * vCPU fd's mmap area (exact size at offset 0, never grown by mremap).
 */
#include "test_util.h"
#include "kselftest_harness.h"

static long io(int fd, unsigned long cmd, unsigned long arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

/* A system fd, a VM fd and a vCPU fd, without a mapping. */
FIXTURE(vcpu) {
	int sys, vm, vcpu;
	long size;
};

FIXTURE_SETUP(vcpu)
{
	self->sys = svm_open_dev();
	ASSERT_LE(0, self->sys);
	self->vm = svm_create_vm(self->sys);
	ASSERT_LE(0, self->vm) TH_LOG("CREATE_VM: %s", strerror(-self->vm));
	self->vcpu = io(self->vm, SHADOWVM_CREATE_VCPU, 0);
	ASSERT_LE(0, self->vcpu) TH_LOG("CREATE_VCPU: %s", strerror(-self->vcpu));
	self->size = io(self->sys, SHADOWVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_LT(0, self->size);
}

FIXTURE_TEARDOWN(vcpu)
{
	close(self->vcpu);
	close(self->vm);
	close(self->sys);
}

TEST(api_version_2)
{
	int fd = svm_open_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(2, SHADOWVM_API_VERSION);
	EXPECT_EQ(SHADOWVM_API_VERSION, io(fd, SHADOWVM_GET_API_VERSION, 0));
	EXPECT_EQ(1, svm_check_extension(fd, SHADOWVM_CAP_STATS_FD));
	close(fd);
}

TEST(ioctl_magic)
{
	int fd = svm_open_dev();

	ASSERT_LE(0, fd);
	/* Not the nsfs/remoteproc type 0xB7 any more, nor KVM's 0xAE. */
	EXPECT_EQ(0xBD, _IOC_TYPE(SHADOWVM_CREATE_VM));
	EXPECT_NE(0xB7, _IOC_TYPE(SHADOWVM_GET_STATS_FD));
	/* Version 1's numbers are unknown now: NS_GET_USERNS is _IO(0xB7, 1). */
	EXPECT_EQ(-ENOTTY, io(fd, _IO(0xB7, 0x00), 0));
	EXPECT_EQ(-ENOTTY, io(fd, _IO(0xB7, 0x01), 0));
	close(fd);
}

TEST(vcpu_mmap_size)
{
	int fd = svm_open_dev(), vm;
	long size;

	ASSERT_LE(0, fd);
	size = io(fd, SHADOWVM_GET_VCPU_MMAP_SIZE, 0);
	EXPECT_LE((long)sizeof(struct shadowvm_run), size);
	EXPECT_EQ(0, size % getpagesize());
	EXPECT_EQ(size, svm_vcpu_mmap_size(fd));
	EXPECT_EQ(-EINVAL, io(fd, SHADOWVM_GET_VCPU_MMAP_SIZE, 1));
	/* A system ioctl: not on VM fds. */
	vm = svm_create_vm(fd);
	ASSERT_LE(0, vm);
	EXPECT_EQ(-ENOTTY, io(vm, SHADOWVM_GET_VCPU_MMAP_SIZE, 0));
	close(vm);
	close(fd);
}

TEST_F(vcpu, mmap_exact_size_only)
{
	long page = getpagesize();
	void *p;

	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, ((struct shadowvm_run *)p)->exit_reason);
	munmap(p, self->size);
	/* Past the area, or larger than it. */
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->vcpu,
		 self->size);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->vcpu, 4096);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, self->size + page, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->vcpu, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vcpu, mremap_cannot_grow)
{
	long page = getpagesize();
	void *p, *q;

	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* In place... */
	q = mremap(p, self->size, self->size + page, 0);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EFAULT, errno);
	/* ... or moved: VM_DONTEXPAND refuses both. */
	q = mremap(p, self->size, self->size + page, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EFAULT, errno);
	/* Moving it whole at the same size is fine: still the run area. */
	q = mremap(p, self->size, self->size, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, p);
	((struct shadowvm_run *)q)->immediate_exit = 1;
	EXPECT_EQ(1, ((struct shadowvm_run *)p)->immediate_exit);
	munmap(p, self->size);
	munmap(q, self->size);
}

int main(int argc, char **argv)
{
	require_shadowvm(true);
	filter_tests();
	return test_harness_run(argc, argv);
}
