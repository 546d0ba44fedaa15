#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test, including those against the real xenstored.
# Ends with a plain "N passed, N failed" line counted from XCTest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build
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
