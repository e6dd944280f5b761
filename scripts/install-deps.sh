#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the emulated VMX test bed needs on a Debian 12 machine and
# record where things are in build/deps.env.  Idempotent: a second run with
# everything present touches neither apt nor the network.
#
# Packages go through apt (needs root).  The kernel image and busybox are
# only *extracted* into build/ with dpkg -x: they boot inside Bochs/QEMU and
# must not replace anything on the host (/boot, /bin/busybox).
#
# Two guest kernels, both the cloud flavour: Debian 12's own 6.1
# (linux-headers-cloud-amd64) and the 6.12 from bookworm-security
# (linux-headers-6.12-cloud-amd64).  The module is built and tested on both.
#
# Knobs: ABI=6.1.0-56 and ABI612=6.12.118+deb12 pin the cloud kernel ABIs
# instead of following the metapackages.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
LOG=$BUILD/deps.log

mkdir -p "$BUILD"
: >"$LOG"

say() { echo "deps: $*"; }
die() {
	echo "deps: error: $*" >&2
	if [ -s "$LOG" ]; then
		echo "deps: last lines of $LOG:" >&2
		tail -n 15 "$LOG" >&2
	fi
	exit 1
}

# Run a command with its output in the log; fail with the log tail.
quiet() {
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 || die "'$*' failed"
}

is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null |
		grep -q 'install ok installed'
}

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root (run 'sudo make deps')"
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	need_root "apt-get update"
	say "apt-get update"
	quiet apt-get update -q
	apt_updated=1
}

# The cloud flavour's ABI, from the metapackage so image and headers follow
# the archive together rather than a hard-coded version.
resolve_abi() {
	apt-cache depends linux-headers-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*\)-cloud-amd64$/\1/p' |
		head -n 1
}

# Whether the 6.12 ABI $1 has headers and image at the identical version:
# already installed and unpacked (no apt query), or both candidates in apt.
both_available() {
	local h=linux-headers-$1-cloud-amd64 i=linux-image-$1-cloud-amd64
	if is_installed "$h" && [ -f "$BUILD/kernel-6.12/boot/vmlinuz-$1-cloud-amd64" ]; then
		return 0
	fi
	apt-cache policy "$h" "$i" 2>/dev/null | awk -v h="$h:" -v i="$i:" '
		$0 == h || $0 == i { pkg = $0 }
		$1 == "Candidate:" && $2 != "(none)" { v[pkg] = $2 }
		END { exit !(v[h] != "" && v[h] == v[i]) }'
}

# The 6.12 ABI: the one linux-headers-6.12-cloud-amd64 points at, if the
# image of the identical version is there too; else the newest 6.12 cloud
# ABI whose headers and image both are (a mirror may carry one before the
# other).
resolve_abi612() {
	local abi
	abi=$(apt-cache depends linux-headers-6.12-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(6\.12\..*\)-cloud-amd64$/\1/p' |
		head -n 1)
	if [ -n "$abi" ] && both_available "$abi"; then
		echo "$abi"
		return
	fi
	for abi in $(apt-cache pkgnames linux-headers-6.12. 2>/dev/null |
		     sed -n 's/^linux-headers-\(6\.12\..*\)-cloud-amd64$/\1/p' |
		     sort -rV); do
		if both_available "$abi"; then
			echo "$abi"
			return
		fi
	done
}

if [ -z "${ABI:-}" ]; then
	ABI=$(resolve_abi)
	if [ -z "$ABI" ]; then
		apt_update
		ABI=$(resolve_abi)
	fi
	[ -n "$ABI" ] || die "cannot resolve the cloud kernel ABI from linux-headers-cloud-amd64"
fi
FLAVOUR=$ABI-cloud-amd64

if [ -z "${ABI612:-}" ]; then
	ABI612=$(resolve_abi612)
	if [ -z "$ABI612" ]; then
		apt_update
		ABI612=$(resolve_abi612)
	fi
	[ -n "$ABI612" ] || die "cannot resolve a 6.12 cloud kernel ABI with both headers and image (linux-headers-6.12-cloud-amd64)"
fi
FLAVOUR612=$ABI612-cloud-amd64

# Build tools (a fresh machine may lack them), then the test bed proper.
PKGS="make gcc libc6-dev perl xz-utils cpio file
      bochs bochsbios vgabios isolinux syslinux-common xorriso qemu-system-x86
      rsync sparse linux-source-6.1 linux-headers-$FLAVOUR linux-headers-$FLAVOUR612
      python3-sphinx dkms groff-base"
# "install-deps.sh bench": also what make bench needs (callgrind).
if [ "${1:-}" = bench ]; then
	PKGS="$PKGS valgrind"
fi

missing=
for p in $PKGS; do
	is_installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	need_root "installing$missing"
	apt_update
	say "installing$missing"
	quiet env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $missing
fi

KDIR=/usr/src/linux-headers-$FLAVOUR
[ -f "$KDIR/Makefile" ] || die "$KDIR is missing after installing linux-headers-$FLAVOUR"
KDIR612=/usr/src/linux-headers-$FLAVOUR612
[ -f "$KDIR612/Makefile" ] || die "$KDIR612 is missing after installing linux-headers-$FLAVOUR612"

# Fetch a .deb (optionally at an exact version) and unpack it into $2.
# apt-get download refuses to run as root in a directory _apt cannot
# write, so download into a directory we own and tell apt not to drop
# privileges for it.
extract_deb() {
	local spec=$1 dest=$2 dl=$BUILD/deps/debs
	mkdir -p "$dl" "$dest"
	rm -f "$dl"/*.deb
	if ! (cd "$dl" && apt-get -q -o APT::Sandbox::User=root download "$spec") \
		>>"$LOG" 2>&1; then
		apt_update
		(cd "$dl" && quiet apt-get -q -o APT::Sandbox::User=root download "$spec")
	fi
	quiet dpkg -x "$dl"/*.deb "$dest"
	rm -f "$dl"/*.deb
}

# A guest kernel: the image matching the installed headers exactly,
# unpacked into $2 (never /boot).
extract_kernel() {
	local flavour=$1 dir=$2 hver
	[ -f "$dir/boot/vmlinuz-$flavour" ] && return 0
	hver=$(dpkg-query -W -f='${Version}' "linux-headers-$flavour")
	say "extracting linux-image-$flavour $hver into ${dir#"$ROOT"/}"
	rm -rf "$dir"
	extract_deb "linux-image-$flavour=$hver" "$dir"
	[ -f "$dir/boot/vmlinuz-$flavour" ] ||
		die "linux-image-$flavour has no boot/vmlinuz-$flavour"
}

KERNEL_DIR=$BUILD/kernel
VMLINUZ=$KERNEL_DIR/boot/vmlinuz-$FLAVOUR
KMODDIR=$KERNEL_DIR/lib/modules/$FLAVOUR
extract_kernel "$FLAVOUR" "$KERNEL_DIR"

KERNEL_DIR612=$BUILD/kernel-6.12
VMLINUZ612=$KERNEL_DIR612/boot/vmlinuz-$FLAVOUR612
KMODDIR612=$KERNEL_DIR612/lib/modules/$FLAVOUR612
extract_kernel "$FLAVOUR612" "$KERNEL_DIR612"

# Static busybox: /init and every tool inside the emulated host.
BUSYBOX=$BUILD/deps/busybox/bin/busybox
if [ ! -x "$BUSYBOX" ]; then
	say "extracting busybox-static into build/deps/busybox"
	extract_deb busybox-static "$BUILD/deps/busybox"
	[ -x "$BUSYBOX" ] || die "busybox-static has no bin/busybox"
fi

# kselftest headers and checkpatch come from the kernel source tarball; one
# tar pass (~10 s) only when something is missing.  Never committed.
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
KSFT=$BUILD/kselftest
CP=$BUILD/checkpatch
if [ ! -f "$KSFT/kselftest_harness.h" ] || [ ! -f "$KSFT/kselftest.h" ] ||
   [ ! -f "$CP/checkpatch.pl" ] || [ ! -f "$CP/spelling.txt" ] ||
   [ ! -f "$CP/const_structs.checkpatch" ]; then
	[ -f "$SRC_TAR" ] || die "$SRC_TAR missing (package linux-source-6.1)"
	say "extracting kselftest headers and checkpatch from $SRC_TAR"
	tmp=$(mktemp -d "$BUILD/.src.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	quiet tar -xJf "$SRC_TAR" -C "$tmp" --wildcards \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	mkdir -p "$KSFT" "$CP"
	cp "$tmp"/*/tools/testing/selftests/kselftest_harness.h \
	   "$tmp"/*/tools/testing/selftests/kselftest.h "$KSFT/"
	cp "$tmp"/*/scripts/checkpatch.pl "$tmp"/*/scripts/spelling.txt \
	   "$tmp"/*/scripts/const_structs.checkpatch "$CP/"
	chmod +x "$CP/checkpatch.pl"
	rm -rf "$tmp"
	trap - EXIT
fi

for f in /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
	 /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin; do
	[ -f "$f" ] || die "$f missing"
done

cat >"$BUILD/deps.env.tmp" <<EOF
# Written by scripts/install-deps.sh; sourced by scripts/check.sh and demo.sh.
ABI=$ABI
KDIR=$KDIR
VMLINUZ=$VMLINUZ
KMODDIR=$KMODDIR
ABI612=$ABI612
KDIR612=$KDIR612
VMLINUZ612=$VMLINUZ612
KMODDIR612=$KMODDIR612
BUSYBOX=$BUSYBOX
KSELFTEST_DIR=$KSFT
CHECKPATCH=$CP/checkpatch.pl
EOF
mv "$BUILD/deps.env.tmp" "$BUILD/deps.env"
say "ok (cloud kernels $FLAVOUR and $FLAVOUR612; see build/deps.env)"
