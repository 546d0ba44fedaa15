#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots simulated hosts with 1, 16 and 128 dom0less domains (Xen 4.19 semantics: init-dom0less
# allocates the pages) and runs init-dom0less against the real xenstored 4.17 under the fakexen shim,
# as Tests/TestSupport/Xenstored.swift does. Prints xenstore requests per domain (counted from
# xenstored's -T trace, one "IN" line per request) and wall time per domain.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build -c release --product init-dom0less >/dev/null
init="$PWD/.build/release/init-dom0less"
xenstored=/usr/lib/xen-4.17/bin/xenstored

work=$(mktemp -d)
daemon=""
cleanup() { if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
cc -shared -fPIC -O2 -o "$work/libfakexen.so" Tests/TestSupport/fakexen.c -ldl

tree() { # N -> host tree DTS with N enhanced 1-vCPU domains
    printf '/dts-v1/;\n/ {\n  #address-cells = <2>; #size-cells = <2>;\n  chosen {\n'
    for i in $(seq 1 "$1"); do
        printf '    domU%d { compatible = "xen,domain"; memory = <0x0 0x20000>; cpus = <1>; xen,enhanced = "enabled"; };\n' "$i"
    done
    printf '  };\n  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x1 0x0>; };\n};\n'
}

printf '%8s %14s %16s %14s\n' domains requests/domain "ms/domain" "total ms"
for n in 1 16 128; do
    run="$work/run$n"
    mkdir -p "$run"
    tree "$n" >"$run/host.dts"
    dtc -q -I dts -O dtb -o "$run/host.dtb" "$run/host.dts"
    LD_PRELOAD="$work/libfakexen.so" XENSTORED_RUNDIR="$run" XENSTORED_PATH="$run/socket" \
        "$xenstored" -N -T "$run/trace" >"$run/xenstored.log" 2>&1 &
    daemon=$!
    for _ in $(seq 1 200); do [ -S "$run/socket" ] && break; sleep 0.02; done
    start=$(date +%s%N)
    XENSTORED_PATH="$run/socket" "$init" --simulate "$run/host" --host-dtb "$run/host.dtb" --xen-version 4.19 >"$run/out"
    end=$(date +%s%N)
    requests=$(grep -c '^IN ' "$run/trace" || true)
    initialised=$(grep -c 'initialised:' "$run/out")
    [ "$initialised" -eq "$n" ] || { echo "bench: only $initialised of $n domains initialised" >&2; exit 1; }
    awk -v n="$n" -v r="$requests" -v ns="$((end - start))" \
        'BEGIN { printf "%8d %14.1f %16.2f %14.1f\n", n, r / n, ns / 1e6 / n, ns / 1e6 }'
    kill "$daemon"; wait "$daemon" 2>/dev/null || true
    daemon=""
done
echo "(requests include the two dom0 entries written when the simulated host boots)"
