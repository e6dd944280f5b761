#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run kselftest programs one after the other and print one TAP stream:
#   runner.sh SETTINGS PROG...
# Each program's own output is indented with "# "; its result becomes one
# line: "ok N selftests: shadowvm: NAME" (exit 0), "ok ... # SKIP" (exit
# 4, KSFT_SKIP), "not ok ... # TIMEOUT T seconds" or "not ok ... #
# exit=RC".  The per-program timeout is timeout= in SETTINGS (the
# kselftest "settings" file) unless KSFT_TIMEOUT is set; 0 means none.
# Exits 1 when any program failed or timed out, else 0.

settings=$1
shift
timeout=
[ -f "$settings" ] && timeout=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$settings")
timeout=${KSFT_TIMEOUT:-${timeout:-45}}

echo "TAP version 13"
echo "1..$#"
echo "# timeout set to $timeout"
n=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for prog; do
	n=$((n + 1))
	name=${prog##*/}
	res="selftests: shadowvm: $name"
	echo "# $res"
	if [ ! -x "$prog" ]; then
		echo "not ok $n $res # missing $prog"
		failed=1
		continue
	fi
	# TERM at the timeout, KILL 10 s later if that was not enough.
	if [ "$timeout" -gt 0 ]; then
		timeout -k 10 "$timeout" "$prog" </dev/null 2>&1 |
			tee "$out" | sed 's/^/# /'
	else
		"$prog" </dev/null 2>&1 | tee "$out" | sed 's/^/# /'
	fi
	rc=${PIPESTATUS[0]}
	# A whole-program skip gives its reason on the plan line.
	why=$(sed -n 's/^1\.\.0 # SKIP *//p' "$out" | head -n 1)
	case $rc in
	0)	echo "ok $n $res" ;;
	4)	echo "ok $n $res # SKIP${why:+ $why}" ;;
	124|137) echo "not ok $n $res # TIMEOUT $timeout seconds"; failed=1 ;;
	*)	echo "not ok $n $res # exit=$rc"; failed=1 ;;
	esac
done
exit $failed
