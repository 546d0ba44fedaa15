#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The speed of our tools as ratios against C references measured in the same run, on the same machine:
# start-up and peak memory against the real xenstored (started here under the fakexen shim, as the tests
# start it), the overlay checks of large overlays against fdtoverlay, the simulated host's cost after one,
# and init-dom0less on 1, 16 and 128 domains against a C client sending the same xenstore requests.
# Prints one table row per measure: ours and the reference in milliseconds (mean of RUNS) or MiB, and the
# ratio. The tools are built as Scripts/install.sh builds them (release, the Swift runtime linked in).
# Usage: Scripts/bench.sh [RUNS] (default 20; the overlay and init-dom0less rows use RUNS/5, at least 2).
# Docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: Scripts/bench.sh [RUNS]" >&2; exit 2; }
slow=$(( runs / 5 > 2 ? runs / 5 : 2 ))
source Scripts/setup.sh
build=.build/install
swift build -c release --static-swift-stdlib --scratch-path "$build" >/dev/null
bin=$(swift build -c release --static-swift-stdlib --scratch-path "$build" --show-bin-path)
xl=$bin/xl
init=$bin/init-dom0less
xenstored=/usr/lib/xen-4.17/bin/xenstored
work=$(mktemp -d)
daemons=()
cleanup() { for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# The real xenstored, as Tests/TestSupport/Xenstored.swift starts it, in directory DIR (its socket DIR/socket);
# with a second argument, tracing every request into that file.
cc -shared -fPIC -O2 -o "$work/libfakexen.so" Tests/TestSupport/fakexen.c -ldl
cc -O2 -o "$work/xenstore-replay" Scripts/bench/xenstore-replay.c
start_xenstored() { # DIR [TRACE]
    mkdir -p "$1"
    XENSTORED_RUNDIR=$1 XENSTORED_PATH=$1/socket LD_PRELOAD=$work/libfakexen.so "$xenstored" -N ${2:+-T "$2"} >"$1/log" 2>&1 &
    daemons+=($!)
    for _ in $(seq 100); do [ -S "$1/socket" ] && return; sleep 0.05; done
    echo "bench: xenstored did not start: $(cat "$1/log")" >&2
    exit 1
}
stop_xenstored() { kill "${daemons[-1]}"; wait "${daemons[-1]}" 2>/dev/null || true; unset 'daemons[-1]'; }
start_xenstored "$work/xs"
export XENSTORED_PATH=$work/xs/socket

# Mean wall time of COMMAND over N runs, in microseconds; its output is dropped, its status ignored.
mean() { # N COMMAND...
    local n=$1 start end i
    shift
    start=$(date +%s%N)
    for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    echo $(( (end - start) / n / 1000 ))
}
# Peak resident memory of COMMAND, in KiB.
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
printf '%-52s %10s %10s %8s  %s\n' "measure" "ours" "reference" "ratio" "reference"
row() { # NAME OURS_US REF_US REFERENCE
    awk -v n="$1" -v o="$2" -v r="$3" -v ref="$4" 'BEGIN { printf "%-52s %7.2f ms %7.2f ms %7.2fx  %s\n", n, o / 1000, r / 1000, (r > 0 ? o / r : 0), ref }'
}
memory_row() { # NAME OURS_KIB REF_KIB REFERENCE
    awk -v n="$1" -v o="$2" -v r="$3" -v ref="$4" 'BEGIN { printf "%-52s %6.1f MiB %6.1f MiB %7.2fx  %s\n", n, o / 1024, r / 1024, (r > 0 ? o / r : 0), ref }'
}

# A base tree with /soc and labels, and an overlay of 2000 devices under /soc (385 KB).
cat >"$work/base.dts" <<'DTS'
/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    interrupt-parent = <&gic>;
    gic: interrupt-controller@8000000 {
        compatible = "arm,gic-v3";
        #interrupt-cells = <3>;
        interrupt-controller;
        reg = <0x0 0x8000000 0x0 0x10000>;
    };
    soc: soc {
        compatible = "simple-bus";
        #address-cells = <2>;
        #size-cells = <2>;
        ranges;
    };
    chosen { };
};
DTS
dtc -q -@ -I dts -O dtb -o "$work/base.dtb" "$work/base.dts"
# An overlay of N devices under /soc into OUT, each with a reg, a status and EXTRA (a printf format of the device's
# number).
devices_overlay() { # N EXTRA OUT
    local i
    {
        printf '/dts-v1/;\n/plugin/;\n/ {\n    fragment@0 {\n        target-path = "/soc";\n        __overlay__ {\n'
        for ((i = 0; i < $1; i++)); do
            printf '            dev%d@%x { compatible = "bench,dev"; reg = <0x0 0x%x 0x0 0x1000>; status = "okay"; ' \
                "$i" $((0x10000000 + i * 0x1000)) $((0x10000000 + i * 0x1000))
            # shellcheck disable=SC2059 # the format is the caller's
            printf "$2" "$i"
            printf '};\n'
        done
        printf '        };\n    };\n};\n'
    } >"$3.dts"
    dtc -q -@ -I dts -O dtb -o "$3" "$3.dts"
}
devices_overlay 2000 'note = "device %d of the benchmark overlay"; ' "$work/big.dtbo"
# The same with an interrupt each (1830 devices: SPIs 32 to 1861 of the GIC).
devices_overlay 1830 'interrupts = <0 %d 4>; ' "$work/irq.dtbo"

host=$work/host
"$xl" --simulate "$host" --host-dtb "$work/base.dtb" list >/dev/null 2>&1
row "xl --help" "$(mean "$runs" "$xl" --help)" "$(mean "$runs" /bin/true)" "/bin/true"
row "xl list (simulated Xen, real xenstored)" "$(mean "$runs" "$xl" --simulate "$host" list)" \
    "$(mean "$runs" xenstore-read /local/domain/0/name)" "xenstore-read"
row "xl dt-overlay list (real xenstored)" "$(mean "$runs" "$xl" --simulate "$host" dt-overlay list)" \
    "$(mean "$runs" xenstore-ls /local/domain/0)" "xenstore-ls"
memory_row "peak memory, xl --help" "$(peak "$xl" --help)" "$(peak /bin/true)" "/bin/true"
memory_row "peak memory, xl list (real xenstored)" "$(peak "$xl" --simulate "$host" list)" \
    "$(peak xenstore-read /local/domain/0/name)" "xenstore-read"
big_kb=$(( $(stat -c %s "$work/big.dtbo") / 1024 ))
fdt=$(mean "$slow" fdtoverlay -i "$work/base.dtb" -o "$work/out.dtb" "$work/big.dtbo")
row "xl -N dt-overlay add, 2000 nodes / ${big_kb} KB" "$(mean "$slow" "$xl" -N --simulate "$host" dt-overlay add "$work/big.dtbo")" "$fdt" "fdtoverlay"
irq_kb=$(( $(stat -c %s "$work/irq.dtbo") / 1024 ))
row "xl -N dt-overlay add, 1830 nodes with IRQs / ${irq_kb} KB" \
    "$(mean "$slow" "$xl" -N --simulate "$host" dt-overlay add "$work/irq.dtbo")" \
    "$(mean "$slow" fdtoverlay -i "$work/base.dtb" -o "$work/out.dtb" "$work/irq.dtbo")" "fdtoverlay"
# A real add in simulation, with the simulated host's own xenstore file (the real xenstored would keep the
# record from one fresh host to the next): each run on a fresh host, less the cost of making one.
inside() { env -u XENSTORED_PATH "$xl" "$@"; }
fresh_add() { rm -rf "$work/fresh" && inside --simulate "$work/fresh" --host-dtb "$work/base.dtb" dt-overlay add "$work/big.dtbo"; }
fresh_host() { rm -rf "$work/fresh" && inside --simulate "$work/fresh" --host-dtb "$work/base.dtb" list; }
add=$(mean "$slow" fresh_add)
setup=$(mean "$slow" fresh_host)
row "xl dt-overlay add in simulation, 2000 nodes" "$((add - setup))" "$fdt" "fdtoverlay"
fresh_add >"$work/add.log" 2>&1 || { echo "bench: the add in simulation failed: $(tail -n 1 "$work/add.log")" >&2; exit 1; }
inside --simulate "$work/empty" --host-dtb "$work/base.dtb" list >/dev/null 2>&1
row "xl dt-overlay list after that add" "$(mean "$runs" inside --simulate "$work/fresh" dt-overlay list)" \
    "$(mean "$runs" inside --simulate "$work/empty" dt-overlay list)" "the same on a host without overlays"

# init-dom0less on hosts with N enhanced dom0less domains (Xen 4.19 semantics: it allocates the pages),
# against the real xenstored; the reference is xenstore-replay sending the requests our run sent (from
# xenstored's trace) to a fresh xenstored. Per domain: the time beyond a host without dom0less domains.
dom0less_tree() { # N -> host tree DTS with N enhanced 1-vCPU domains
    local i
    printf '/dts-v1/;\n/ {\n  #address-cells = <2>; #size-cells = <2>;\n  chosen {\n'
    for ((i = 1; i <= $1; i++)); do
        printf '    domU%d { compatible = "xen,domain"; memory = <0x0 0x20000>; cpus = <1>; xen,enhanced = "enabled"; };\n' "$i"
    done
    printf '  };\n  memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x1 0x0>; };\n};\n'
}
# Sets took to the mean microseconds of init-dom0less on a fresh host of N domains (REPEAT runs): with the
# real xenstored (real) or the simulated host's own store (simulated). A first, untimed real run leaves the
# requests it sent in $work/dom0less-N/trace (xenstored's trace slows it down).
dom0less_run() { # real|simulated N REPEAT
    local run=$work/dom0less-$2 total=0 start end i
    for ((i = -1; i < $3; i++)); do
        [ "$1" = real ] || [ "$i" -ge 0 ] || continue
        rm -rf "$run/host" "$run/xs" && mkdir -p "$run"
        dom0less_tree "$2" >"$run/host.dts"
        dtc -q -I dts -O dtb -o "$run/host.dtb" "$run/host.dts"
        if [ "$1" = real ]; then
            if [ "$i" -ge 0 ]; then start_xenstored "$run/xs"; else start_xenstored "$run/xs" "$run/trace"; fi
            start=$(date +%s%N)
            XENSTORED_PATH=$run/xs/socket "$init" --simulate "$run/host" --host-dtb "$run/host.dtb" --xen-version 4.19 >"$run/out" 2>"$run/err"
        else
            start=$(date +%s%N)
            env -u XENSTORED_PATH "$init" --simulate "$run/host" --host-dtb "$run/host.dtb" --xen-version 4.19 >"$run/out" 2>"$run/err"
        fi
        end=$(date +%s%N)
        [ "$1" = real ] && stop_xenstored
        [ "$(grep -c 'initialised:' "$run/out")" -eq "$2" ] || { echo "bench: init-dom0less did not initialise $2 domains: $(cat "$run/err")" >&2; exit 1; }
        [ "$i" -lt 0 ] || total=$((total + end - start))
    done
    took=$((total / $3 / 1000))
}
# Sets took to the mean microseconds of replaying $work/dom0less-N/trace to a fresh xenstored, and replayed to
# the number of requests.
replay_run() { # N REPEAT
    local run=$work/dom0less-$1 total=0 start end i
    for ((i = 0; i < $2; i++)); do
        rm -rf "$run/replay"
        start_xenstored "$run/replay"
        start=$(date +%s%N)
        replayed=$("$work/xenstore-replay" "$run/trace" "$run/replay/socket")
        end=$(date +%s%N)
        stop_xenstored
        total=$((total + end - start))
    done
    took=$((total / $2 / 1000))
}
# The small hosts get RUNS runs: their time per domain is a difference of two short times.
dom0less_run real 0 "$runs"
empty_real=$took
dom0less_run simulated 0 "$runs"
empty_simulated=$took
for n in 1 16 128; do
    repeat=$([ "$n" -le 1 ] && echo "$runs" || echo "$slow")
    dom0less_run real "$n" "$repeat"
    ours=$took
    replay_run "$n" "$repeat"
    row "init-dom0less, $n domain(s), real xenstored" "$ours" "$took" "C client, the same $replayed requests"
    eval "real_$n=$(( (ours - empty_real) / n ))"
    dom0less_run simulated "$n" "$repeat"
    eval "simulated_$n=$(( (took - empty_simulated) / n ))"
done
# Per domain: the time beyond the same command on a host without dom0less domains, divided by N.
row "init-dom0less per domain, 128 vs 1, real xenstored" "$real_128" "$real_1" "the same per domain of 1 domain"
row "init-dom0less per domain, 128 vs 1, simulated store" "$simulated_128" "$simulated_1" "the same per domain of 1 domain"
