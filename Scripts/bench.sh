#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The speed of our tools as ratios against C references measured in the same run, on the same machine:
# start-up against the real xenstored (started here under the fakexen shim, as the tests start it), the
# overlay checks of a large overlay against fdtoverlay, and the simulated host's cost after it.
# Prints one table row per measure: ours and the reference in milliseconds (mean of RUNS), and the ratio.
# Usage: Scripts/bench.sh [RUNS] (default 20; the overlay rows use RUNS/5, at least 2). Docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: Scripts/bench.sh [RUNS]" >&2; exit 2; }
slow=$(( runs / 5 > 2 ? runs / 5 : 2 ))
source Scripts/setup.sh
swift build -c release >/dev/null
xl=$PWD/.build/release/xl
work=$(mktemp -d)
daemon=""
cleanup() { [ -z "$daemon" ] || kill "$daemon" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# The real xenstored, as Tests/TestSupport/Xenstored.swift starts it.
cc -shared -fPIC -O2 -o "$work/libfakexen.so" Tests/TestSupport/fakexen.c -ldl
mkdir -p "$work/xs"
export XENSTORED_PATH=$work/xs/socket
XENSTORED_RUNDIR=$work/xs LD_PRELOAD=$work/libfakexen.so /usr/lib/xen-4.17/bin/xenstored -N >"$work/xs/log" 2>&1 &
daemon=$!
for _ in $(seq 100); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.05; done
[ -S "$XENSTORED_PATH" ] || { echo "bench: xenstored did not start: $(cat "$work/xs/log")" >&2; exit 1; }

# Mean wall time of COMMAND over N runs, in microseconds; its output is dropped, its status ignored.
mean() { # N COMMAND...
    local n=$1 start end i
    shift
    start=$(date +%s%N)
    for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    echo $(( (end - start) / n / 1000 ))
}
printf '%-52s %10s %10s %8s  %s\n' "measure" "ours ms" "ref ms" "ratio" "reference"
row() { # NAME OURS_US REF_US REFERENCE
    awk -v n="$1" -v o="$2" -v r="$3" -v ref="$4" 'BEGIN { printf "%-52s %10.2f %10.2f %7.2fx  %s\n", n, o / 1000, r / 1000, (r > 0 ? o / r : 0), ref }'
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
{
    printf '/dts-v1/;\n/plugin/;\n/ {\n    fragment@0 {\n        target-path = "/soc";\n        __overlay__ {\n'
    for i in $(seq 0 1999); do
        printf '            dev%d@%x { compatible = "bench,dev"; reg = <0x0 0x%x 0x0 0x1000>; status = "okay"; note = "device %d of the benchmark overlay"; };\n' \
            "$i" $((0x10000000 + i * 0x1000)) $((0x10000000 + i * 0x1000)) "$i"
    done
    printf '        };\n    };\n};\n'
} >"$work/big.dts"
dtc -q -@ -I dts -O dtb -o "$work/big.dtbo" "$work/big.dts"

host=$work/host
"$xl" --simulate "$host" --host-dtb "$work/base.dtb" list >/dev/null 2>&1
row "xl --help" "$(mean "$runs" "$xl" --help)" "$(mean "$runs" /bin/true)" "/bin/true"
row "xl list (simulated Xen, real xenstored)" "$(mean "$runs" "$xl" --simulate "$host" list)" \
    "$(mean "$runs" xenstore-read /local/domain/0/name)" "xenstore-read"
row "xl dt-overlay list (real xenstored)" "$(mean "$runs" "$xl" --simulate "$host" dt-overlay list)" \
    "$(mean "$runs" xenstore-ls /local/domain/0)" "xenstore-ls"
big_kb=$(( $(stat -c %s "$work/big.dtbo") / 1024 ))
fdt=$(mean "$slow" fdtoverlay -i "$work/base.dtb" -o "$work/out.dtb" "$work/big.dtbo")
row "xl -N dt-overlay add, 2000 nodes / ${big_kb} KB" "$(mean "$slow" "$xl" -N --simulate "$host" dt-overlay add "$work/big.dtbo")" "$fdt" "fdtoverlay"
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
