#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run guest payloads under QEMU TCG through the multiboot stub and check
# their serial output: a check of the payloads themselves on a real page
# walker, without shadowvm.ko. Prints TAP; exit status 1 on any failure.
#
#   user/qemu-stub/run.sh BUILD_DIR
set -uo pipefail
BUILD=${1:?usage: run.sh BUILD_DIR}
STUBS=$BUILD/user/qemu-stub
n=0 failed=0

# name, expected exit status from QEMU (isa-debug-exit: (V << 1) | 1; a
# guest that halts is stopped by timeout: 124), text that must appear
cases=(
	"hello|124|Hello from shadowvm guest"
	"exitcode|43|exiting with 21"
	"pagefault|124|pagefault: all checks passed"
	"cr3switch|124|cr3switch: all checks passed"
	"mmio|124|read8 0x"
	"accesstest|124|PASS: accesstest: every access matches"
	"accesstest-full|124|PASS: accesstest: every access matches"
	"l3share|124|l3share: .* all checks passed"
	"ptreuse|124|ptreuse: all checks passed"
	"cowfork|124|cowfork: .* all checks passed"
	"modes|124|modes: .* all checks passed"
	"accesstest32|124|PASS: accesstest32: every access matches"
	"accesstest32-full|124|PASS: accesstest32: every access matches"
	"hello32|124|hello32: all checks passed (unpaged)"
	"hello32-32|124|hello32: all checks passed (32)"
	"hello32-pae|124|hello32: all checks passed (pae)"
)
echo "TAP version 13"
echo "1..${#cases[@]}"
for c in "${cases[@]}"; do
	IFS='|' read -r name want text <<<"$c"
	n=$((n + 1))
	out=$STUBS/$name.out
	timeout 5 qemu-system-x86_64 -cpu max -m 16 -kernel "$STUBS/$name.elf" \
		-display none -monitor none -serial "file:$out" -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null \
		>"$STUBS/$name.qemu.log" 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && grep -q "$text" "$out" && ! grep -q FAIL "$out"; then
		echo "ok $n $name"
	else
		echo "not ok $n $name (status $rc, want $want)"
		sed 's/^/# /' "$out" "$STUBS/$name.qemu.log"
		failed=$((failed + 1))
	fi
done
[ "$failed" = 0 ]
