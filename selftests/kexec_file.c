// SPDX-License-Identifier: GPL-2.0
/*
 * kexec-file KERNEL INITRD CMDLINE
 *
 * Loads KERNEL and INITRD with kexec_file_load(2) and reboots into them
 * (reboot(LINUX_REBOOT_CMD_KEXEC)), for the emulated host's kexec test:
 * busybox has no kexec applet and Debian's kexec-tools needs libxenctrl.
 * Returns only on failure.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/reboot.h>

int main(int argc, char **argv)
{
	int kernel, initrd;

	if (argc != 4) {
		fprintf(stderr, "usage: kexec-file KERNEL INITRD CMDLINE\n");
		return 2;
	}
	kernel = open(argv[1], O_RDONLY);
	initrd = open(argv[2], O_RDONLY);
	if (kernel < 0 || initrd < 0) {
		perror("kexec-file: open");
		return 1;
	}
	if (syscall(SYS_kexec_file_load, kernel, initrd,
		    strlen(argv[3]) + 1, argv[3], 0UL)) {
		perror("kexec-file: kexec_file_load");
		return 1;
	}
	sync();
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		LINUX_REBOOT_CMD_KEXEC, NULL);
	perror("kexec-file: reboot(KEXEC)");
	return 1;
}
