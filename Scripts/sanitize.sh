#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds and runs the whole XCTest suite under AddressSanitizer and UndefinedBehaviorSanitizer, in its own
# scratch path (.build-sanitize). Extra arguments go to `swift test` (e.g. --filter CreateCommandTests).
# Ends with a plain "N passed, N failed" line; exits non-zero on a test failure or on any sanitizer report,
# including one from an `xl`/`get_overlay` child process that a test ran (reports go to files, see below).
#
# Swift 6.3.1 on Linux refuses `-sanitize=undefined` for Swift code (Swift checks overflow, bounds and
# nil itself); the C the project compiles is the inline functions of the imported headers (CFdt/CXen
# shims, libfdt.h), so UBSan is applied to those through clang (-Xcc), in the same build as ASan, whose
# runtime carries the UBSan handlers. -fno-sanitize-recover makes every UBSan finding abort.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh

scratch=.build-sanitize
flags=(--sanitize=address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined --scratch-path "$scratch")
reports=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$reports" "$log"' EXIT

# Every sanitized process (the test runner and the xl, get_overlay, init-dom0less it starts) writes its
# report to $reports/<tool>.<pid>, so a report from a child whose output a test swallowed still counts.
# Leak checking is off: what LeakSanitizer finds at exit is Foundation's, XCTest's and libxlutil's (the
# test oracle), not ours. The ASan runtime is linked statically into the executables, so the fakexen
# LD_PRELOAD shim the real-xenstored tests use loads after it without ASan's "does not come first" abort;
# the uninstrumented C programs (xenstored, Debian's xl) ignore these variables.
export ASAN_OPTIONS="detect_leaks=0:log_path=$reports/report"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/report"

start=$SECONDS
swift build --build-tests "${flags[@]}"
built=$SECONDS
set +e
swift test --skip-build --disable-swift-testing "${flags[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo "sanitize: build $((built - start)) s, tests $((SECONDS - built)) s"

found=$(find "$reports" -type f | wc -l)
if [ "$found" -gt 0 ]; then
    for report in "$reports"/*; do
        echo "sanitize: report $(basename "$report"):" >&2
        cat "$report" >&2
    done
fi

# Counted per test case, not from XCTest's failure count (which counts assertions): a case that started
# and neither passed nor was skipped failed, including the one a sanitizer abort cut short.
passed=$(grep -cE "^Test Case '.*' passed" "$log" || true)
skipped=$(grep -cE "^Test Case '.*' skipped" "$log" || true)
started=$(grep -cE "^Test Case '.*' started" "$log" || true)
failed=$((started - passed - skipped))
if [ "$started" -eq 0 ]; then
    echo "sanitize: no test ran" >&2
    failed=1
fi
if [ "$found" -gt 0 ] && [ "$failed" -eq 0 ]; then
    echo "sanitize: $found sanitizer report(s) from processes whose tests passed" >&2
fi
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$found" -gt 0 ] || [ "$failed" -gt 0 ]; then
    exit 1
fi
