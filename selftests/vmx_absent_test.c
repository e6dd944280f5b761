// SPDX-License-Identifier: GPL-2.0
/*
 * On a host without VMX (QEMU TCG): the module loads, answers the system
 * ioctls, says it has no VMX and refuses VM creation with EOPNOTSUPP.
 * Skipped (exit 4) where VMX is usable.
 */
#include "test_util.h"
#include "kselftest_harness.h"

TEST(api_version_without_vmx)
{
	int fd = svm_open_dev();

	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(-fd));
	EXPECT_EQ(SHADOWVM_API_VERSION, svm_api_version(fd));
	close(fd);
}

TEST(cap_vmx_is_zero)
{
	int fd = svm_open_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, svm_check_extension(fd, SHADOWVM_CAP_VMX));
	/* The other capabilities describe the module, VMX or not. */
	EXPECT_LE(1, svm_check_extension(fd, SHADOWVM_CAP_NR_MEMSLOTS));
	close(fd);
}

TEST(create_vm_fails_cleanly)
{
	int fd = svm_open_dev(), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-EOPNOTSUPP, svm_create_vm(fd));
	close(fd);
}

TEST(launcher_reports_no_vmx)
{
	const char *args[] = { "/nonexistent-but-not-needed.bin", NULL };
	char image[4096];
	struct launch l;
	int st;

	guest_path(image, sizeof(image), "hello");
	args[0] = image;
	if (access(launcher_path(), X_OK))
		SKIP(return, "no launcher at %.200s", launcher_path());
	if (access(image, R_OK))
		SKIP(return, "no guest payload at %.200s", image);
	st = launcher_run(&l, args, 30000);
	EXPECT_EQ(LAUNCH_EXIT_SETUP, st) TH_LOG("stderr: %s", l.err);
	EXPECT_NE(NULL, strstr(l.err, "no usable VMX"));
}

int main(int argc, char **argv)
{
	int fd;

	require_shadowvm(false);
	fd = svm_open_dev();
	if (fd >= 0 && svm_check_extension(fd, SHADOWVM_CAP_VMX) == 1) {
		ksft_print_header();
		ksft_exit_skip("VMX is usable here; this test is for hosts without it\n");
	}
	if (fd >= 0)
		close(fd);
	filter_tests();
	return test_harness_run(argc, argv);
}
