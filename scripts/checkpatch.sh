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
if "$CP" --strict --no-tree --terse --show-types -q -f $files; then
	echo "checkpatch: $(echo $files | wc -w) files clean"
else
	exit 1
fi
