#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A tour of xl against simulated Xen hosts: installs what is missing, builds, and runs every
# command that exists, printing each command, what it printed and its exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
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

step "Normal mode: arguments are checked (usage errors exit 2), and dom0 is refused (it sees the host tree)"
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
        plain { compatible = "xen,domain"; memory = <0x0 0x20000>; cpus = <1>; vpl011; };
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
# Normal mode: a direct-mapped dom0less guest runs get_overlay.sh; configfs is a directory here,
# with an rmdir that drops an item's attribute files as configfs does.
cat >guest-host.dts <<'DTS'
/dts-v1/;
/ {
    #address-cells = <2>; #size-cells = <2>; interrupt-parent = <&gic>;
    chosen {
        rt { compatible = "xen,domain"; memory = <0x0 0x10000>; cpus = <1>; xen,enhanced; direct-map;
             #xen,static-mem-address-cells = <1>; #xen,static-mem-size-cells = <1>;
             xen,static-mem = <0x50000000 0x4000000>; };
    };
    memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x1 0x0>; };
    gic: interrupt-controller@8000000 { compatible = "arm,gic-v3"; #interrupt-cells = <3>; interrupt-controller;
        reg = <0x0 0x8000000 0x0 0x10000>; };
    soc: soc { compatible = "simple-bus"; #address-cells = <2>; #size-cells = <2>; ranges; };
};
DTS
cat >eth-guest.dts <<'DTS'
/dts-v1/;
/plugin/;
/ {
    fragment@0 {
        target-path = "/soc";
        __overlay__ {
            ethernet@9100000 { compatible = "example,eth"; reg = <0x0 0x9100000 0x0 0x1000>;
                interrupt-parent = <&gic>; interrupts = <0 40 4>; };
        };
    };
};
DTS
dtc -q -@ -I dts -O dtb -o guest-host.dtb guest-host.dts
dtc -q -@ -I dts -O dtb -o eth-guest.dtbo eth-guest.dts
mkdir -p configfs/device-tree/overlays firmware bin
printf '#!/bin/sh\nfor item in "$@"; do rm -f "$item/dtbo" "$item/path" "$item/status"; done\nexec /bin/rmdir "$@"\n' >bin/rmdir
chmod +x bin/rmdir
guest() { # the domU's side, once, in the background; its output goes to guest.log
    PATH="$work/bin:$PATH" CONFIGFS="$work/configfs" FIRMWARE="$work/firmware" FPGA_FLAGS="$work/fpga-flags" \
        GET_OVERLAY="$(dirname "$xl_binary")/get_overlay" XL_SIMULATE= \
        sh "$repo/Scripts/get_overlay.sh" --once --simulate "$work/normal" --domain 1 --wait 30 >guest.log 2>&1 &
}
init_dom0less --simulate "$work/normal" --host-dtb guest-host.dtb --xen-version 4.21 >/dev/null

step "Normal mode: without the guest's get_overlay nothing happens, within --timeout"
show xl --simulate "$work/normal" dt-overlay add eth-guest.dtbo rt eth normal 0 --timeout 1

step "Normal mode: the guest copy travels first (target-path \"/\", interrupt-parent 0xfde8), then add and attach, then the guest applies it"
show xl --simulate "$work/normal" -N dt-overlay add eth-guest.dtbo rt eth normal 0
guest
show xl --simulate "$work/normal" -v dt-overlay add eth-guest.dtbo rt eth normal 0
wait
show cat guest.log
show fdtget -t s configfs/device-tree/overlays/eth/dtbo /fragment@0 target-path
show fdtget -t x configfs/device-tree/overlays/eth/dtbo /fragment@0/__overlay__/ethernet@9100000 interrupt-parent
show xl --simulate "$work/normal" dt-overlay list

step "Normal mode remove: the guest removes its overlay first (rmdir); Xen keeps the devices with it"
guest
show xl --simulate "$work/normal" dt-overlay remove eth-guest.dtbo rt eth normal 0
wait
show cat guest.log

# xl create / list / destroy: seed 003's passthrough of /soc/ethernet@fff51000 on a simulated host.
cat >midway-host.dts <<'DTS'
/dts-v1/;
/ {
    compatible = "calxeda,highbank"; #address-cells = <2>; #size-cells = <2>; interrupt-parent = <&gic>;
    chosen { stdout-path = "/soc/serial@fff36000"; };
    memory@0 { device_type = "memory"; reg = <0 0 0 0x80000000>; };
    gic: interrupt-controller@fff10000 { compatible = "arm,gic-v3"; #interrupt-cells = <3>; interrupt-controller;
        reg = <0 0xfff10000 0 0x10000 0 0xfe000000 0 0x100000>; };
    soc { compatible = "simple-bus"; #address-cells = <2>; #size-cells = <2>; ranges;
        smmu: iommu@fd800000 { compatible = "arm,mmu-500"; reg = <0 0xfd800000 0 0x20000>; #iommu-cells = <1>; };
        serial@fff36000 { compatible = "arm,pl011"; reg = <0 0xfff36000 0 0x1000>; interrupts = <0 10 4>; };
        ethernet@fff51000 { compatible = "calxeda,hb-xgmac"; reg = <0 0xfff51000 0 0x1000>;
            interrupts = <0 80 4 0 81 4 0 82 4>; iommus = <&smmu 0x100>; xen,passthrough; };
    };
};
DTS
cat >guest-midway.dts <<'DTS'
/dts-v1/;
/ {
    #address-cells = <2>; #size-cells = <2>;
    aliases { net = &mac0; };
    passthrough { compatible = "simple-bus"; ranges; #address-cells = <2>; #size-cells = <2>;
        mac0: ethernet@10000000 { compatible = "calxeda,hb-xgmac"; reg = <0 0x10000000 0 0x1000>;
            interrupts = <0 80 4  0 81 4  0 82 4>; };
    };
};
DTS
dtc -q -I dts -O dtb -o midway-host.dtb midway-host.dts
dtc -q -I dts -O dtb -o guest-midway.dtb guest-midway.dts
python3 -c "b = bytearray(4096); b[0x38:0x3c] = b'ARMd'; open('Image', 'wb').write(b)"
cat >midway.cfg <<CFG
name = "midway"
kernel = "$work/Image"
memory = 256
vcpus = 2
extra = "console=hvc0"
device_tree = "$work/guest-midway.dtb"
dtdev = [ "/soc/ethernet@fff51000" ]
irqs = [ 112, 113, 114 ]
iomem = [ "0xfff51,1@0x10000" ]
CFG
export XL_SIMULATE="$work/midway"

step "xl create -N: the parsed config as libxl JSON on stdout (-v adds the guest device tree as DTS on stderr); nothing is created"
show xl --host-dtb midway-host.dtb -v -N create midway.cfg

step "xl create: IRQs 112-114 routed 1:1, page 0xfff51 mapped at 0x10000, the ethernet assigned"
show xl --host-dtb midway-host.dtb create midway.cfg
show xl list

step "A bad variant fails with its own message and leaves no trace: irqs misses 114"
show xl create midway.cfg 'name="other"' 'irqs=[112,113]'
show xl list

step "Lifecycle: pause twice needs unpause twice (state letter p), rename, domid/domname; errors are one line"
show xl pause midway
show xl pause midway
show xl unpause midway
show xl list midway
show xl unpause midway
show xl unpause midway
show xl rename midway web
show xl domid web
show xl domname 1
show xl rename web Domain-0
show xl rename web midway
show xl frobnicate

step "xl list's columns as upstream prints them: -v (UUID, reason code, label), -c (CPU pool), -n (node affinity)"
show xl list -v
show xl list -c -n midway

step "xl uptime, xl sysrq (the guest takes the key; a bad key is a usage error), xl info, xl dmesg -c"
show xl uptime
show xl uptime -s midway
show xl sysrq midway h
show xl sysrq midway hs
show xl info
show xl info free_memory
show xl dmesg -c
show xl dmesg

step "xl list -l: the configuration recorded at create, also where libxl keeps it (dom0 has none: left out, as upstream); destroy removes it (domain 0 is refused)"
show xl list -l
show ls "$XL_SIMULATE/var/lib/xen"
show xl destroy 0
show xl destroy midway
show ls "$XL_SIMULATE/var/lib/xen"
show xl list

step "xl create -c: create and attach to the console; the simulated guest reports what it found"
show xl create -c midway.cfg
show xl destroy midway

step "xl console: what the simulated guest wrote; -t vuart reads its vpl011; -t serial, a missing console, dom0 and a dom0less domain are refused in one line"
show xl create -e midway.cfg 'vuart="sbsa_uart"' 'extra="console=hvc0 console=ttyAMA0"'
show xl console -t vuart midway
show xl console -t serial midway
show xl console -n 1 midway
show xl console 0
show xl --simulate "$work/dl421" console 1
show xl --simulate "$work/dl421" console web
show xl destroy midway

step "The monitor: xl create stays behind (log in DIR/log/xl-NAME.log); reboot brings the guest back under its name, shutdown -ww waits until the monitor destroyed it"
show xl create midway.cfg
sleep 1
show cat "$XL_SIMULATE/log/xl-midway.log"
show xl reboot midway
sleep 1
show xl list
show xl monitor midway
show xl -v shutdown -ww midway
show cat "$XL_SIMULATE/log/xl-midway.log"
show xl list

step "A guest without PV drivers (xen_nopv) cannot answer: refused with the reason, -F shuts it down through Xen; on_poweroff=preserve keeps it"
show xl create -e midway.cfg 'cmdline="console=hvc0 xen_nopv"' 'on_poweroff="preserve"'
show xl shutdown midway
show xl shutdown -F midway
show xl list
show xl destroy midway

step "PV devices: vif= and disk= at create (a file goes through the block script's loop device), attach, list and detach; what needs QEMU or a device model is refused in one line"
truncate -s 16M disk.img
show xl create -e midway.cfg 'vif=["bridge=xenbr0"]' "disk=[\"$work/disk.img,raw,xvda,rw\"]"
show xl network-attach midway bridge=xenbr0 mac=00:16:3e:00:00:02
show xl block-attach midway "$work/disk.img,raw,xvdb,r"
show xl network-list midway
show xl block-list midway
show xl block-attach midway "$work/disk.img,qcow2,xvdc,r"
show xl network-attach midway model=e1000
show xl block-detach midway xvdb
show xl network-detach midway 1
show xl network-list midway
show xl destroy midway

step "CPUs, memory and pools: vcpu-list/pin (a CPU the host lacks is refused), mem-set within mem-max, a null-scheduler pool the guest moves into; cpu-add moves all CPUs or none"
export XL_SIMULATE="$work/cpus"
cat >pools.cfg <<CFG
name = "midway"
kernel = "$work/Image"
memory = 256
vcpus = 2
CFG
show xl create -e pools.cfg
show xl vcpu-pin midway all 1
show xl vcpu-pin midway 1 - 0
show xl vcpu-pin midway 0 9
show xl vcpu-list midway
show xl mem-max midway 300
show xl mem-set midway 512m
show xl cpupool-cpu-remove Pool-0 2-3
show xl cpupool-create name='"rt"' sched='"null"' cpus='"2-3"'
show xl cpupool-migrate midway rt
show xl cpupool-list
show xl list -c
show xl cpupool-cpu-add rt 1-3
show xl cpupool-list -c
show xl cpupool-destroy rt
show xl destroy midway
show xl cpupool-destroy rt
show xl cpupool-cpu-add Pool-0 2-3
show xl info free_cpus
export XL_SIMULATE="$work/midway"

step "Seed 002's flow: after init-dom0less, xl network-attach hotplugs a PV network interface into a dom0less guest; one without xen,enhanced has no xenstore, so it is refused"
show xl --simulate "$work/dl421" network-attach web type=vif
show xl --simulate "$work/dl421" network-list web
show xl --simulate "$work/dl421" network-attach 1 type=vif

step "xl create's options: -V refused on ARM; xendomains' create --quiet --dryrun --defconfig FILE"
show xl create -V midway.cfg
show xl create --quiet --dryrun --defconfig midway.cfg
# static_shm: seed 004's three domains with ARM addresses, on a simulated host running the Xilinx fork.
shm_config() { # NAME MEMORY SPEC...
    local name=$1 memory=$2
    shift 2
    local specs
    specs=$(printf '"%s", ' "$@")
    printf 'name = "%s"\nkernel = "%s"\nmemory = %s\nstatic_shm = [ %s ]\n' "$name" "$work/Image" "$memory" "${specs%, }" >"$name.cfg"
}
shm_config vm1 256 "id=ID1, begin=0x48100000, size=0x100000, role=owner, prot=rw" "id=ID2, begin=0x48300000, size=0x100000, role=owner"
shm_config vm2 128 "id=ID1, offset=0, begin=0x60500000, size=0x100000, role=borrower, prot=rw"
shm_config vm3 128 "id=ID2, offset=0x10000, begin=0x60690000, size=0xf0000, role=borrower"
shm_config literal1 256 "id=ID1, begin=0x100000, size=0x100000, role=owner, cache_policy=x86_normal, prot=rw"
shm_config literal3 128 "id=ID2, offset=0x10000, begin=0x690000, size=0x110000, role=borrower"
shm_records() { # the static_shm part of the simulated host's xenstore
    python3 - "$XL_SIMULATE/xenstore.json" <<'PY'
import json, sys
nodes = json.load(open(sys.argv[1]))["nodes"]
for path in sorted(nodes):
    if "static_shm" in path and not nodes[path]["children"]:
        print(path, "=", bytes(nodes[path]["value"]).decode())
PY
}
export XL_SIMULATE="$work/shm"

step "static_shm on the Xilinx fork (--xen-flavour xilinx): a borrower before its owner is refused"
show xl --xen-flavour xilinx create vm2.cfg

step "The owner vm1, then its borrowers vm2 and vm3: records in xenstore, usercnt 2 for both ids"
show xl create vm1.cfg
show xl create vm2.cfg
show xl create vm3.cfg
show xl list
show shm_records

step "vm3's guest device tree: /reserved-memory/xen-shmem@60690000 with xen,id and xen,offset"
show xl -N create vm3.cfg 'name="vm3-preview"'

step "Seed 004 taken literally: x86 cache policy, an owner region outside RAM, a borrower past its owner's region"
show xl create literal1.cfg
show xl create literal1.cfg 'static_shm=["id=ID9, begin=0x100000, size=0x100000, role=owner"]'
show xl create literal3.cfg

step "An owner still mapped is not destroyed without -f; borrowers leave their records"
show xl destroy vm1
show xl destroy vm2
show xl destroy vm3
show shm_records
show xl destroy vm1
show shm_records
show xl list

step "Upstream Xen has no run-time static shared memory: the borrower is refused, nothing is left"
export XL_SIMULATE="$work/shm-upstream"
show xl create vm1.cfg
show xl create vm2.cfg
show xl list

step "Forced: xl destroy -f destroys an owner that is still mapped and says what stays mapped"
export XL_SIMULATE="$work/shm"
show xl create vm1.cfg
show xl create vm2.cfg
show xl destroy -f vm1
show shm_records
show xl destroy vm2
show shm_records
