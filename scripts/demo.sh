#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the emulated VMX host (Bochs, bx_generic, vmx=2), insmod
# shadowvm.ko, run the hello guest with "shadowvm-run --stats" and show
# what it printed.  Knobs: DEMO_VMX=1 for the CPU without EPT/VPID;
# DEMO_NO_BUILD=1 to use what is built; EMUHOST_* as in emuhost/boot.sh.

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
cd "$ROOT" || exit 1

[ -f "$BUILD/deps.env" ] || { echo "demo: build/deps.env missing: run 'make deps' (as root)" >&2; exit 1; }
# shellcheck source=/dev/null
. "$BUILD/deps.env"

LOG=$BUILD/demo-build.log
if [ -z "${DEMO_NO_BUILD:-}" ]; then
	echo "demo: building module, launcher and guests"
	if ! { make -j2 module KDIR="$KDIR" && make -j2 user; } >"$LOG" 2>&1; then
		tail -n 30 "$LOG" >&2
		echo "demo: build failed (full log: ${LOG#"$ROOT"/})" >&2
		exit 1
	fi
fi
guests=${EMUHOST_GUESTS:-$BUILD/guests}
[ -f "$guests/hello.bin" ] || { echo "demo: $guests/hello.bin was not built" >&2; exit 1; }

machine=bochs-vmx${DEMO_VMX:-2}
echo "demo: booting the Debian cloud kernel in Bochs ($machine); this takes ~10 s"
scripts/emuhost/boot.sh demo "$machine" demo
dir=$BUILD/emuhost/demo
tr -d '\r' <"$dir/serial.log" >"$dir/serial.txt"

if ! grep -q '^@@EMUHOST DEMO-BEGIN' "$dir/serial.txt"; then
	echo "demo: the emulated host did not get to run the guest; serial log tail:" >&2
	tail -n 40 "$dir/serial.txt" >&2
	exit 1
fi
if ! grep -q '^@@EMUHOST RESULT insmod rc=0' "$dir/serial.txt"; then
	echo "demo: insmod shadowvm.ko failed:" >&2
	sed -n '/^@@EMUHOST RESULT insmod/,/^@@EMUHOST RESULT rmmod/p' "$dir/serial.txt" >&2
fi
echo "demo: # shadowvm-run --stats /guests/hello.bin"
sed -n '/^@@EMUHOST DEMO-BEGIN/,/^@@EMUHOST DEMO-END/p' "$dir/serial.txt" |
	sed '1d;$d'
rc=$(sed -n 's/^@@EMUHOST DEMO-END rc=//p' "$dir/serial.txt")
echo "demo: shadowvm-run exited with status $rc (boot + run took $(cat "$dir/boot.secs") s)"
[ "$rc" = 0 ]
