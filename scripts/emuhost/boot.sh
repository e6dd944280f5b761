#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the Debian cloud kernel on an emulated host with shadowvm.ko and a
# payload in the initramfs, and leave the serial output in
# build/emuhost/NAME/serial.log.
#
#   scripts/emuhost/boot.sh NAME MACHINE MODE
#     MACHINE  bochs-vmx2  Bochs bx_generic, VMX with EPT/VPID/unrestricted
#              bochs-vmx1  Bochs bx_generic, VMX without EPT/VPID/...
#              bochs-smp   Bochs bx_generic vmx=2 with two CPUs (migration)
#              qemu        QEMU TCG, no VMX at all (fast smoke boot)
#     MODE     tests       run every *_test selftest, rmmod, then every
#                          *_kvmtest with kvm_intel ept=0 (see init)
#              demo        run shadowvm-run --stats /guests/hello.bin
#              bench       run EMUHOST_BENCH/run shadowvm, rmmod, load
#                          kvm_intel ept=0, run EMUHOST_BENCH/run kvm
#              reboot      start the loop guest, take the host down while
#                          it runs (see init; the boot ends at the restart)
#
# Kernel (environment):
#   EMUHOST_KERNEL    6.1: Debian 12's cloud kernel (KDIR, VMLINUZ in
#                     build/deps.env) [default]; 6.12: the 6.12 cloud
#                     kernel (KDIR612, VMLINUZ612) with the module built
#                     by scripts/build-module.sh in build/module-$ABI612
#
# Payload (environment, defaults in brackets):
#   EMUHOST_KO        module to insmod        [./shadowvm.ko; 6.12:
#                                              build/module-$ABI612/shadowvm.ko]
#   EMUHOST_RUN       launcher put in /bin    [build/user/shadowvm-run]
#   EMUHOST_STAT      shadowvm-stat for /bin  [build/user/shadowvm-stat]
#   EMUHOST_GUESTS    dir of *.bin payloads   [build/guests]
#   EMUHOST_TESTS     test binaries to run    [build/selftests/*_test
#                                              and *_kvmtest]
#   EMUHOST_BENCH     dir copied to /bench    (bench mode; has ./run)
#   EMUHOST_MEM       emulated RAM, MiB       [512]
#   EMUHOST_TEST_TIMEOUT  per test binary, s  [timeout= in selftests/settings]
#   EMUHOST_TIMEOUT   whole emulator run, s   [600]
#   EMUHOST_REBOOT_HOW  reboot mode: reboot (reboot -f), sysrq-b or
#                     kexec (into the same kernel and initramfs) [reboot]
#   EMUHOST_REBOOT_KVM  reboot mode: 1 loads KVM first (see init) [0]
#   EMUHOST_KEXEC     the kexec loader for REBOOT_HOW=kexec
#                                             [build/selftests/kexec-file]
#   EMUHOST_SLOTS     emulators running at once on this machine [2]
#   EMUHOST_SLOT_DIR  where the slot locks live  [/tmp/shadowvm-emuhost]
#
# The exit status says only whether the boot reached the end marker (in
# reboot mode: whether /init asked for the restart and did not come back);
# the verdict on the tests is scripts/check.sh's, taken from serial.log.
# Writes boot.secs (wall time of the emulator) and init.secs (wall time
# until /init printed its first line).

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$ROOT/build
HERE=$ROOT/scripts/emuhost

usage() {
	sed -n '5,19p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
[ $# -eq 3 ] || usage
NAME=$1 MACHINE=$2 MODE=$3
case $MACHINE in bochs-vmx2|bochs-vmx1|bochs-smp|qemu) ;; *) usage ;; esac
case $MODE in tests|demo|bench|reboot) ;; *) usage ;; esac

[ -f "$BUILD/deps.env" ] || { echo "emuhost: build/deps.env missing: run 'make deps'" >&2; exit 1; }
# shellcheck source=/dev/null
. "$BUILD/deps.env"

# The guest kernel, its modules (the KVM peer) and the shadowvm.ko built
# against its headers.
case ${EMUHOST_KERNEL:-6.1} in
6.1)	DEFAULT_KO=$ROOT/shadowvm.ko ;;
6.12)	[ -n "${VMLINUZ612:-}" ] ||
		{ echo "emuhost: build/deps.env has no 6.12 kernel: run 'make deps'" >&2; exit 1; }
	VMLINUZ=$VMLINUZ612 KMODDIR=$KMODDIR612
	DEFAULT_KO=$BUILD/module-$ABI612/shadowvm.ko ;;
*)	echo "emuhost: EMUHOST_KERNEL must be 6.1 or 6.12" >&2; exit 2 ;;
esac
KO=${EMUHOST_KO:-$DEFAULT_KO}
RUN=${EMUHOST_RUN:-$BUILD/user/shadowvm-run}
STAT=${EMUHOST_STAT:-$BUILD/user/shadowvm-stat}
GUESTS=${EMUHOST_GUESTS:-$BUILD/guests}
# The kselftest settings file holds the per-program timeout (300 s if it
# has none); EMUHOST_TEST_TIMEOUT overrides it.
TEST_TIMEOUT=${EMUHOST_TEST_TIMEOUT:-$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' \
	"$ROOT/selftests/settings" 2>/dev/null)}
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
TIMEOUT=${EMUHOST_TIMEOUT:-600}
if [ -n "${EMUHOST_TESTS+set}" ]; then
	TESTS=$EMUHOST_TESTS
else
	TESTS=$(ls "$BUILD"/selftests/*_test "$BUILD"/selftests/*_kvmtest \
		2>/dev/null || true)
fi

WORK=$BUILD/emuhost/$NAME
mkdir -p "$BUILD/emuhost"
# Several people (and agents) share one tree: a second boot of the same
# NAME waits rather than deleting the first one's files under it.
exec 8>"$BUILD/emuhost/.$NAME.lock"
if ! flock -n 8; then
	echo "emuhost: $NAME is being booted by someone else; waiting" >&2
	flock 8
fi
rm -rf "$WORK"
mkdir -p "$WORK"
ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,guests,selftests,bench}

# Copy a binary and, if it is dynamically linked, the libraries it needs:
# the initramfs has no libc of its own.
add_binary() {
	local src=$1 dst=$2 lib
	install -m 0755 "$src" "$ROOTFS/$dst"
	if file -L "$src" | grep -q 'dynamically linked'; then
		echo "emuhost: note: $src is dynamically linked; copying its libraries" >&2
		for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
			mkdir -p "$ROOTFS/$(dirname "$lib")"
			cp -Ln "$lib" "$ROOTFS/$lib" 2>/dev/null || true
		done
	fi
}

install -m 0755 "$BUSYBOX" "$ROOTFS/bin/busybox"
install -m 0755 "$HERE/init" "$ROOTFS/init"
printf 'MODE=%s\nTEST_TIMEOUT=%s\nREBOOT_HOW=%s\nREBOOT_KVM=%s\n' "$MODE" \
	"$TEST_TIMEOUT" "${EMUHOST_REBOOT_HOW:-reboot}" "${EMUHOST_REBOOT_KVM:-0}" \
	>"$ROOTFS/emuhost.conf"
# Without /dev/console in the initramfs the kernel starts /init with no
# stdio; /init re-opens it from devtmpfs too, so mknod may fail harmlessly.
mknod -m 600 "$ROOTFS/dev/console" c 5 1 2>/dev/null || true

if [ -f "$KO" ]; then
	install -m 0644 "$KO" "$ROOTFS/shadowvm.ko"
else
	echo "emuhost: warning: $KO missing; insmod will fail" >&2
fi
# The test programs skip when these are missing (a VMX machine may lack
# them); here that would hide a broken build, so a tests boot needs them.
if [ "$MODE" = tests ]; then
	for f in "$RUN" "$STAT" "$GUESTS/hello.bin"; do
		[ -f "$f" ] || { echo "emuhost: $f missing: build it first (make user)" >&2; exit 1; }
	done
fi
[ -f "$RUN" ] && add_binary "$RUN" bin/shadowvm-run
[ -f "$STAT" ] && add_binary "$STAT" bin/shadowvm-stat
for g in "$GUESTS"/*.bin; do
	[ -f "$g" ] && install -m 0644 "$g" "$ROOTFS/guests/"
done
if [ "$MODE" = tests ]; then
	for t in $TESTS; do
		add_binary "$t" "selftests/$(basename "$t")"
	done
fi
if [ "$MODE" = bench ]; then
	cp -r "${EMUHOST_BENCH:?bench mode needs EMUHOST_BENCH}/." "$ROOTFS/bench/"
fi
# The peer for phase 2 (see init): KVM from the same kernel package.
# 6.12 ships its modules xz-compressed, which busybox insmod cannot load.
mkdir -p "$ROOTFS/kvm"
for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-intel.ko; do
	if [ -f "$KMODDIR/kernel/$m" ]; then
		install -m 0644 "$KMODDIR/kernel/$m" "$ROOTFS/kvm/"
	elif [ -f "$KMODDIR/kernel/$m.xz" ]; then
		xz -dc "$KMODDIR/kernel/$m.xz" >"$ROOTFS/kvm/${m##*/}"
	fi
done

# kexec test: the kernel kexecs into itself with an initramfs of busybox
# and /init only (which sees emuhost.kexec=1 and stops at once). Kept
# small: kexec_file_load hashes all of it, slowly in the emulator.
if [ "$MODE" = reboot ] && [ "${EMUHOST_REBOOT_HOW:-}" = kexec ]; then
	small=$WORK/rootfs-kexec
	rm -rf "$small"
	mkdir -p "$small/bin" "$small/dev" "$ROOTFS/kexec"
	install -m 0755 "$BUSYBOX" "$small/bin/busybox"
	install -m 0755 "$HERE/init" "$small/init"
	mknod -m 600 "$small/dev/console" c 5 1 2>/dev/null || true
	(cd "$small" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$ROOTFS/kexec/initrd"
	cp "$VMLINUZ" "$ROOTFS/kexec/vmlinuz"
	add_binary "${EMUHOST_KEXEC:-$BUILD/selftests/kexec-file}" bin/kexec-file
fi
(cd "$ROOTFS" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$WORK/initrd"
# Everything taken from the build tree is in the initramfs now (and the
# kernel image is read from build/deps only): whoever waits for this may
# rebuild the module or the test programs.
touch "$WORK/packed"

# log_buf_len: the report's dmesg must still hold the insmod marker after
# a noisy run (the check fails the boot when it does not).
CMDLINE="console=ttyS0,115200 loglevel=4 log_buf_len=4M mitigations=off nokaslr cryptomgr.notests panic=1 oops=panic reboot=t ${EMUHOST_CMDLINE_EXTRA:-}"
# kexec_file_load hashes the image (~16 MiB) for ~30 s of emulated time
# without a reschedule: no soft-lockup or RCU stall report for that
# emulator artefact.
if [ "$MODE" = reboot ] && [ "${EMUHOST_REBOOT_HOW:-}" = kexec ]; then
	CMDLINE="$CMDLINE nosoftlockup rcupdate.rcu_cpu_stall_suppress=1"
fi
SERIAL=$WORK/serial.log
: >"$SERIAL"

elapsed() {
	awk -v now="$(date +%s.%N)" -v t0="$1" 'BEGIN { printf "%.1f\n", now - t0 }'
}

# Wall time until /init's first line, sampled while the emulator runs.
watch_init() {
	local t0=$1
	while sleep 0.2; do
		if grep -q '@@EMUHOST BOOT' "$SERIAL" 2>/dev/null; then
			elapsed "$t0" >"$WORK/init.secs"
			return
		fi
	done
}

run_bochs() {
	local vmx=$1 cpus=${2:-1} iso=$WORK/iso
	mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
	cp "$VMLINUZ" "$iso/vmlinuz"
	cp "$WORK/initrd" "$iso/initrd"
	cat >"$iso/isolinux/isolinux.cfg" <<-EOF
	SERIAL 0 115200
	PROMPT 0
	TIMEOUT 0
	DEFAULT linux
	LABEL linux
	  KERNEL /vmlinuz
	  APPEND initrd=/initrd $CMDLINE
	EOF
	xorriso -as mkisofs -quiet -o "$WORK/boot.iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
		-boot-info-table "$iso" >"$WORK/xorriso.log" 2>&1 ||
		{ cat "$WORK/xorriso.log" >&2; exit 1; }
	rm -rf "$iso"

	# One option per line; rfb because Debian's Bochs has no nogui and it
	# picks a free port by itself.
	cat >"$WORK/bochsrc" <<-EOF
	memory: guest=${EMUHOST_MEM:-512}, host=${EMUHOST_MEM:-512}
	romimage: file=/usr/share/bochs/BIOS-bochs-latest
	vgaromimage: file=/usr/share/vgabios/vgabios.bin
	cpu: model=bx_generic, count=$cpus, ips=100000000, reset_on_triple_fault=0, ignore_bad_msrs=1
	cpuid: level=6, family=6, model=0x2a, stepping=7, vendor_string="GenuineIntel", mmx=1, apic=x2apic, sep=1, simd=avx2, aes=1, movbe=1, xsave=1, xsaveopt=1, avx_f16c=1, avx_fma=1, bmi=bmi2, x86_64=1, 1g_pages=1, pcid=1, fsgsbase=1, smep=1, smap=1, mwait=1, vmx=$vmx, svm=0
	clock: sync=none, time0=local
	display_library: rfb, options="timeout=0"
	ata0-master: type=cdrom, path=$WORK/boot.iso, status=inserted
	boot: cdrom
	com1: enabled=1, mode=file, dev=$SERIAL
	mouse: enabled=0
	speaker: enabled=0
	pci: enabled=1, chipset=i440fx
	log: $WORK/bochs.log
	panic: action=fatal
	error: action=report
	info: action=report
	debug: action=ignore
	EOF
	# Debian's Bochs has the debugger compiled in: without -rc it waits at
	# a prompt.  Under LANG=C.UTF-8 Bochs 2.7 aborts at start-up with
	# "buffer overflow detected", hence the C locale.
	printf 'continue\nquit\n' >"$WORK/bochs.rc"
	(cd "$WORK" && LANG=C LC_ALL=C timeout "$TIMEOUT" bochs-bin -q -f "$WORK/bochsrc" \
		-rc "$WORK/bochs.rc" </dev/null >"$WORK/bochs.out" 2>&1) || true
}

run_qemu() {
	# qemu64 has no VMX, and TCG refuses +vmx anyway.
	timeout "$TIMEOUT" qemu-system-x86_64 -nodefaults -machine pc,accel=tcg \
		-cpu qemu64 -m 512 -display none -no-reboot \
		-serial "file:$SERIAL" -kernel "$VMLINUZ" -initrd "$WORK/initrd" \
		-append "$CMDLINE" </dev/null >"$WORK/qemu.out" 2>&1 || true
}

# At most EMUHOST_SLOTS emulators at once on this machine (one per core),
# whichever checkout or worktree starts them: more only makes every run
# slower and timeouts likelier. The slot lock stays with the emulator
# process if this script dies.
acquire_slot() {
	local i said= dir=${EMUHOST_SLOT_DIR:-/tmp/shadowvm-emuhost}
	mkdir -p "$dir"
	while :; do
		for ((i = 0; i < ${EMUHOST_SLOTS:-2}; i++)); do
			exec 9>"$dir/slot$i.lock"
			flock -n 9 && return 0
			exec 9>&-
		done
		[ -z "$said" ] && echo "emuhost: $NAME: waiting for a free emulator slot" >&2
		said=1
		sleep 2
	done
}
acquire_slot

t0=$(date +%s.%N)
watch_init "$t0" &
watcher=$!
case $MACHINE in
bochs-vmx2) run_bochs 2 ;;
bochs-vmx1) run_bochs 1 ;;
bochs-smp) run_bochs 2 2 ;;
qemu) run_qemu ;;
esac
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
elapsed "$t0" >"$WORK/boot.secs"

if [ "$MODE" = reboot ] && [ "${EMUHOST_REBOOT_HOW:-}" = kexec ]; then
	grep -q '^@@EMUHOST KEXEC-BOOT' "$SERIAL"
elif [ "$MODE" = reboot ]; then
	grep -q '^@@EMUHOST REBOOT-NOW' "$SERIAL" &&
		! grep -q '^@@EMUHOST REBOOT-RETURNED' "$SERIAL"
else
	grep -q '^@@EMUHOST END' "$SERIAL"
fi
