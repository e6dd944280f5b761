#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build everything, run every test source, print one verdict.
#
# Sources:
#   docs          make htmldocs: Sphinx -W over Documentation/ (host); one
#                 pass per page without warnings, one failure per warning
#   build-warnings  the module built from scratch for every supported kernel
#                 (6.1 and 6.12 cloud headers) with W=1 and sparse (C=2),
#                 in build/module-<ABI>/; fails on any compiler, objtool,
#                 modpost or sparse warning, prints the counts
#   mmu-model     make -C selftests/mmu-model run     (host, TAP)
#   emulate-test  make -C selftests/emulate-test run  (host, TAP)
#   packaging     scripts/packaging-test.sh (host, TAP): version agreement,
#                 the launcher's command line and exit statuses, man pages,
#                 make install/uninstall into a DESTDIR, dkms add/build/
#                 install/remove for each kernel in deps.env, all under build/
#   bochs-vmx2    Bochs bx_generic vmx=2: insmod, all *_test, rmmod, then
#                 kvm_intel ept=0 and all *_kvmtest (differential runs)
#   bochs-vmx1    Bochs bx_generic vmx=1 (no EPT/VPID): the same
#   bochs-smp     Bochs vmx=2 with two CPUs: migration, lifetime, guest tests
#   bochs-612     bochs-vmx2 with the 6.12 cloud kernel and the module built
#                 for it (build/module-<ABI612>/shadowvm.ko)
#   qemu          QEMU TCG, no VMX: insmod, vmx_absent_test, rmmod
#   bochs-reboot  Bochs vmx=2, two CPUs: the host goes down (reboot -f,
#                 then an emergency restart by SysRq-b, on 6.1, and SysRq-b
#                 with KVM loaded next to shadowvm on 6.1 and 6.12) while a
#                 guest runs on the second CPU; VMX must be off on every
#                 CPU at the reset
#   bochs-kexec   (only when named in CHECK_ONLY: ~2.5 min) the same with
#                 a kexec into the same kernel, which must start both CPUs
#
# Knobs (environment):
#   CHECK_ONLY="bochs-vmx2 mmu-model"  run only these sources (space or comma)
#   CHECK_NO_BUILD=1     reuse the module/launcher/selftests already built
#   CHECK_VERBOSE=1      print every test program's output, not only failures
#   EMUHOST_TEST_TIMEOUT per test program inside the emulated host
#                        [timeout= in selftests/settings]
#   EMUHOST_TIMEOUT      per emulator run [600 s]
#   EMUHOST_KO, EMUHOST_TESTS, EMUHOST_QEMU_TESTS  payload overrides
#                        (see scripts/emuhost/boot.sh)
#
# The last line is "N passed, N failed, N skipped"; the exit status is
# non-zero when anything failed or could not run.

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
OUT=$BUILD/check
TAP_AWK=$ROOT/scripts/tap-count.awk
cd "$ROOT" || exit 1

if [ ! -f "$BUILD/deps.env" ]; then
	echo "check: build/deps.env missing: run 'make deps' (as root) first" >&2
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
# shellcheck source=/dev/null
. "$BUILD/deps.env"

ALL_SOURCES="docs build-warnings mmu-model emulate-test packaging bochs-vmx2 bochs-vmx1 bochs-smp bochs-612 qemu bochs-reboot"
# Too slow for every run; CHECK_ONLY can name them.
EXTRA_SOURCES="bochs-kexec"
ONLY=" $(echo "${CHECK_ONLY:-$ALL_SOURCES}" | tr ',' ' ') "
for s in $ONLY; do
	case " $ALL_SOURCES $EXTRA_SOURCES " in
	*" $s "*) ;;
	*) echo "check: unknown source '$s' in CHECK_ONLY (known: $ALL_SOURCES $EXTRA_SOURCES)" >&2
	   exit 2 ;;
	esac
done
want() { case "$ONLY" in *" $1 "*) return 0 ;; esac; return 1; }

# One make check per tree at a time: they share build/check and the
# emulated-host work directories.
exec 7>"$BUILD/.check.lock"
if ! flock -n 7; then
	echo "check: another check is running in this tree; waiting for it"
	flock 7
fi

rm -rf "$OUT"
mkdir -p "$OUT"
FAILURES=$OUT/failures.txt
SUMMARY=$OUT/summary.txt
: >"$FAILURES"
: >"$SUMMARY"

total_pass=0 total_fail=0 total_skip=0
add_counts() {
	total_pass=$((total_pass + $1))
	total_fail=$((total_fail + $2))
	total_skip=$((total_skip + $3))
}
summary() { printf "%-14s %s\n" "$1:" "${*:2}" >>"$SUMMARY"; }
failure() { printf '%s\n' "$@" >>"$FAILURES"; }

# Print a file into the failure report, capped so one runaway test does
# not bury the rest.
failure_file() {
	local f=$1 max=${2:-150} n
	n=$(wc -l <"$f")
	if [ "$n" -gt "$max" ]; then
		echo "[... $((n - max)) earlier lines cut; full output in ${f#"$ROOT"/}]" >>"$FAILURES"
	fi
	tail -n "$max" "$f" >>"$FAILURES"
}

# Count one TAP stream; sets p f s; adds failing output to the report.
count_tap() {
	local label=$1 file=$2 rc=$3 res note
	res=$(awk -v rc="$rc" -f "$TAP_AWK" "$file")
	read -r p f s note <<<"$(head -n 1 <<<"$res")"
	if [ "$f" -gt 0 ]; then
		failure "" "---- $label: $f failed${note:+ ($note)}, exit status $rc ----"
		failure_file "$file"
	elif [ -n "${CHECK_VERBOSE:-}" ]; then
		echo "---- $label (exit status $rc) ----"
		cat "$file"
	fi
}

# ---------------------------------------------------------------- build
boots_wanted=
for m in bochs-vmx2 bochs-vmx1 bochs-smp bochs-612 qemu bochs-reboot bochs-kexec; do want $m && boots_wanted=1; done
# The module for the 6.12 kernel lives in a copy of the sources, so that
# the 6.1 objects and ./shadowvm.ko stay as they are.
MODDIR612=$BUILD/module-${ABI612:-none}
build_failed=
if [ -n "$boots_wanted" ] && [ -z "${CHECK_NO_BUILD:-}" ]; then
	echo "check: building module (KDIR=$KDIR), launcher, selftests"
	t0=$(date +%s)
	if ! make -j2 module KDIR="$KDIR" >"$OUT/build-module.log" 2>&1; then
		failure "" "---- build: make module KDIR=$KDIR failed ----"
		failure_file "$OUT/build-module.log" 40
		summary build "make module failed"
		add_counts 0 1 0
		build_failed=1
	fi
	# (build-warnings rebuilds that directory from scratch anyway)
	if { want bochs-612 || want bochs-reboot; } && ! want build-warnings; then
		if [ -z "${KDIR612:-}" ]; then
			failure "" "---- build: build/deps.env has no KDIR612: run 'make deps' ----"
			summary build "no 6.12 headers"
			add_counts 0 1 0
			build_failed=1
		elif ! scripts/build-module.sh "$KDIR612" "$MODDIR612" -j2 \
			>"$OUT/build-module-612.log" 2>&1; then
			failure "" "---- build: module for $KDIR612 failed ----"
			failure_file "$OUT/build-module-612.log" 40
			summary build "module for 6.12 failed"
			add_counts 0 1 0
			build_failed=1
		fi
	fi
	if ! make -j2 user selftests >"$OUT/build-user.log" 2>&1; then
		failure "" "---- build: make user selftests failed ----"
		failure_file "$OUT/build-user.log" 40
		summary build "make user selftests failed"
		add_counts 0 1 0
		build_failed=1
	fi
	[ -z "$build_failed" ] && summary build "ok ($(($(date +%s) - t0)) s)"
fi

# ------------------------------------------------------- build warnings

# Count the warnings of one from-scratch build (sets gcc objtool modpost
# sparse; the full output stays in the log).  Two passes: a clean W=1 build
# for the compiler, objtool and modpost, then C=2, which runs sparse on
# every file without recompiling, so each count comes from one tool alone.
count_build_warnings() {
	local kdir=$1 dir=$2 log=$3
	gcc=0 objtool=0 modpost=0 sparse=0
	rm -rf "$dir"
	scripts/build-module.sh "$kdir" "$dir" -j2 >"$log.w1" 2>&1 || return 1
	scripts/build-module.sh "$kdir" "$dir" C=2 >"$log.sparse" 2>&1 || return 1
	cat "$log.w1" "$log.sparse" >"$log"
	objtool=$(grep -c 'objtool:' "$log.w1")
	modpost=$(grep -Ec '^(WARNING|ERROR): modpost:' "$log.w1")
	gcc=$(grep -v 'objtool:' "$log.w1" | grep -Ec '(warning|error):')
	sparse=$(grep -Ec '(warning|error):' "$log.sparse")
	# No CHECK line means sparse did not run: a clean count would be vacuous.
	grep -q '^  CHECK ' "$log.sparse" || return 2
	[ -f "$dir/shadowvm.ko" ] || return 1
}

if want build-warnings; then
	echo "check: build-warnings"
	bw_pass=0 bw_fail=0 bw_notes= bw_t0=$(date +%s)
	for k in "6.1 ${KDIR:-} ${ABI:-}" "6.12 ${KDIR612:-} ${ABI612:-}"; do
		read -r kname kdir kabi <<<"$k"
		if [ -z "$kabi" ]; then
			bw_fail=$((bw_fail + 1))
			failure "" "---- build-warnings: no $kname headers in build/deps.env (run 'make deps') ----"
			continue
		fi
		log=$OUT/build-warnings-$kname.log
		count_build_warnings "$kdir" "$BUILD/module-$kabi" "$log"
		rc=$?
		n=$((gcc + objtool + modpost + sparse))
		bw_notes="$bw_notes; $kabi: gcc $gcc, objtool $objtool, modpost $modpost, sparse $sparse"
		if [ "$rc" = 0 ] && [ "$n" = 0 ]; then
			bw_pass=$((bw_pass + 1))
			continue
		fi
		bw_fail=$((bw_fail + 1))
		case $rc in
		0) failure "" "---- build-warnings: $n warnings building for $kabi (gcc $gcc, objtool $objtool, modpost $modpost, sparse $sparse) ----"
		   grep -E -A2 '(warning|error):|^(WARNING|ERROR): modpost:' "$log" |
		   grep -Ev '^  [A-Z]+ +\/' | head -n 80 >>"$FAILURES" ;;
		2) failure "" "---- build-warnings: sparse did not run for $kabi (is sparse installed? run 'make deps') ----" ;;
		*) failure "" "---- build-warnings: the build for $kabi failed ----"
		   failure_file "$log" 40 ;;
		esac
	done
	add_counts "$bw_pass" "$bw_fail" 0
	summary build-warnings "$bw_pass passed, $bw_fail failed, 0 skipped (${bw_notes#; }; $(($(date +%s) - bw_t0)) s)"
fi

# ---------------------------------------------------------- emulated hosts

# Split serial.txt into per-test outputs and the kernel log.
split_serial() {
	local dir=$1
	mkdir -p "$dir/tests"
	awk -v dir="$dir" '
	/^@@EMUHOST TEST-BEGIN / { name = $3; out = dir "/tests/" name ".out";
				   printf "" > out; next }
	/^@@EMUHOST TEST-END / { rc = $4; sub(/^rc=/, "", rc);
				 print rc > (dir "/tests/" $3 ".rc");
				 close(out); out = ""; next }
	/^@@EMUHOST DMESG-BEGIN/ { out = dir "/dmesg.txt"; printf "" > out; next }
	/^@@EMUHOST DMESG-END/ { close(out); out = ""; next }
	/^@@EMUHOST DEMO-BEGIN/ { out = dir "/demo.txt"; printf "" > out; next }
	/^@@EMUHOST DEMO-END/ { close(out); out = ""; next }
	out != "" { print > out }
	' "$dir/serial.txt"
}

# Messages that mean the kernel is unhappy.  Only judged after our marker
# in the kernel log, so boot-time noise of the emulated machine is ignored.
BAD_KERNEL='Oops|BUG:|WARNING:|kmemleak|[Ll]eak|hung task|blocked for more than|general protection|Call Trace|Kernel panic'

# Start one boot in the background (boot.sh waits for an emulator slot).
# Its output goes to build/check/boot-NAME.log; boot_wait collects it.
declare -A boot_pids
boot_start() {
	local name=$1
	shift
	echo "check: $name: booting (in the background)"
	# Nothing of an earlier run may be counted as this one's: a boot.sh
	# that stops before booting leaves no serial.log, not an old one.
	rm -rf "$BUILD/emuhost/check-$name"
	"$@" >"$OUT/boot-$name.log" 2>&1 &
	boot_pids[$name]=$!
}
# Wait for a boot; false (after reporting it) when it never booted.
boot_wait() {
	local rc
	wait "${boot_pids[$1]}"
	rc=$?
	echo "check: $1: done"
	cat "$OUT/boot-$1.log"
	[ -f "$BUILD/emuhost/check-$1/serial.log" ] && return 0
	failure "" "---- $1: boot.sh exited with status $rc before booting ----"
	failure_file "$OUT/boot-$1.log" 20
	add_counts 0 1 0
	summary "$1" "0 passed, 1 failed, 0 skipped (did not boot)"
	return 1
}
# Whether every boot started so far has packed its initramfs (boot.sh
# touches "packed" once the module and test programs are copied), or
# ended: after that, the build tree may change under them.
boots_packed() {
	local name dir
	for name in "${!boot_pids[@]}"; do
		dir=$BUILD/emuhost/check-$name
		[ -f "$dir/packed" ] && continue
		kill -0 "${boot_pids[$name]}" 2>/dev/null || continue
		return 1
	done
}

# The test programs a machine runs (empty: missing, counted as a failure).
tests_for() {
	case $1 in
	bochs-smp)
		# Two CPUs: the tests about host CPUs (migration, kicks, kills).
		echo "${EMUHOST_SMP_TESTS-$(ls "$BUILD"/selftests/migration_test \
			"$BUILD"/selftests/lifetime_test \
			"$BUILD"/selftests/guest_test 2>/dev/null)}" ;;
	qemu)
		# No VMX here: only the test that expects its absence.
		echo "${EMUHOST_QEMU_TESTS-$(ls "$BUILD/selftests/vmx_absent_test" 2>/dev/null)}" ;;
	*)
		echo "${EMUHOST_TESTS-$(ls "$BUILD"/selftests/*_test "$BUILD"/selftests/*_kvmtest 2>/dev/null)}" ;;
	esac
}

boot_tests_start() {
	local m=$1 machine=$1 kernel=6.1
	# bochs-612: the vmx=2 machine with the other kernel.
	[ "$m" = bochs-612 ] && machine=bochs-vmx2 kernel=6.12
	boot_start "$m" env EMUHOST_KERNEL=$kernel EMUHOST_TESTS="$(tests_for "$m")" \
		scripts/emuhost/boot.sh "check-$m" "$machine" tests
}

# Whole programs that may skip (exit 4) on a machine; any other whole-
# program skip in an emulated host means something is missing there.
skip_allowed() {
	case "$1/$2" in
	bochs-*/vmx_absent_test) return 0 ;;	# VMX is present
	esac
	return 1
}

boot_and_count() {
	local m=$1 tests=$2
	local dir=$BUILD/emuhost/check-$m
	local bp=0 bf=0 bs=0 tp=0 tf=0 ts=0 t name rc bootfail="" secs initsecs
	local why skipped=""
	boot_wait "$m" || return 0
	tr -d '\r' <"$dir/serial.log" >"$dir/serial.txt"
	split_serial "$dir"

	if grep -q '^@@EMUHOST END' "$dir/serial.txt"; then
		bp=$((bp + 1))
	else
		bf=$((bf + 1)) bootfail=1
		failure "" "---- $m: the boot did not reach the end marker ----"
		t=$(grep '^@@EMUHOST RUN ' "$dir/serial.txt" | tail -n 1 | cut -d' ' -f3)
		[ -n "$t" ] && failure "(last test program started: $t)"
	fi

	rc=$(sed -n 's/^@@EMUHOST RESULT insmod rc=//p' "$dir/serial.txt")
	[ -z "$rc" ] && rc=$(sed -n 's/^@@EMUHOST INSMOD rc=//p' "$dir/serial.txt")
	if [ "$rc" = 0 ]; then
		bp=$((bp + 1))
	else
		bf=$((bf + 1)) bootfail=1
		failure "" "---- $m: insmod shadowvm.ko failed (rc=${rc:-none}) ----"
		sed -n '/^@@EMUHOST RESULT insmod/,/^@@EMUHOST RESULT rmmod/p' \
			"$dir/serial.txt" >>"$FAILURES"
	fi
	# The module must create /dev/shadowvm (also without VMX): otherwise
	# every selftest skips and the run would look clean.
	if grep -q '^@@EMUHOST DEVNODE present' "$dir/serial.txt"; then
		bp=$((bp + 1))
	else
		bf=$((bf + 1)) bootfail=1
		failure "" "---- $m: /dev/shadowvm missing after insmod ----"
	fi
	if grep -q '^@@EMUHOST RESULT rmmod rc=0' "$dir/serial.txt"; then
		bp=$((bp + 1))
	elif [ "$rc" = 0 ]; then
		bf=$((bf + 1)) bootfail=1
		failure "" "---- $m: rmmod shadowvm failed ----"
		sed -En '/^@@EMUHOST RESULT rmmod/,/^@@EMUHOST (DEMO|DMESG)-BEGIN/p' \
			"$dir/serial.txt" | sed '$d' >>"$FAILURES"
	fi
	# Phase 2 (when the machine has *_kvmtest programs): KVM loaded,
	# shadowvm loaded again next to it and unloaded at the end.
	case " $(basename -a $tests 2>/dev/null | tr '\n' ' ') " in
	*_kvmtest" "*)
		if grep -q '^@@EMUHOST RESULT kvm rc=0' "$dir/serial.txt" &&
		   grep -q '^@@EMUHOST RESULT phase2 insmod rc=0 rmmod rc=0' "$dir/serial.txt"; then
			bp=$((bp + 1))
		else
			bf=$((bf + 1)) bootfail=1
			failure "" "---- $m: phase 2 (kvm_intel ept=0, shadowvm next to it) did not load or unload cleanly ----"
			grep -E '^@@EMUHOST RESULT (kvm|phase2)' "$dir/serial.txt" >>"$FAILURES"
			sed -En '/^@@EMUHOST RESULT kvm/,/^@@EMUHOST (RESULT phase2|DEMO|DMESG)/p' \
				"$dir/serial.txt" | head -n 20 >>"$FAILURES"
		fi ;;
	esac

	# Kernel log after insmod: the full dmesg when the report made it out,
	# else whatever the console showed after /init loaded the module.
	if [ -f "$dir/dmesg.txt" ]; then
		sed -n '/emuhost: insmod shadowvm.ko/,$p' "$dir/dmesg.txt" >"$dir/klog-after-insmod.txt"
	else
		# (test programs' own output left out)
		awk '/^@@EMUHOST BOOT/ { on = 1 } /^@@EMUHOST REPORT-BEGIN/ { on = 0 }
		     /^@@EMUHOST TEST-BEGIN/ { skip = 1 } !skip && on { print }
		     /^@@EMUHOST TEST-END/ { skip = 0 }' \
			"$dir/serial.txt" >"$dir/klog-after-insmod.txt"
	fi
	# A clean log only counts if it covers the module's life: the insmod
	# marker, the module's load message and the rmmod marker must all be
	# there (a lost or overwritten ring buffer would pass vacuously).
	if [ ! -f "$dir/dmesg.txt" ]; then
		bf=$((bf + 1)) bootfail=1
		failure "" "---- $m: no kernel log in the report (the console alone does not show WARNINGs at loglevel=4) ----"
	elif ! { grep -q 'emuhost: insmod shadowvm.ko' "$dir/klog-after-insmod.txt" &&
	       grep -q 'shadowvm: loaded' "$dir/klog-after-insmod.txt" &&
	       grep -q 'emuhost: rmmod done' "$dir/klog-after-insmod.txt"; }; then
		bf=$((bf + 1)) bootfail=1
		failure "" "---- $m: the kernel log does not cover insmod..rmmod (marker or load message missing) ----"
	elif grep -Eq "$BAD_KERNEL" "$dir/klog-after-insmod.txt"; then
		bf=$((bf + 1)) bootfail=1
		failure "" "---- $m: kernel log after insmod is not clean ----"
		grep -E -B2 -A25 "$BAD_KERNEL" "$dir/klog-after-insmod.txt" | head -n 80 >>"$FAILURES"
	else
		bp=$((bp + 1))
	fi

	for t in $tests; do
		name=$(basename "$t")
		if [ ! -f "$dir/tests/$name.out" ]; then
			tf=$((tf + 1))
			failure "" "---- $m/$name: did not run (no output in the report) ----"
			continue
		fi
		rc=$(cat "$dir/tests/$name.rc" 2>/dev/null)
		count_tap "$m/$name" "$dir/tests/$name.out" "$rc"
		[ "$f" -gt 0 ] && bootfail=1
		tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
		# A whole program skipped (exit 4) says why on its plan line;
		# shown in the summary so a skip cannot pass unnoticed.
		why=$(sed -n 's/^1\.\.0 # SKIP *//p' "$dir/tests/$name.out" | head -n 1)
		[ -n "$why" ] && skipped="$skipped$name: $why"$'\n'
		# In the emulated hosts everything a test needs is there: a
		# whole program that skips is a failure unless the machine is
		# one it is meant to skip on.
		if [ -n "$why" ] && ! skip_allowed "$m" "$name"; then
			tf=$((tf + 1))
			failure "" "---- $m/$name: skipped as a whole ($why), not expected on this machine ----"
		fi
	done
	[ "$tf" -gt 0 ] && bootfail=1

	if [ -n "$bootfail" ]; then
		failure "" "---- $m: last 30 lines of the serial log (${dir#"$ROOT"/}/serial.txt) ----"
		tail -n 30 "$dir/serial.txt" >>"$FAILURES"
		if [ -f "$dir/bochs.log" ]; then
			failure "" "---- $m: VM-entry diagnostics from bochs.log ----"
			grep -i 'VMENTER\|VMFAIL\|vmexit\|panic' "$dir/bochs.log" |
				grep -v 'soft power off' | tail >>"$FAILURES"
		fi
	fi

	secs=$(cat "$dir/boot.secs" 2>/dev/null || echo '?')
	initsecs=$(cat "$dir/init.secs" 2>/dev/null || echo '?')
	add_counts $((bp + tp)) $((bf + tf)) $((bs + ts))
	summary "$m" "$((bp + tp)) passed, $((bf + tf)) failed, $((bs + ts)) skipped" \
		"(TAP $tp/$tf/$ts + boot checks $bp/$bf; /init after $initsecs s, run $secs s)"
	[ -n "$skipped" ] && printf '%s' "$skipped" | sed 's/^/    skipped /' >>"$SUMMARY"
}

# ------------------------------------------------ host going down
# One pass/fail line per check; the boot ends at the restart, so the
# serial log and Bochs's dump of the CPUs at the triple fault (reboot=t)
# are all there is.
# The runs of a source: how/kernel.
reboot_runs() {
	# The emergency path on 6.12 too: the kernel side of it is what
	# changed most between versions upstream.
	if [ "$1" = bochs-kexec ]; then
		echo kexec/6.1
	else
		# "+kvm": with KVM next to shadowvm, as init describes
		echo reboot/6.1 sysrq-b/6.1 sysrq-b+kvm/6.1 sysrq-b+kvm/6.12
	fi
}
reboot_start() {
	local how=$1 kernel=$2
	local kvm=0
	[ "${how%+kvm}" != "$how" ] && kvm=1
	boot_start "reboot-$how-$kernel" env EMUHOST_KERNEL=$kernel \
		EMUHOST_REBOOT_HOW="${how%+kvm}" EMUHOST_REBOOT_KVM=$kvm \
		scripts/emuhost/boot.sh "check-reboot-$how-$kernel" bochs-smp reboot
}
reboot_count() {
	local src=$1 how=$2 kernel=$3 cpus=2 dir=$BUILD/emuhost/check-reboot-$2-$3
	local rp=0 rf=0 n on cpu cr4
	check_line() {
		if [ "$1" = ok ]; then
			rp=$((rp + 1))
		else
			rf=$((rf + 1))
			failure "" "---- $src/$how/$kernel: $2 ----"
		fi
	}
	boot_wait "reboot-$how-$kernel" || return 0
	tr -d '\r' <"$dir/serial.log" >"$dir/serial.txt"
	# (the kexec'd kernel's own boot messages left out)
	sed -n '/^@@EMUHOST INSMOD/,$p' "$dir/serial.txt" |
		sed '/^@@EMUHOST KEXEC-BOOT/,$d' >"$dir/klog-after-insmod.txt"

	grep -q '^@@EMUHOST INSMOD rc=0' "$dir/serial.txt"
	check_line "$([ $? = 0 ] && echo ok)" "insmod shadowvm.ko failed"
	grep -q "^@@EMUHOST REBOOT-GUEST running cpus=$cpus" "$dir/serial.txt"
	check_line "$([ $? = 0 ] && echo ok)" "the loop guest was not running on $cpus CPUs"
	if [ "${how%+kvm}" != "$how" ]; then
		grep -Eq '^@@EMUHOST REBOOT-KVM (before|during) rc=0' "$dir/serial.txt"
		check_line "$([ $? = 0 ] && echo ok)" "loading KVM next to shadowvm failed ($(grep -o 'REBOOT-KVM.*' "$dir/serial.txt" || echo 'no REBOOT-KVM line'))"
	fi
	if [ "$how" = reboot ] || [ "$how" = kexec ]; then
		grep -q "shadowvm: reboot: VMX off on $cpus CPUs" "$dir/serial.txt"
		check_line "$([ $? = 0 ] && echo ok)" "no 'shadowvm: reboot: VMX off on $cpus CPUs' (reboot notifier)"
		# The vCPU that was in the guest on the other CPU came out
		# and its RUN failed instead of entering with VMX off.
		grep -q 'shadowvm: RUN refused: the host is going down' "$dir/serial.txt"
		check_line "$([ $? = 0 ] && echo ok)" "the running vCPU's RUN did not fail with 'host is going down'"
	fi
	if [ "$how" = reboot ]; then
		grep -q 'reboot: Restarting system' "$dir/serial.txt"
		check_line "$([ $? = 0 ] && echo ok)" "the kernel did not reach 'Restarting system'"
	elif [ "$how" = kexec ]; then
		# The new kernel started its CPUs with INIT/SIPI, which a CPU
		# left in VMX operation ignores; and the jump itself faults in
		# VMX operation (the new kernel clears CR4.VMXE).
		grep -q "^@@EMUHOST KEXEC-BOOT cpus=$cpus" "$dir/serial.txt"
		check_line "$([ $? = 0 ] && echo ok)" "the kexec'd kernel did not come up with $cpus CPUs ($(grep -o 'KEXEC-BOOT.*' "$dir/serial.txt" || echo 'no KEXEC-BOOT line'))"
	else
		grep -q 'sysrq: Resetting' "$dir/serial.txt"
		check_line "$([ $? = 0 ] && echo ok)" "no 'sysrq: Resetting' (emergency restart)"
	fi
	! grep -Eq "$BAD_KERNEL" "$dir/klog-after-insmod.txt"
	check_line "$([ $? = 0 ] && echo ok)" "kernel log after insmod is not clean"
	grep -E -B2 -A25 "$BAD_KERNEL" "$dir/klog-after-insmod.txt" | head -n 60 >>"$FAILURES"
	if [ "$how" != kexec ]; then
		# reboot=t: the restart is a triple fault, which Bochs (reset on
		# triple fault off) reports with every CPU's registers, then
		# exits.
		grep -q '>>PANIC<< exception(): 3rd' "$dir/bochs.log" 2>/dev/null
		check_line "$([ $? = 0 ] && echo ok)" "no triple fault (the restart) in bochs.log"
		# CR4.VMXE (bit 13) can only be clear outside VMX operation.
		n=0 on=
		while read -r cpu cr4; do
			n=$((n + 1))
			(( 0x$cr4 & 0x2000 )) && on="$on $cpu"
		done < <(sed -n '/>>PANIC<< exception(): 3rd/,$p' "$dir/bochs.log" 2>/dev/null |
			sed -n 's/.*\[\(CPU[0-9]*\) *\] | CR3=.* CR4=0x\([0-9a-f]*\).*/\1 \2/p' | sort -u)
		[ "$n" = "$cpus" ] && [ -z "$on" ]
		check_line "$([ $? = 0 ] && echo ok)" "CR4.VMXE at the reset: expected $cpus CPUs all clear, found $n CPUs${on:+, still in VMX:$on}"
	fi
	if [ "$rf" -gt 0 ]; then
		failure "" "---- $src/$how/$kernel: serial log after insmod (${dir#"$ROOT"/}/serial.txt) ----"
		tail -n 30 "$dir/klog-after-insmod.txt" >>"$FAILURES"
	fi
	reboot_pass=$((reboot_pass + rp)) reboot_fail=$((reboot_fail + rf))
	reboot_note="${reboot_note:+$reboot_note, }$how/$kernel $rp/$rf in $(cat "$dir/boot.secs" 2>/dev/null || echo "?") s"
}
# ------------------------------------------------- start the boots
# Every boot runs in the background, two at a time (boot.sh's emulator
# slots, one per core), while the host-side sources below run; each is
# counted when it is done.  They start after build-warnings, which
# rebuilds the 6.12 module they pack.
for m in bochs-vmx2 bochs-612 bochs-vmx1 bochs-smp qemu; do
	want $m && boot_tests_start "$m"
done
for src in bochs-reboot bochs-kexec; do
	want $src || continue
	for run in $(reboot_runs $src); do
		reboot_start "${run%/*}" "${run#*/}"
	done
done

# ----------------------------------------------------------------- docs
# Sphinx warnings (and errors) start "FILE:LINE: WARNING:" or "ERROR:";
# a page that has none is a pass.  A failed build with no such line (no
# sphinx-build, a crash) is one failure.
if want docs; then
	echo "check: docs"
	make htmldocs >"$OUT/docs.log" 2>&1
	rc=$?
	grep -E '(WARNING|ERROR|SEVERE|CRITICAL):' "$OUT/docs.log" >"$OUT/docs-warnings.txt"
	nwarn=$(wc -l <"$OUT/docs-warnings.txt")
	npages=$(find Documentation -name '*.rst' | wc -l)
	nbad=$(sed -n 's|^\([^:]*\.rst\):.*|\1|p' "$OUT/docs-warnings.txt" | sort -u | wc -l)
	f=$nwarn
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	p=$((npages - nbad))
	[ "$f" -gt 0 ] && [ "$nbad" -eq 0 ] && p=0
	if [ "$f" -gt 0 ]; then
		failure "" "---- docs: make htmldocs: $nwarn warning(s), exit status $rc ----"
		failure_file "$OUT/docs.log" 60
	fi
	add_counts "$p" "$f" 0
	summary docs "$p passed, $f failed, 0 skipped ($nwarn Sphinx warnings, $npages pages)"
fi

# ------------------------------------------------------ host unit tests
for d in mmu-model emulate-test; do
	want $d || continue
	if [ ! -d "selftests/$d" ]; then
		summary $d "absent (selftests/$d does not exist yet; not counted)"
		continue
	fi
	echo "check: $d"
	make -C "selftests/$d" run >"$OUT/$d.log" 2>&1
	rc=$?
	count_tap "$d" "$OUT/$d.log" $rc
	add_counts "$p" "$f" "$s"
	summary $d "$p passed, $f failed, $s skipped"
done

# ------------------------------------------------------------ packaging
if want packaging; then
	echo "check: packaging"
	# make install may relink ./shadowvm.ko: not while a boot copies it.
	while ! boots_packed; do sleep 1; done
	# The launcher is all it needs built; make install builds the rest.
	if [ -z "$boots_wanted" ] && [ -z "${CHECK_NO_BUILD:-}" ] &&
	   ! make -j2 user >"$OUT/build-user.log" 2>&1; then
		failure "" "---- packaging: make user failed ----"
		failure_file "$OUT/build-user.log" 40
	fi
	t0=$(date +%s)
	scripts/packaging-test.sh >"$OUT/packaging.log" 2>&1
	rc=$?
	count_tap packaging "$OUT/packaging.log" $rc
	add_counts "$p" "$f" "$s"
	summary packaging "$p passed, $f failed, $s skipped ($(($(date +%s) - t0)) s)"
fi

# ------------------------------------------------- count the boots
for m in bochs-vmx2 bochs-vmx1 bochs-smp bochs-612 qemu; do
	want $m || continue
	tests=$(tests_for "$m")
	if [ -z "$tests" ]; then
		failure "" "---- $m: no test programs in build/selftests to run ----"
		add_counts 0 1 0
	fi
	boot_and_count "$m" "$tests"
done

for src in bochs-reboot bochs-kexec; do
	want $src || continue
	reboot_pass=0 reboot_fail=0 reboot_note=
	for run in $(reboot_runs $src); do
		reboot_count "$src" "${run%/*}" "${run#*/}"
	done
	add_counts "$reboot_pass" "$reboot_fail" 0
	summary $src "$reboot_pass passed, $reboot_fail failed, 0 skipped ($reboot_note)"
done

if [ $((total_pass + total_fail)) -eq 0 ]; then
	failure "" "---- nothing ran ----"
	total_fail=1
fi

if [ -s "$FAILURES" ]; then
	echo
	echo "==================== failures ===================="
	cat "$FAILURES"
fi
echo
echo "==================== summary ====================="
cat "$SUMMARY"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
