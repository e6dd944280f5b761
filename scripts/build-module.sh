#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build shadowvm.ko for one kernel in a directory of its own:
#
#   scripts/build-module.sh KDIR OUTDIR [make arguments...]
#
# Kbuild's M= puts the objects next to the sources, so a second kernel
# built in the tree would clobber the first one's objects (and the
# top-level ./shadowvm.ko that boot.sh loads).  This copies the module's
# sources (Kbuild, VERSION, include/, module/: *.c, *.h, *.S only) into OUTDIR and
# builds there with W=1; OUTDIR/shadowvm.ko is the result.  rsync keeps
# the objects already in OUTDIR, so a second run is incremental.
# Extra arguments go to make, e.g. -j2 or C=2 (sparse).

set -euo pipefail

[ $# -ge 2 ] || { sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KDIR=$1 OUT=$2
shift 2

[ -f "$KDIR/Makefile" ] || { echo "build-module: no kernel build tree at $KDIR" >&2; exit 1; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$ROOT"
rsync -a --delete --include='*/' --include='*.[chS]' --include=Kbuild \
	--include=VERSION --exclude='*' Kbuild VERSION include module "$OUT/"
exec make -C "$KDIR" M="$OUT" W=1 "$@" modules
