# SPDX-License-Identifier: GPL-2.0
#
# Count the results of one TAP stream (one test program's output).
#   awk -v rc=EXIT_STATUS -f tap-count.awk OUTPUT
# rc is the program's exit status ("" when unknown).  Prints one line
#   PASS FAIL SKIP NOTE...
# followed by the failing result lines, one per line.
#
# Only top-level lines count (nested, indented TAP is the program's own
# business).  A program that printed no plan, stopped before its plan was
# complete (crash, timeout) or exited non-zero without reporting a failure
# is itself counted as failed: a test that did not run is not a pass.

BEGIN {
	plan = -1
	pass = fail = skip = 0
	nfailed = 0
	note = ""
}

{ sub(/\r$/, "") }

/^1\.\.[0-9]+/ && plan < 0 {
	plan = substr($0, 4) + 0
	if (plan == 0 && toupper($0) ~ /# *SKIP/)
		skip_all = 1
	next
}

/^ok [0-9]+/ || /^ok$/ {
	if (toupper($0) ~ /# *SKIP/)
		skip++
	else
		pass++
	next
}

/^not ok/ {
	if (toupper($0) ~ /# *(SKIP|TODO)/) {
		skip++
	} else {
		fail++
		failed[++nfailed] = $0
	}
	next
}

function add_note(s) { note = note (note == "" ? "" : "; ") s }

END {
	seen = pass + fail + skip
	if (plan < 0) {
		fail++
		add_note("no TAP plan")
	} else if (seen < plan) {
		fail += plan - seen
		add_note((plan - seen) " planned test(s) did not report")
	}
	if (skip_all)
		skip++
	if (rc != "" && rc != 0 && rc != 4 && fail == 0) {
		fail++
		add_note("exit status " rc)
	}
	if (rc == 137)
		add_note("killed (timeout)")
	else if (rc >= 129 && rc <= 159)
		add_note("died of signal " (rc - 128))
	print pass, fail, skip, note
	for (i = 1; i <= nfailed; i++)
		print failed[i]
}
