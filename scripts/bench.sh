#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: shadowvm against KVM's shadow MMU (kvm_intel ept=0) in one
# boot of the emulated VMX host, plus instruction counts of the pager's
# hot paths from the userspace model under callgrind.
#
#   1. build the module, the launcher, the workload guests and the model
#      benchmark (build/model/mmu-bench, -O2, no sanitizers)
#   2. callgrind: instructions per common L1 fault, cached CR3 reload and
#      emulated PTE write
#   3. boot Bochs (bx_generic vmx=2) once: every workload of
#      scripts/bench/workloads BENCH_REPS times under shadowvm, then,
#      with shadowvm unloaded and kvm_intel ept=0 loaded, under KVM
#      (shadowvm-run --backend=kvm)
#   4. one table (medians) on stdout and in build/bench/results.txt
#
# Knobs (environment):
#   BENCH_REPS=3           runs per workload and backend (median reported)
#   BENCH_ONLY="demand fork"   run only these workloads
#   BENCH_NO_BUILD=1       use what is built
#   BENCH_NO_BOOT=1        do not boot: re-parse build/emuhost/bench/serial.log
#   BENCH_NO_MODEL=1       skip the callgrind figures
#   EMUHOST_MEM [1024]  EMUHOST_TIMEOUT [1800]  (see scripts/emuhost/boot.sh)
#
# Exit status: 0 when every run of every workload passed its own checks
# on both backends and the model figures were measured; 1 otherwise. The
# timing targets of the project are reported, never enforced.

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
OUT=$BUILD/bench
NAME=bench
WORK=$BUILD/emuhost/$NAME
cd "$ROOT" || exit 1

die() { echo "bench: $*" >&2; exit 1; }

[ -f "$BUILD/deps.env" ] || die "build/deps.env missing: run 'make deps' (as root) first"
# shellcheck source=/dev/null
. "$BUILD/deps.env"

REPS=${BENCH_REPS:-3}
case $REPS in '' | *[!0-9]* | 0) die "BENCH_REPS must be a positive number" ;; esac
# One line per workload for grep -x; ORDER is the same, space separated.
WORKLOADS=$(grep -v '^#' scripts/bench/workloads | awk 'NF { print $1 }')
ORDER=$(echo "$WORKLOADS" | tr '\n' ' ')
ONLY=$(echo "${BENCH_ONLY:-}" | tr ',' ' ')
for w in $ONLY; do
	echo "$WORKLOADS" | grep -qx "$w" ||
		die "unknown workload '$w' in BENCH_ONLY (known: $ORDER)"
done

mkdir -p "$OUT"
status=0

if [ -z "${BENCH_NO_BUILD:-}" ]; then
	echo "bench: building module, launcher, guests, the differential programs and the model benchmark"
	# All guests and selftests: the long differential run needs
	# differential_test/_kvmtest and the accesstest/pttorture guests.
	if ! { make -j2 module KDIR="$KDIR" &&
	       make -j2 user selftests &&
	       make -C selftests/mmu-model -f bench.mk BUILD="$BUILD"; } \
		>"$OUT/build.log" 2>&1; then
		tail -n 30 "$OUT/build.log" >&2
		die "build failed (full log: build/bench/build.log)"
	fi
fi

# --- instruction counts from the model -------------------------------------
MODEL=$OUT/model.txt
if [ -z "${BENCH_NO_MODEL:-}" ]; then
	: >"$MODEL"
	if ! command -v valgrind >/dev/null; then
		echo "bench: valgrind missing: run 'scripts/install-deps.sh bench' (as root)" >&2
		echo "model: valgrind missing" >"$MODEL"
		status=1
	else
		echo "bench: callgrind on build/model/mmu-bench"
		for c in l1fault:bench_l1_fault:"common L1 shadow fault" \
			 cr3:bench_cr3_reload:"cached CR3 reload" \
			 ptewrite:bench_pte_write:"emulated PTE write"; do
			IFS=: read -r name fn what <<<"$c"
			cg=$OUT/callgrind.$name
			if ! valgrind --tool=callgrind --callgrind-out-file="$cg" \
				--toggle-collect="$fn" "$BUILD/model/mmu-bench" "$name" \
				>"$cg.stdout" 2>"$cg.stderr"; then
				cat "$cg.stdout" "$cg.stderr" >&2
				echo "$what: FAILED (see ${cg#"$ROOT"/}.stdout)" >>"$MODEL"
				status=1
				continue
			fi
			calls=$(sed -n 's/.* calls \([0-9]*\)$/\1/p' "$cg.stdout")
			ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$cg")
			awk -v what="$what" -v fn="$fn" -v ir="$ir" -v calls="$calls" 'BEGIN {
				printf "%-24s %7.0f instructions/call  (%s: %d Ir / %d calls)\n",
					what, ir / calls, fn, ir, calls }' >>"$MODEL"
		done
	fi
fi

# --- the emulated host --------------------------------------------------------
if [ -z "${BENCH_NO_BOOT:-}" ]; then
	payload=$OUT/payload
	rm -rf "$payload"
	mkdir -p "$payload"
	cp scripts/bench/run scripts/bench/workloads "$payload/"
	# The long differential run (both phases), unless BENCH_ONLY picks.
	if [ -z "$ONLY" ]; then
		for t in differential_test differential_kvmtest; do
			[ -x "$BUILD/selftests/$t" ] ||
				die "build/selftests/$t missing (make selftests)"
			cp "$BUILD/selftests/$t" "$payload/"
		done
	fi
	echo "$REPS" >"$payload/reps"
	[ -n "$ONLY" ] && echo "$ONLY" >"$payload/only"
	for w in ${ONLY:-$WORKLOADS}; do
		[ -f "$BUILD/guests/$w.bin" ] || die "build/guests/$w.bin missing"
	done
	echo "bench: booting the emulated host (Bochs bx_generic vmx=2): $REPS run(s) of each workload under shadowvm, then under KVM ept=0; this takes a while (progress: build/emuhost/$NAME/serial.log)"
	t0=$(date +%s)
	EMUHOST_BENCH=$payload EMUHOST_MEM=${EMUHOST_MEM:-1024} \
	EMUHOST_TIMEOUT=${EMUHOST_TIMEOUT:-1800} \
		scripts/emuhost/boot.sh "$NAME" bochs-vmx2 bench ||
		echo "bench: the emulated host did not reach its end marker" >&2
	echo "bench: emulated host done in $(( $(date +%s) - t0 )) s"
fi
[ -f "$WORK/serial.log" ] || die "no $WORK/serial.log"

# --- parse and tabulate ---------------------------------------------------------
tr -d '\r' <"$WORK/serial.log" >"$OUT/serial.txt"
RUNS=$OUT/runs.txt
awk -f scripts/bench/parse.awk "$OUT/serial.txt" >"$RUNS"
RESULTS=$OUT/results.txt
{
	echo "shadowvm vs KVM shadow paging (kvm_intel ept=0), run of $(date -u -r "$WORK/serial.log" '+%Y-%m-%d %H:%M UTC')"
	echo "host: Bochs $(bochs-bin --help 2>&1 | sed -n 's/.*Bochs x86 Emulator \([0-9.]*\).*/\1/p' | head -n 1) bx_generic vmx=2, 1 CPU, ips=100M; emulated host kernel $ABI-cloud-amd64, RAM ${EMUHOST_MEM:-1024} MiB; guests 1 vCPU"
	awk -v reps="$REPS" -v order="${ONLY:-$ORDER}" \
		-f scripts/bench/table.awk "$RUNS"
	echo
	echo "Model of the MMU core (userspace, -O2, callgrind Ir of the pager call alone; target <= 1000 on the common L1 fault):"
	if [ -s "$MODEL" ]; then cat "$MODEL"; else echo "  (not measured)"; fi
	if [ -z "$ONLY" ]; then
		echo
		echo "Differential run, long (DIFFERENTIAL_LONG=1: dumps under shadowvm, compared under KVM):"
		sed -n '/^@@BENCH DIFF-BEGIN backend=kvm/,/^@@BENCH DIFF-END backend=kvm/p' "$OUT/serial.txt" |
			sed -n 's/^# \(.*outcome lines compared.*\)$/  \1/p; s/^# \(difference .*\)$/  \1/p; s/^#   \(.*\)$/    \1/p'
		for b in shadowvm kvm; do
			rc=$(sed -n "s/^@@BENCH DIFF-END backend=$b rc=\([0-9]*\).*/\1/p" "$OUT/serial.txt" | head -n 1)
			echo "  $b phase: rc=${rc:-missing}"
			[ "$rc" = 0 ] || echo "FAILED: differential run ($b phase)"
		done
	fi
} >"$RESULTS"
cat "$RESULTS"
grep -q '^FAILED' "$RESULTS" && status=1
grep -q 'missing run' "$RESULTS" && status=1
echo "bench: results in build/bench/results.txt"
exit $status
