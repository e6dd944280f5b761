#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make checkpatch: the kernel's checkpatch.pl (extracted by make deps) in
# --strict file mode over the module sources and the uapi header.
# Non-zero exit when it reports any error, warning or check.

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CP=$ROOT/build/checkpatch/checkpatch.pl
cd "$ROOT" || exit 1
[ -x "$CP" ] || { echo "checkpatch: $CP missing: run 'make deps'" >&2; exit 1; }

files=$(find module -name '*.[ch]' | LC_ALL=C sort)
files="$files include/uapi/linux/shadowvm.h"
# shellcheck disable=SC2086
# Per-file totals of clean files are noise; keep only the findings.
"$CP" --strict --no-tree --terse --show-types -q -f $files >"${TMPDIR:-/tmp}/checkpatch.$$" 2>&1
rc=$?
grep -v '^total: 0 errors, 0 warnings, 0 checks' "${TMPDIR:-/tmp}/checkpatch.$$"
rm -f "${TMPDIR:-/tmp}/checkpatch.$$"
if [ $rc -eq 0 ]; then
	echo "checkpatch: $(echo $files | wc -w) files clean"
fi
exit $rc
