#!/usr/bin/env bash
# A tour of xl against simulated Xen hosts: installs what is missing, builds, and runs every
# command that exists, printing each command, what it printed and its exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build -c release >/dev/null
xl_binary="$PWD/.build/release/xl"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

xl() { "$xl_binary" "$@"; }
step() { printf '\n## %s\n' "$*"; }
show() {
    printf '$ %s\n' "$*"
    set +e
    "$@" 2>&1 | sed 's/^/    /'
    local status=${PIPESTATUS[0]}
    set -e
    printf '    (exit status %s)\n' "$status"
}

overlay() { # NAME TARGET ADDRESS SPI -> NAME.dtbo
    cat >"$1.dts" <<DTS
/dts-v1/;
/plugin/;
/ {
    fragment@0 {
        target$2;
        __overlay__ {
            $1@$3 {
                compatible = "example,$1";
                reg = <0x0 0x$3 0x0 0x1000>;
                interrupts = <0 $4 4>;
            };
        };
    };
};
DTS
    dtc -q -@ -I dts -O dtb -o "$1.dtbo" "$1.dts"
}

overlay ethernet '-path = "/soc"' 9100000 40
overlay gpio '-path = "/soc"' 9200000 41
overlay spi ' = <&soc>' 9300000 42
overlay clash '-path = "/soc"' 9100000 43
sed -i 's/clash@9100000/ethernet@9100000/' clash.dts && dtc -q -@ -I dts -O dtb -o clash.dtbo clash.dts
printf 'not a device tree' > junk.dtbo

export XL_SIMULATE="$work/host"

step "A new simulated host (Xen 4.19, the built-in ARM64 tree) is created on first use"
show xl dt-overlay list

step "Add an overlay: quiet on success, exit status 0"
show xl dt-overlay add ethernet.dtbo
show xl dt-overlay list

step "State persists across invocations: adding the same overlay again is refused"
show xl dt-overlay add ethernet.dtbo

step "Checks before any hypercall, each one line naming the file and what is wrong"
show xl dt-overlay add junk.dtbo
show xl dt-overlay add clash.dtbo
show xl dt-overlay add spi.dtbo
show xl dt-overlay remove gpio.dtbo
show xl dt-overlay attach ethernet.dtbo 7

step "Dry run (-N): the plan, the hypercall and its payload; nothing changes"
show xl -N dt-overlay attach ethernet.dtbo 0

step "Attach the devices to dom0: IRQs and MMIO 1:1"
show xl dt-overlay attach ethernet.dtbo Domain-0
show xl dt-overlay list --json

step "Remove it again"
show xl dt-overlay remove ethernet.dtbo
show xl dt-overlay list

step "Xen 4.22 resolves label targets (target = <&soc>)"
show xl --simulate "$work/host422" --xen-version 4.22 dt-overlay add spi.dtbo
show xl --simulate "$work/host422" dt-overlay list

step "Xen 4.18: add also gives the devices to dom0, and there is no attach"
show xl --simulate "$work/host418" --xen-version 4.18 dt-overlay add gpio.dtbo
show xl --simulate "$work/host418" dt-overlay attach gpio.dtbo 0

step "Without --simulate on a machine without Xen"
show env -u XL_SIMULATE "$xl_binary" dt-overlay list

step "Usage errors exit with status 2"
show xl dt-overlay attach ethernet.dtbo

step "Expert mode: add and attach in one step; remove takes the overlay back from that domain"
show xl dt-overlay add gpio.dtbo Domain-0
show xl dt-overlay list
show xl dt-overlay remove gpio.dtbo 1
show xl dt-overlay remove gpio.dtbo 0

step "Normal mode: arguments are checked (usage errors exit 2); the guest hand-off is not here yet, so it changes nothing"
show xl dt-overlay add gpio.dtbo 0 gpio bitstream 0
show xl dt-overlay add gpio.dtbo 0 gpio normal 0

step "Dom0less: Xen boots /chosen domains; init-dom0less makes the xen,enhanced ones PV-capable"
init_binary="$(dirname "$xl_binary")/init-dom0less"
init_dom0less() { "$init_binary" "$@"; }
cat >dom0less.dts <<'DTS'
/dts-v1/;
/ {
    #address-cells = <2>; #size-cells = <2>;
    chosen {
        plain { compatible = "xen,domain"; memory = <0x0 0x20000>; cpus = <1>; };
        web { compatible = "xen,domain"; memory = <0x0 0x40000>; cpus = <2>; xen,enhanced = "enabled"; };
        rt { compatible = "xen,domain"; memory = <0x0 0x10000>; cpus = <1>; xen,enhanced; direct-map;
             #xen,static-mem-address-cells = <1>; #xen,static-mem-size-cells = <1>;
             xen,static-mem = <0x50000000 0x4000000>; };
    };
    memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x1 0x0>; };
};
DTS
dtc -q -I dts -O dtb -o dom0less.dtb dom0less.dts
show init_dom0less --simulate "$work/dl419" --host-dtb dom0less.dtb --xen-version 4.19
show init_dom0less --simulate "$work/dl419"
show init_dom0less --simulate "$work/dl421" --host-dtb dom0less.dtb --xen-version 4.21
show init_dom0less --simulate "$work/dl421"
