// SPDX-License-Identifier: GPL-2.0
/*
 * shadowvm next to kvm_intel (phase 2 of the emulated host, where /init
 * loads shadowvm.ko again after KVM). One hypervisor at a time can be in
 * VMX operation: while kvm_intel holds it, creating a shadowvm VM fails
 * with EBUSY, SHADOWVM_CAP_VMX reads 0, and the kernel log says how to
 * free VMX. kvm_intel holds VMX while a KVM VM exists; from Linux 6.12 on,
 * with kvm.enable_virt_at_load=1 (the default), for as long as it is
 * loaded.
 */
#include <sys/klog.h>
#include <linux/kvm.h>

#include "test_util.h"
#include "kselftest_harness.h"

#define VIRT_AT_LOAD	"/sys/module/kvm/parameters/enable_virt_at_load"
#define BUSY_MSG	"shadowvm: VMX is in use by another hypervisor"
/* 6.1 only: kvm_intel's emergency callback is registered from its load on. */
#define KVM_SLOT_MSG	"shadowvm: kvm_intel is loaded: its emergency callback"

/* A KVM VM: while it exists, kvm_intel is in VMX operation on every CPU. */
static int kvm_vm_open(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (kvm < 0)
		return -errno;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	vm = vm < 0 ? -errno : vm;
	close(kvm);
	return vm;
}

/* Whether kvm_intel keeps VMX after its last VM is gone (6.12+). */
static bool virt_at_load(void)
{
	char c = 'N';
	FILE *f = fopen(VIRT_AT_LOAD, "r");

	if (!f)
		return false;	/* before 6.12: VMX only while VMs exist */
	if (fread(&c, 1, 1, f) != 1)
		c = 'N';
	fclose(f);
	return c == 'Y' || c == '1';
}

/* How many times the kernel log holds @what. */
static int klog_count(const char *what)
{
	static char buf[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	const char *p = buf;

	if (n < 0)
		return 0;
	buf[n] = '\0';
	for (n = 0; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static bool klog_has(const char *what)
{
	return klog_count(what) > 0;
}

TEST(create_vm_busy_while_kvm_vm_exists)
{
	int kvm_vm = kvm_vm_open(), fd, vm;

	ASSERT_LE(0, kvm_vm) TH_LOG("KVM_CREATE_VM: %s", strerror(-kvm_vm));
	fd = svm_open_dev();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, svm_check_extension(fd, SHADOWVM_CAP_VMX));
	vm = svm_create_vm(fd);
	EXPECT_EQ(-EBUSY, vm);
	if (vm >= 0)
		close(vm);
	close(fd);
	close(kvm_vm);
}

TEST(kernel_log_says_what_to_do)
{
	int kvm_vm = kvm_vm_open(), fd;

	ASSERT_LE(0, kvm_vm);
	fd = svm_open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EBUSY, svm_create_vm(fd));
	close(fd);
	close(kvm_vm);
	EXPECT_TRUE(klog_has(BUSY_MSG));
	EXPECT_TRUE(klog_has("rmmod kvm_intel"));
	EXPECT_TRUE(klog_has("enable_virt_at_load=0"));
	EXPECT_TRUE(klog_has("blacklist kvm_intel"));
}

/*
 * After the last KVM VM: free on 6.1, still busy on 6.12 unless kvm was
 * loaded with enable_virt_at_load=0.
 */
TEST(after_last_kvm_vm)
{
	int kvm_vm = kvm_vm_open(), fd, vm;
	bool busy = virt_at_load();

	ASSERT_LE(0, kvm_vm);
	close(kvm_vm);
	fd = svm_open_dev();
	ASSERT_LE(0, fd);
	vm = svm_create_vm(fd);
	ksft_print_msg("%s %s: shadowvm CREATE_VM %s\n", VIRT_AT_LOAD,
		       access(VIRT_AT_LOAD, F_OK) ? "absent" :
		       busy ? "Y" : "N", vm >= 0 ? "succeeds" : strerror(-vm));
	fflush(stdout);	/* the harness child ends with _exit() */
	if (busy) {
		EXPECT_EQ(-EBUSY, vm);
		EXPECT_EQ(0, svm_check_extension(fd, SHADOWVM_CAP_VMX));
	} else {
		EXPECT_LE(0, vm);
	}
	if (vm >= 0)
		close(vm);
	close(fd);
}

/*
 * Who covers a crash (module/vmx/shutdown.c): on 6.1 the emergency
 * callback slot is kvm_intel's while it is loaded, so shadowvm says so,
 * once however many VMs come and go; on 6.12 (enable_virt_at_load
 * exists) KVM's is there only while KVM holds VMX, so shadowvm registers
 * its own and says nothing. A wrong guess WARNs, which the kernel log
 * check of the boot catches.
 */
TEST(emergency_callback_owner)
{
	bool lazy_kvm = !access(VIRT_AT_LOAD, F_OK);
	int fd, vm, i;

	if (virt_at_load())
		SKIP(return, "kvm_intel holds VMX: no shadowvm VM");
	fd = svm_open_dev();
	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++) {
		vm = svm_create_vm(fd);
		ASSERT_LE(0, vm) TH_LOG("CREATE_VM: %s", strerror(-vm));
		close(vm);
	}
	close(fd);
	EXPECT_EQ(lazy_kvm ? 0 : 1, klog_count(KVM_SLOT_MSG));
}

int main(int argc, char **argv)
{
	if (access("/dev/kvm", F_OK)) {
		ksft_print_header();
		ksft_exit_skip("/dev/kvm is absent (load kvm_intel)\n");
	}
	require_shadowvm(false);
	filter_tests();
	return test_harness_run(argc, argv);
}
