#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, and runs every test, including those against the real xenstored.
# Ends with a plain "N passed, N failed" line counted from XCTest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build
# xl linked statically, as a distribution or the arm64 system test links it: Debian's libxenstore.a is built
# without the reader thread, which changes how watches and requests share a connection
# (Tests/XLCommandsTests/StaticBinaryTests.swift runs it against the real xenstored).
static=()
for lib in xendevicemodel xenevtchn xengnttab xentoolcore xentoollog z lzma bz2 zstd lzo2; do static+=(-Xlinker "-l$lib"); done
rm -f .build/static/debug/xl
swift build --product xl --scratch-path .build/static -Xswiftc -static-executable "${static[@]}" 2>&1 | grep -v "statically linked applications requires" || true
export XL_STATIC_BINARY=$PWD/.build/static/debug/xl
[ -x "$XL_STATIC_BINARY" ] || { echo "test.sh: the static build of xl failed" >&2; exit 1; }
# The argument parser's man page generator, as Scripts/install.sh runs it (Tests/XLCommandsTests/ManualPageTests.swift).
swift build --product generate-manual
export XL_GENERATE_MANUAL=$PWD/.build/debug/generate-manual
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
swift test --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -n 1)
executed=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$summary")
if [ -z "$summary" ]; then
    echo "test.sh: no XCTest summary found" >&2
    exit 1
fi
echo "$((executed - failed)) passed, $failed failed"
exit "$status"
