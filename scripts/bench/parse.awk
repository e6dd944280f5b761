# SPDX-License-Identifier: GPL-2.0
#
# serial.log (CRs removed) -> one line per measured value:
#   BACKEND WORKLOAD REP KEY VALUE
# from the blocks /bench/run printed between @@EMUHOST BENCH-BEGIN/END.
# Keys: rc, secs, cycles, fail (1 if the guest printed a FAIL line or its
# workload line is missing), and every statistic shadowvm-run --stats
# printed (for KVM: the mapped names and kvm.*).

function field(name,    i, kv) {
	for (i = 1; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == name)
			return substr($i, length(name) + 2)
	}
	return ""
}

/^@@EMUHOST BENCH-BEGIN/ { inblock = 1; next }
/^@@EMUHOST BENCH-END/ { inblock = 0; next }
!inblock { next }

/^@@BENCH CONFIG / {
	sub(/^@@BENCH CONFIG /, "")
	print "config", "-", "-", $0
	next
}
/^@@BENCH RUN / {
	b = field("backend"); w = field("workload"); r = field("rep")
	stats = 0; fail = 0; named = 0; cycles = ""
	next
}
/^@@BENCH STATS/ { stats = 1; next }
/^@@BENCH DONE / {
	if (!named)
		fail = 1
	print b, w, r, "rc", field("rc")
	print b, w, r, "secs", field("secs")
	print b, w, r, "fail", fail
	if (cycles != "")
		print b, w, r, "cycles", cycles
	b = ""
	next
}
b == "" { next }
!stats && /^FAIL/ { fail = 1 }
!stats && $1 == "workload" && $2 == w { named = 1 }
!stats && $1 == "cycles" && $2 ~ /^[0-9]+$/ { cycles = $2 }
stats && NF == 2 && $1 ~ /^[a-z][a-z0-9_.]*$/ && $2 ~ /^[0-9]+$/ {
	print b, w, r, $1, $2
}
