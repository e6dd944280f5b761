# SPDX-License-Identifier: GPL-2.0
#
# runs.txt (parse.awk) -> the benchmark table. Variables: reps (runs per
# workload and backend), order (workloads, space separated). Every figure
# is the median over the runs of one workload on one backend (for an even
# number of runs, the lower middle one).

function median(key,    n, i, j, t, v) {
	if (!(key in cnt))
		return ""
	n = split(list[key], v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return v[int((n + 1) / 2)]
}

function get(b, w, k) {
	return median(b SUBSEP w SUBSEP k)
}

function ratio(a, b) {
	if (a == "" || b == "" || b + 0 == 0)
		return "-"
	return sprintf("%.2f", a / b)
}

function num(v, div, fmt) {
	if (v == "")
		return "-"
	return sprintf(fmt, v / div)
}

$1 == "config" {
	$1 = $2 = $3 = ""
	sub(/^ +/, "")
	if (!(($0) in seen_config))
		configs = configs "  " $0 "\n"
	seen_config[$0] = 1
	next
}
{
	key = $1 SUBSEP $2 SUBSEP $4
	list[key] = list[key] " " $5
	cnt[key]++
	if ($4 == "rc" && $5 != 0)
		bad = bad sprintf("FAILED: %s %s run %s: exit status %s\n", $2, $1, $3, $5)
	if ($4 == "fail" && $5 != 0)
		bad = bad sprintf("FAILED: %s %s run %s: the guest's own checks failed (or it printed no result)\n", $2, $1, $3)
}

END {
	n = split(order, wl, " ")
	print ""
	printf "%-10s | %-23s | %-25s | %-23s | %-21s\n", "", "VM exits",
		"guest cycles (millions)", "host ms inside RUN", "shadow pages"
	printf "%-10s | %8s %8s %5s | %9s %9s %5s | %8s %8s %5s | %7s %7s %5s\n",
		"workload", "shadowvm", "kvm", "ratio", "shadowvm", "kvm", "ratio",
		"shadowvm", "kvm", "ratio", "svm", "kvm", "ratio"
	line = "-----------+-------------------------+---------------------------+-------------------------+----------------------"
	print line
	for (i = 1; i <= n; i++) {
		w = wl[i]
		for (bi = 1; bi <= 2; bi++) {
			b = bi == 1 ? "shadowvm" : "kvm"
			if (cnt[b SUBSEP w SUBSEP "rc"] < reps)
				bad = bad sprintf("FAILED: %s %s: %d of %d runs reported (missing run)\n",
					w, b, cnt[b SUBSEP w SUBSEP "rc"], reps)
		}
		se = get("shadowvm", w, "exits"); ke = get("kvm", w, "exits")
		sc = get("shadowvm", w, "cycles"); kc = get("kvm", w, "cycles")
		st = get("shadowvm", w, "run_time_ns"); kt = get("kvm", w, "run_time_ns")
		sm = get("shadowvm", w, "shadow_pages_max")
		km = get("kvm", w, "kvm.mmu_cache_miss")
		er = ratio(se, ke); cr = ratio(sc, kc)
		printf "%-10s | %8s %8s %5s | %9s %9s %5s | %8s %8s %5s | %7s %7s %5s\n",
			w, num(se, 1, "%d"), num(ke, 1, "%d"), er,
			num(sc, 1e6, "%.1f"), num(kc, 1e6, "%.1f"), cr,
			num(st, 1e6, "%.1f"), num(kt, 1e6, "%.1f"), ratio(st, kt),
			num(sm, 1, "%d"), num(km, 1, "%d"), ratio(sm, km)
		if (er == "-" || er + 0 > 1.0)
			exits_over = exits_over " " w "(" er ")"
		else if (er + 0 <= 0.5)
			exits_half++
		if (cr == "-" || cr + 0 > 1.0)
			cycles_over = cycles_over " " w "(" cr ")"
	}
	print line
	print "exits: VM exits of the whole run (setup and checks included, the same guest"
	print "  code on both sides); guest Mcycles: guest TSC delta around the workload"
	print "  loop only; RUN ms: host time inside the RUN ioctl (run_time_ns, emulated"
	print "  host clock); shadow pages: shadowvm shadow_pages_max (peak in use), KVM"
	print "  kvm.mmu_cache_miss (shadow pages KVM created: at least its peak), so the"
	print "  memory ratio is a lower bound. Ratios are shadowvm / KVM; median of " reps " runs."

	print ""
	print "Exits by reason (median; KVM has no CR-access counter: its CR exits are in 'other'):"
	printf "%-10s %-8s | %8s %8s %8s %8s %8s %8s | %8s %8s %8s\n", "workload",
		"backend", "total", "#PF", "CR", "INVLPG", "IO", "other",
		"sh.fault", "gst.fault", "pt.write"
	for (i = 1; i <= n; i++) {
		w = wl[i]
		for (bi = 1; bi <= 2; bi++) {
			b = bi == 1 ? "shadowvm" : "kvm"
			t = get(b, w, "exits")
			pf = get(b, w, "exits_exception")
			c3 = get(b, w, "exits_cr_access")
			il = get(b, w, "exits_invlpg")
			io = get(b, w, "exits_io")
			other = (t == "" ? "" : t - pf - c3 - il - io)
			printf "%-10s %-8s | %8s %8s %8s %8s %8s %8s | %8s %8s %8s\n",
				w, b, num(t, 1, "%d"), num(pf, 1, "%d"),
				num(c3, 1, "%d"), num(il, 1, "%d"),
				num(io, 1, "%d"), num(other, 1, "%d"),
				num(get(b, w, "shadow_faults"), 1, "%d"),
				num(get(b, w, "guest_faults"), 1, "%d"),
				num(get(b, w, "emulated_writes"), 1, "%d")
		}
	}
	print "sh.fault: faults fixed by the hypervisor (KVM pf_fixed); gst.fault: #PF"
	print "  given to the guest (KVM pf_guest); pt.write: emulated guest page-table"
	print "  writes (KVM mmu_pte_write)."

	print ""
	print "Targets (reported, not enforced):"
	printf "  exits ratio <= 1.0 on every workload: %s\n",
		(exits_over == "" ? "yes" : "no, over on" exits_over)
	printf "  exits ratio <= 0.5 on at least two:   %s (%d)\n",
		(exits_half >= 2 ? "yes" : "no"), exits_half + 0
	printf "  cycles ratio <= 1.0 on every workload: %s\n",
		(cycles_over == "" ? "yes" : "no, over on" cycles_over)
	if (configs != "") {
		print ""
		print "Configuration reported inside the emulated host:"
		printf "%s", configs
	}
	if (bad != "") {
		print ""
		printf "%s", bad
	}
}
