#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run kselftest programs one after the other and print one TAP stream:
#   runner.sh SETTINGS PROG...
# Each program's own output is indented with "# "; its result becomes one
# line: "ok N selftests: shadowvm: NAME" (exit 0), "ok ... # SKIP" (exit
# 4, KSFT_SKIP), "not ok ... # TIMEOUT T seconds" (only when the timeout
# fired) or "not ok ... # exit=RC" (with the signal when RC > 128).  The
# per-program timeout is timeout= in SETTINGS (the kselftest "settings"
# file) unless KSFT_TIMEOUT is set; 0 means none; anything but a whole
# number of seconds is an error (exit 2).
# Exits 1 when any program failed or timed out, else 0.

settings=$1
shift
timeout=
[ -f "$settings" ] && timeout=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$settings")
timeout=${KSFT_TIMEOUT:-${timeout:-45}}
# Not a number would make the test below fail and run without any limit.
case $timeout in
''|*[!0-9]*)
	echo "runner.sh: timeout '$timeout' (KSFT_TIMEOUT or $settings) is not a whole number of seconds" >&2
	exit 2 ;;
esac

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
	# --verbose: timeout(1) says on stderr (in the output here) when it
	# sends a signal, the only sure sign that it fired; its status 124
	# or 137 can also be the program's own or a kill from elsewhere.
	# LC_ALL=C: that message untranslated.
	if [ "$timeout" -gt 0 ]; then
		LC_ALL=C timeout --verbose -k 10 "$timeout" "$prog" </dev/null 2>&1 |
			tee "$out" | sed 's/^/# /'
	else
		"$prog" </dev/null 2>&1 | tee "$out" | sed 's/^/# /'
	fi
	rc=${PIPESTATUS[0]}
	# A whole-program skip gives its reason on the plan line.
	why=$(sed -n 's/^1\.\.0 # SKIP *//p' "$out" | head -n 1)
	fired=
	[ "$timeout" -gt 0 ] && grep -q '^timeout: sending signal ' "$out" && fired=1
	if [ -n "$fired" ]; then
		echo "not ok $n $res # TIMEOUT $timeout seconds"; failed=1
		continue
	fi
	case $rc in
	0)	echo "ok $n $res" ;;
	4)	echo "ok $n $res # SKIP${why:+ $why}" ;;
	12[89]|1[3-9][0-9]|2[0-5][0-9])
		echo "not ok $n $res # exit=$rc (signal $((rc - 128)))"; failed=1 ;;
	*)	echo "not ok $n $res # exit=$rc"; failed=1 ;;
	esac
done
exit $failed
