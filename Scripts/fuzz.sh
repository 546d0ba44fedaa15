#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets of Fuzz/ (with AddressSanitizer) and runs one target, or all of them one after
# another, for SECONDS each (default 60). Usage: Scripts/fuzz.sh [TARGET[,TARGET...]|all] [SECONDS]
# Each target's corpus grows in .fuzz/corpus/TARGET, seeded from Fuzz/Corpus/TARGET (DTS sources are compiled
# with dtc -@ first) and from Tests/CrashCorpus (every file for the device-tree targets, fuzz-TARGET-* for the
# others: the inputs that once crashed a tool, which the tests also run through every command). A crash, a leak or an input slower than FUZZ_TIMEOUT seconds (default 10) stops the run
# with exit status 1 and leaves the input in .fuzz/crashes/TARGET/. FUZZ_RUNS=N also ends a run after N executions
# (for the long runs of Docs/reliability.md). See Docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(config static-shm device-spec overlay partial-tree host-tree guest-overlay handoff)
usage() { echo "usage: Scripts/fuzz.sh [TARGET[,TARGET...]|all] [SECONDS]; TARGET is one of: ${targets[*]}" >&2; exit 2; }
[ $# -le 2 ] || usage
which=${1:-all}
seconds=${2:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage
if [ "$which" = all ]; then
    chosen=("${targets[@]}")
else
    IFS=, read -r -a chosen <<<"$which"
    for target in "${chosen[@]}"; do
        [[ " ${targets[*]} " == *" $target "* ]] || usage
    done
fi
source Scripts/setup.sh

start=$SECONDS
build_log=.fuzz/build.log
mkdir -p .fuzz
# One -sanitize flag with both values: given as two flags, the compiler instruments for the last one only.
if ! swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address >"$build_log" 2>&1; then
    grep -v "ld.gold: warning" "$build_log" | tail -n 30 >&2
    echo "fuzz: the fuzzers did not build (full log in $build_log)" >&2
    exit 1
fi
bin=$(swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address --show-bin-path)
echo "fuzz: built in $((SECONDS - start)) s"

# Swift's own crash backtracer would run inside ASan's handler and garble the report; libFuzzer prints the stack.
export SWIFT_BACKTRACE=enable=no
for target in "${chosen[@]}"; do
    seeds=.fuzz/seeds/$target corpus=.fuzz/corpus/$target crashes=.fuzz/crashes/$target log=.fuzz/logs/$target.log
    rm -rf "$seeds"
    mkdir -p "$seeds" "$corpus" "$crashes" .fuzz/logs
    # The seed sources, and the inputs of crashes found before: each run checks they stay fixed.
    case $target in
        overlay | partial-tree | host-tree | guest-overlay) earlier=(Tests/CrashCorpus/*.dtb*) ;;
        *) earlier=(Tests/CrashCorpus/fuzz-"$target"-*) ;;
    esac
    for file in Fuzz/Corpus/"$target"/* "${earlier[@]}"; do
        [ -e "$file" ] || continue
        case $file in
            *.dts) dtc -@ -q -I dts -O dtb -o "$seeds/$(basename "${file%.dts}").dtb" "$file" ;;
            *) cp "$file" "$seeds/" ;;
        esac
    done
    set +e
    began=$SECONDS
    "$bin/fuzz-$target" -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -timeout="${FUZZ_TIMEOUT:-10}" -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$corpus" "$seeds" >"$log" 2>&1
    status=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz $target: ${runs:-0} runs in $((SECONDS - began)) s (${rate:-0} exec/s), corpus $(find "$corpus" -type f | wc -l) inputs"
    if [ "$status" -ne 0 ]; then
        grep -E "ERROR: |Fatal error|SUMMARY: | #[0-9]+ 0x" "$log" | head -n 25 >&2
        echo "fuzz $target: FAILED (exit $status); input: $(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)" >&2
        echo "fuzz $target: full log in $log; reproduce with $bin/fuzz-$target FILE" >&2
        exit 1
    fi
done
echo "fuzz: ${chosen[*]}: no crash ($((SECONDS - start)) s in all)"
