#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packaging on the build machine, no emulator, no module loaded; TAP on
# stdout.  Run by scripts/check.sh as the "packaging" source.
#
#   version    VERSION, dkms.conf, shadowvm-run and shadowvm-stat
#              --version and every man page's .TH agree
#   cli        shadowvm-run's command line without VMX: usage errors (one
#              line + "Try ... --help", status 2), -m in MiB, setup errors
#              (status 4); the exit statuses of the code (EXIT_*) = the
#              man page's table = ioctl-api.rst's table = the selftests'
#              LAUNCH_EXIT_*, both ways
#   man        every Documentation/man/*.1 renders without a groff warning;
#              shadowvm-run.1 documents every option --help lists
#   install    make install / uninstall into a DESTDIR under build/: the
#              exact file list, modes, vermagic, the header compiles, and
#              nothing left behind
#   dkms       dkms add/build/install/remove for every kernel in
#              build/deps.env (KDIR, KDIR612) in a throwaway DKMS tree
#              under build/ (--dkmstree/--sourcetree/--installtree), then
#              vermagic and version of the built module; nothing outside
#              the checkout is touched (checked)
#
# Needs the launcher built (make user) and, for install, a module build
# for KDIR (make install builds what is missing).

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
OUT=$BUILD/packaging
cd "$ROOT" || exit 1
# shellcheck source=/dev/null
. "$BUILD/deps.env"

RUN=$BUILD/user/shadowvm-run
VERSION=$(cat VERSION)
rm -rf "$OUT"
mkdir -p "$OUT"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	local line
	for line in "$@"; do echo "# $line"; done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}
# Indent a file into the TAP stream as diagnostics.
diag_file() { sed -n "1,${2:-30}p" "$1" | sed 's/^/#   /'; }

# ------------------------------------------------------------- version
if [[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	ok "VERSION is one MAJOR.MINOR.PATCH line ($VERSION)"
else
	notok "VERSION is one MAJOR.MINOR.PATCH line" "got '$VERSION'"
fi
dv=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
if [ "$dv" = "$VERSION" ]; then
	ok "dkms.conf PACKAGE_VERSION = VERSION"
else
	notok "dkms.conf PACKAGE_VERSION = VERSION" \
		"dkms.conf has '$dv', VERSION has '$VERSION': update dkms.conf"
fi
out=$("$RUN" --version 2>&1)
if [[ $out == "shadowvm-run $VERSION "* ]]; then
	ok "shadowvm-run --version says $VERSION"
else
	notok "shadowvm-run --version says $VERSION" "got: $out"
fi
out=$("$BUILD/user/shadowvm-stat" --version 2>&1)
if [ "$out" = "shadowvm-stat $VERSION" ]; then
	ok "shadowvm-stat --version says $VERSION"
else
	notok "shadowvm-stat --version says $VERSION" "got: $out"
fi

# Every man page's .TH names the package and its version: "shadowvm X.Y.Z".
for page in Documentation/man/*.1; do
	tv=$(sed -n 's/^\.TH .*"shadowvm \([^"]*\)".*/\1/p' "$page")
	if [ "$tv" = "$VERSION" ]; then
		ok "${page##*/} .TH says shadowvm $VERSION"
	else
		notok "${page##*/} .TH says shadowvm $VERSION" \
			"got '$(sed -n '/^\.TH /p' "$page")': update it with VERSION"
	fi
done

# ----------------------------------------------------------------- cli
# launch NAME ARGS...: run the launcher, keep stdout/stderr/status.
launch() {
	local name=$1
	shift
	"$RUN" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null
	echo $? >"$OUT/$name.rc"
}
rc_of() { cat "$OUT/$1.rc"; }

# usage_error NAME WHAT ARGS...: status 2, stderr = one line naming WHAT
# (after getopt's own line for unknown options) + the --help pointer.
usage_error() {
	local name=$1 what=$2 rc last lines
	shift 2
	launch "$name" "$@"
	rc=$(rc_of "$name")
	last=$(tail -n 1 "$OUT/$name.err")
	lines=$(wc -l <"$OUT/$name.err")
	if [ "$rc" = 2 ] && [ "$lines" = 2 ] &&
	   grep -q -- "$what" "$OUT/$name.err" &&
	   [ "$last" = "Try 'shadowvm-run --help' for more information." ] &&
	   [ ! -s "$OUT/$name.out" ]; then
		ok "usage error, status 2, two lines: ${*:-(no arguments)}"
	else
		notok "usage error, status 2, two lines: ${*:-(no arguments)}" \
			"status $rc, $lines stderr lines, wanted '$what':"
		diag_file "$OUT/$name.err" 10
	fi
}
usage_error noargs "no IMAGE given"
usage_error twoimages "extra argument 'b.bin'" a.bin b.bin
usage_error unknown "unrecognized option" --frobnicate x.bin
usage_error noarg "requires an argument" x.bin -m
usage_error badmem "bad --mem '12q'" -m 12q x.bin
usage_error mem1 "bad --mem '1'" -m 1 x.bin
usage_error mem4097 "bad --mem '4097'" -m 4097 x.bin
usage_error memneg "bad --mem '-2'" -m -2 x.bin
usage_error badload "bad --load '0x1000'" --load 0x1000 x.bin
usage_error badmode "bad --mode 'real'" --mode=real x.bin
usage_error badbackend "bad --backend 'xen'" --backend=xen x.bin
usage_error badarg "bad --guest-arg 'x'" --guest-arg=x x.bin

launch help --help
if [ "$(rc_of help)" = 0 ] && grep -q '^Usage: shadowvm-run' "$OUT/help.out" &&
   [ ! -s "$OUT/help.err" ]; then
	ok "--help: status 0, usage on stdout"
else
	notok "--help: status 0, usage on stdout" "status $(rc_of help)"
fi

# A 3 MiB image at 1 MiB (HLT first, so a machine with /dev/shadowvm
# just runs it): needs more than 4 MiB of RAM.  With bare numbers in MiB,
# -m 2 is too small and -m 8 is enough; in bytes both would be refused.
img=$OUT/hlt-3m.bin
printf '\364' >"$img"
truncate -s 3M "$img"
launch small -m 2 "$img"
if [ "$(rc_of small)" = 4 ] && grep -q 'does not fit' "$OUT/small.err"; then
	ok "-m 2 is 2 MiB: a 3 MiB image at 1 MiB does not fit (status 4)"
else
	notok "-m 2 is 2 MiB: a 3 MiB image at 1 MiB does not fit (status 4)" \
		"status $(rc_of small)"
	diag_file "$OUT/small.err" 5
fi
for m in 8 256 256M 1G; do
	launch "mem$m" -m "$m" "$img"
	rc=$(rc_of "mem$m")
	# 4: no /dev/shadowvm here (or no VMX); 0: a machine that ran it.
	if { [ "$rc" = 4 ] || [ "$rc" = 0 ]; } &&
	   ! grep -q 'bad --mem\|does not fit' "$OUT/mem$m.err"; then
		ok "-m $m accepted and large enough for 3 MiB at 1 MiB (status $rc)"
	else
		notok "-m $m accepted and large enough for 3 MiB at 1 MiB" "status $rc"
		diag_file "$OUT/mem$m.err" 5
	fi
done
launch missing /nonexistent/guest.bin
if [ "$(rc_of missing)" = 4 ] && grep -q 'No such file' "$OUT/missing.err"; then
	ok "missing image: setup error, status 4"
else
	notok "missing image: setup error, status 4" "status $(rc_of missing)"
fi

# The exit-status table: the launcher's EXIT_* values are even and each
# is an entry of the man page's EXIT STATUS section.
MAN=Documentation/man/shadowvm-run.1
table=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$MAN")
codes=$(sed -n 's/^#define EXIT_[A-Z_]*[[:space:]]\+\([0-9]\+\).*/\1/p' user/shadowvm-run.c |
	tr '\n' ' ')
codes=${codes% }
bad=
for c in $codes; do
	[ $((c % 2)) = 0 ] || bad="$bad $c(odd)"
	grep -qx "\.B $c" <<<"$table" || bad="$bad $c(not in man page)"
done
if [ -n "$codes" ] && [ -z "$bad" ]; then
	ok "launcher exit statuses ($codes) are even and in shadowvm-run(1)"
else
	notok "launcher exit statuses are even and in shadowvm-run(1)" \
		"codes: '$codes', problems:$bad"
fi
# And the other way round: every number the tables list is 0 (HLT) or
# one of the code's EXIT_* values, and each table lists them all.
# same_codes DESC LISTED: LISTED (numbers, any order) = 0 + $codes.
want=$(tr ' ' '\n' <<<"0 $codes" | sort -n | tr '\n' ' ')
same_codes() {
	local got
	got=$(tr -s ' \n' '\n' <<<"$2" | grep . | sort -n | tr '\n' ' ')
	if [ -n "$codes" ] && [ "$got" = "$want" ]; then
		ok "$1 lists exactly the statuses 0 $codes"
	else
		notok "$1 lists exactly the statuses 0 $codes" \
			"it lists '${got% }', the code has '${want% }'"
	fi
}
same_codes "shadowvm-run(1) EXIT STATUS" \
	"$(awk '/^\.TP/ { tag = 1; next } tag && /^\.B [0-9]+$/ { print $2 } { tag = 0 }' <<<"$table")"
# ioctl-api.rst: the rows that start with a number in the first table
# (between its two ===== rules) after the "Exit status" heading.
same_codes "Documentation/ioctl-api.rst exit-status table" \
	"$(awk '/^Exit status$/ { on = 1; next }
		on && /^=+ / { if (++rule == 2) exit; next }
		rule == 1 && /^[0-9]+ / { print $1 }' Documentation/ioctl-api.rst)"
# The selftests' LAUNCH_EXIT_* = the launcher's EXIT_*, by name (_ERROR
# dropped: LAUNCH_EXIT_SETUP is EXIT_SETUP_ERROR) and value.
exit_defs() {
	sed -n "s/^#define $1EXIT_\([A-Z_]*\)[[:space:]]\+\([0-9]\+\).*/\1=\2/p" "$2" |
		sed 's/_ERROR=/=/' | sort | tr '\n' ' '
}
cdefs=$(exit_defs "" user/shadowvm-run.c)
tdefs=$(exit_defs LAUNCH_ selftests/test_util.h)
if [ -n "$cdefs" ] && [ "$cdefs" = "$tdefs" ]; then
	ok "selftests/test_util.h LAUNCH_EXIT_* = shadowvm-run's EXIT_* (${cdefs% })"
else
	notok "selftests/test_util.h LAUNCH_EXIT_* = shadowvm-run's EXIT_*" \
		"test_util.h: '${tdefs% }'" "shadowvm-run.c: '${cdefs% }'"
fi

# ----------------------------------------------------------------- man
for page in Documentation/man/*.1; do
	groff -man -ww -z "$page" >"$OUT/groff.log" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$OUT/groff.log" ]; then
		ok "groff -man -ww renders $page without warnings"
	else
		notok "groff -man -ww renders $page without warnings" "status $rc"
		diag_file "$OUT/groff.log" 20
	fi
done
bad=
for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	grep -qx "\.SH \"\?$s\"\?" "$MAN" || bad="$bad '$s'"
done
if [ -z "$bad" ]; then
	ok "shadowvm-run(1) has NAME ... SEE ALSO"
else
	notok "shadowvm-run(1) has NAME ... SEE ALSO" "missing:$bad"
fi
# Each option of --help must have its own item (.TP tag) under OPTIONS.
tags=$(awk '/^\.SH OPTIONS/ { on = 1; next } /^\.SH / { on = 0 }
	    on && tag { print; tag = 0 } on && /^\.TP/ { tag = 1 }' "$MAN" |
       sed 's/\\-/-/g')
missing=
while read -r o; do
	grep -q -- "$o\b" <<<"$tags" || missing="$missing $o"
done < <(grep -o -- '--[a-z][a-z-]*' "$OUT/help.out" | sort -u)
if [ -n "$tags" ] && [ -z "$missing" ]; then
	ok "shadowvm-run(1) OPTIONS has an item for every option of --help"
else
	notok "shadowvm-run(1) OPTIONS has an item for every option of --help" \
		"missing:$missing"
fi

# ------------------------------------------------------------- install
KVER=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
DEST=$OUT/destdir
expected() {
	echo etc/udev/rules.d/60-shadowvm.rules
	echo "lib/modules/$KVER/extra/shadowvm.ko"
	echo usr/local/bin/shadowvm-run
	echo usr/local/bin/shadowvm-stat
	echo usr/local/include/linux/shadowvm.h
	for p in Documentation/man/*.1; do
		echo "usr/local/share/man/man1/${p##*/}"
	done
}
files_in() { (cd "$1" 2>/dev/null && find . \( -type f -o -type l \) | sed 's|^\./||' | sort); }

if make install DESTDIR="$DEST" KDIR="$KDIR" >"$OUT/install.log" 2>&1; then
	ok "make install DESTDIR=build/packaging/destdir"
else
	notok "make install DESTDIR=build/packaging/destdir"
	tail -n 20 "$OUT/install.log" | sed 's/^/#   /'
fi
expected | sort >"$OUT/install.expected"
files_in "$DEST" >"$OUT/install.got"
if cmp -s "$OUT/install.expected" "$OUT/install.got"; then
	ok "make install puts exactly the expected $(wc -l <"$OUT/install.got") files"
else
	notok "make install puts exactly the expected files" "diff expected got:"
	diff "$OUT/install.expected" "$OUT/install.got" | sed 's/^/#   /'
fi
ko=$DEST/lib/modules/$KVER/extra/shadowvm.ko
vm=$(modinfo -F vermagic "$ko" 2>&1)
mv=$(modinfo -F version "$ko" 2>&1)
if [[ $vm == "$KVER "* ]] && [ "$mv" = "$VERSION" ]; then
	ok "installed module: vermagic $KVER, version $VERSION"
else
	notok "installed module: vermagic $KVER, version $VERSION" \
		"vermagic '$vm', version '$mv'"
fi
modes=$(stat -c '%a %n' "$DEST/usr/local/bin/shadowvm-run" \
	"$DEST/usr/local/bin/shadowvm-stat" \
	"$DEST/usr/local/include/linux/shadowvm.h" \
	"$DEST/etc/udev/rules.d/60-shadowvm.rules" 2>&1 | awk '{print $1}' | tr '\n' ' ')
check "modes: launcher and shadowvm-stat 755, header and udev rule 644 ($modes)" \
	[ "$modes" = "755 755 644 644 " ]
rule=$DEST/etc/udev/rules.d/60-shadowvm.rules
check "udev rule: /dev/shadowvm group kvm, mode 0660" \
	grep -q '^SUBSYSTEM=="misc", KERNEL=="shadowvm", GROUP="kvm", MODE="0660"$' "$rule"
if echo '#include <linux/shadowvm.h>' |
   cc -fsyntax-only -Wall -Werror -I "$DEST/usr/local/include" -x c - >"$OUT/header.log" 2>&1; then
	ok "the installed uapi header compiles on its own"
else
	notok "the installed uapi header compiles on its own"
	diag_file "$OUT/header.log" 10
fi
if make uninstall DESTDIR="$DEST" KDIR="$KDIR" >"$OUT/uninstall.log" 2>&1; then
	ok "make uninstall DESTDIR=build/packaging/destdir"
else
	notok "make uninstall DESTDIR=build/packaging/destdir"
	tail -n 20 "$OUT/uninstall.log" | sed 's/^/#   /'
fi
left=$(files_in "$DEST")
if [ -z "$left" ]; then
	ok "make uninstall leaves no file behind"
else
	notok "make uninstall leaves no file behind" "left:" "$left"
fi
# PREFIX moves the user half, never the udev rule (udev does not read
# /usr/local); install-user alone needs no module build.
DEST2=$OUT/destdir-usr
make install-user DESTDIR="$DEST2" PREFIX=/usr >"$OUT/install-usr.log" 2>&1
got=$(files_in "$DEST2" | grep -c '^usr/bin/shadowvm-run$\|^usr/bin/shadowvm-stat$\|^usr/include/linux/shadowvm.h$\|^usr/share/man/man1/shadowvm-run.1$\|^etc/udev/rules.d/60-shadowvm.rules$')
check "PREFIX=/usr: usr/bin, usr/include, usr/share/man; udev rule in /etc" [ "$got" = 5 ]
make uninstall-user DESTDIR="$DEST2" PREFIX=/usr >>"$OUT/install-usr.log" 2>&1
check "uninstall-user PREFIX=/usr leaves no file behind" [ -z "$(files_in "$DEST2")" ]

# ---------------------------------------------------------------- dkms
# What a stray DKMS run would write outside the checkout.
outside_state() {
	ls -d /usr/src/shadowvm-* /var/lib/dkms/shadowvm /var/lib/dkms/mok.key \
		/var/lib/dkms/mok.pub /lib/modules/*/updates/dkms/shadowvm.ko* \
		/lib/modules/*/extra/shadowvm.ko* 2>/dev/null
}
kdirs=
for v in KDIR KDIR612; do
	[ -n "${!v:-}" ] && kdirs="$kdirs $v"
done
if ! command -v dkms >/dev/null; then
	skip "dkms add/build/install/remove" "dkms not installed (make deps installs it)"
elif [ "$(id -u)" != 0 ]; then
	skip "dkms add/build/install/remove" "dkms add needs root"
else
	before=$(outside_state)
	D=$OUT/dkms
	mkdir -p "$D/tmp" "$D/tree" "$D/install"
	# Throwaway tree and signing key: dkms would otherwise use
	# /var/lib/dkms, /usr/src, /lib/modules and create a MOK key there.
	export TMPDIR=$D/tmp mok_signing_key=$D/mok.key mok_certificate=$D/mok.pub
	DK=(dkms --dkmstree "$D/tree" --sourcetree "$D/src" --installtree "$D/install")
	MV=(-m shadowvm -v "$VERSION")
	if make dkms-source DKMS_SOURCETREE="$D/src" >"$D/source.log" 2>&1 &&
	   "${DK[@]}" add "${MV[@]}" >"$D/add.log" 2>&1; then
		ok "make dkms-source; dkms add shadowvm/$VERSION"
	else
		notok "make dkms-source; dkms add shadowvm/$VERSION"
		diag_file "$D/add.log" 20
	fi
	for v in $kdirs; do
		kd=${!v}
		kv=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$kd/include/generated/utsrelease.h" 2>/dev/null)
		if [ -z "$kv" ]; then
			notok "$v: kernel release of $kd" "no include/generated/utsrelease.h"
			continue
		fi
		mkdir -p "$D/install/$kv"
		K=(-k "$kv" --kernelsourcedir "$kd")
		if "${DK[@]}" build "${MV[@]}" "${K[@]}" >"$D/build-$kv.log" 2>&1; then
			ok "$v: dkms build for $kv"
		else
			log=$D/tree/shadowvm/$VERSION/build/make.log
			notok "$v: dkms build for $kv" \
				"the module does not build against $kd;" \
				"first errors of ${log#"$ROOT"/}:"
			grep -m 8 -E 'error:|Error ' "$log" 2>/dev/null | sed 's/^/#   /'
			case $kv in
			6.1[2-9]*) echo "#   (6.12+: the kernel compatibility part of issue 8" \
				"fixes the module for these headers)" ;;
			esac
			for t in install vermagic status; do
				skip "$v: dkms $t for $kv" "the build failed"
			done
			continue
		fi
		if "${DK[@]}" install --no-depmod "${MV[@]}" "${K[@]}" >"$D/install-$kv.log" 2>&1; then
			ok "$v: dkms install for $kv (--no-depmod, installtree under build/)"
		else
			notok "$v: dkms install for $kv"
			tail -n 15 "$D/install-$kv.log" | sed 's/^/#   /'
		fi
		ko=$(find "$D/install/$kv" -name 'shadowvm.ko*' | head -n 1)
		vm=$(modinfo -F vermagic "$ko" 2>&1)
		mv=$(modinfo -F version "$ko" 2>&1)
		if [ -n "$ko" ] && [[ $vm == "$kv "* ]] && [ "$mv" = "$VERSION" ]; then
			ok "$v: ${ko#"$D"/} has vermagic '$kv ...', version $VERSION"
		else
			notok "$v: DKMS module has vermagic '$kv ...', version $VERSION" \
				"module '${ko#"$D"/}', vermagic '$vm', version '$mv'"
		fi
		st=$("${DK[@]}" status "${MV[@]}" -k "$kv" 2>&1)
		check "$v: dkms status: installed for $kv" \
			grep -q "shadowvm/$VERSION, $kv, .*: installed" <<<"$st"
	done
	if "${DK[@]}" remove "${MV[@]}" --all --no-depmod >"$D/remove.log" 2>&1 &&
	   [ -z "$(find "$D/install" -name 'shadowvm.ko*')" ] &&
	   [ ! -e "$D/tree/shadowvm/$VERSION" ]; then
		ok "dkms remove --all: module and tree entry gone"
	else
		notok "dkms remove --all: module and tree entry gone"
		tail -n 15 "$D/remove.log" | sed 's/^/#   /'
	fi
	after=$(outside_state)
	if [ "$before" = "$after" ]; then
		ok "nothing outside the checkout changed (/usr/src, /var/lib/dkms, /lib/modules)"
	else
		notok "nothing outside the checkout changed" "before: $before" "after: $after"
	fi
fi

echo "1..$n"
