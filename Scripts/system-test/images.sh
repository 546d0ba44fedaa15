# SPDX-License-Identifier: Apache-2.0
# The system images: Xen, the kernel, dom0's initramfs (busybox, Debian's Xen 4.20 tools and their
# libraries, our static binaries, the test files), the guests' initramfs, and the host device tree
# (QEMU's own, dumped and edited). Sourced by Scripts/system-test.sh.

# The board. The host device tree is dumped with exactly these options.
ST_MACHINE=(-machine virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 1 -m 2560)
# The spare board device handed to guests: QEMU virt's PL061 GPIO (MMIO page 0x9030, SPI 7 = IRQ 39).
ST_PT_NODE=/pl061@9030000
ST_PT_PAGE=0x9030
ST_PT_IRQ=39
# Where the boot modules go: above the DTB QEMU places at 128 MiB into RAM.
ST_MODULE_BASE=$((0x4a000000))

# xenconsole is the client Debian's xl console runs.
ST_XEN_TOOLS=(xl xenstored xenconsoled xenconsole init-dom0less xen-init-dom0 libxl-save-helper)
ST_XEN_MODULES=(xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc)
# PV devices: dom0's back ends and the bridge (in load order), the guests' front ends. A module the
# kernel has built in is not in its package and is left out.
ST_BACKEND_MODULES=(llc stp bridge loop xen-netback xen-blkback)
ST_FRONTEND_MODULES=(xen-netfront xen-blkfront)

st_images() {
    local out=$ST_OUT
    rm -rf "$out/img"
    mkdir -p "$out/img"
    st_kernel_and_xen
    st_guest_initramfs
    st_host_dtb_base
    st_dom0_initramfs
    # dom0 carries the host device tree (for --host-dtb), which names dom0's own size: the tree is
    # padded to a fixed size, so a placeholder gives the layout and the real tree keeps it.
    st_dom0_with_dtb "$ST_OUT/img/virt.dts"
    local boot
    for boot in ours debian overlay; do st_host_dtb "$boot"; done
    local before; before=$(stat -c %s "$ST_OUT/img/dom0.cpio")
    st_dom0_with_dtb "$ST_OUT/img/ours.dts"
    [ "$(stat -c %s "$ST_OUT/img/dom0.cpio")" = "$before" ] || { st_log "dom0 initramfs changed size"; return 1; }
    st_log "images: Xen $(stat -c %s "$ST_OUT/img/xen") B, kernel $(stat -c %s "$ST_OUT/img/Image") B, dom0 initramfs $before B, guest initramfs $(stat -c %s "$ST_OUT/img/guest.cpio") B"
}

# dom0.cpio: the base archive and a second one holding /st/host.dtb (padded to 256 KiB).
st_dom0_with_dtb() { # DTS
    local tmp=$ST_OUT/img/dtb-root
    rm -rf "$tmp"; mkdir -p "$tmp/st"
    dtc -q -S 262144 -I dts -O dtb -o "$tmp/st/host.dtb" "$1"
    st_cpio "$tmp" "$ST_OUT/img/dtb.cpio"
    cat "$ST_OUT/img/dom0-base.cpio" "$ST_OUT/img/dtb.cpio" >"$ST_OUT/img/dom0.cpio"
    rm -rf "$tmp" "$ST_OUT/img/dtb.cpio"
}

# Xen and the arm64 kernel (a plain Image in Debian's package), plus dom0's Xen modules unpacked.
st_kernel_and_xen() {
    local img=$ST_OUT/img k=$ST_CACHE/kernel deb
    deb=$(ls "$ST_DEBS"/linux-image-*_arm64.deb | head -n1)
    local key="$deb ${ST_XEN_MODULES[*]} ${ST_BACKEND_MODULES[*]} ${ST_FRONTEND_MODULES[*]}"
    if [ ! -f "$k/.from" ] || [ "$(cat "$k/.from")" != "$key" ]; then
        rm -rf "$k" "$k.x"; mkdir -p "$k/modules" "$k/backend" "$k/frontend" "$k.x"
        dpkg-deb -x "$deb" "$k.x"
        cp "$k.x"/boot/vmlinuz-* "$k/Image"
        local m found
        for m in "${ST_XEN_MODULES[@]}"; do
            xz -dc "$(find "$k.x/usr/lib/modules" -name "$m.ko.xz" | head -n1)" >"$k/modules/$m.ko"
        done
        for m in "${ST_BACKEND_MODULES[@]}" "${ST_FRONTEND_MODULES[@]}"; do
            found=$(find "$k.x/usr/lib/modules" -name "$m.ko.xz" | head -n1)
            [ -n "$found" ] || continue
            case " ${ST_FRONTEND_MODULES[*]} " in *" $m "*) xz -dc "$found" >"$k/frontend/$m.ko" ;; *) xz -dc "$found" >"$k/backend/$m.ko" ;; esac
        done
        rm -rf "$k.x"
        echo "$key" >"$k/.from"
    fi
    head -c 64 "$k/Image" | od -An -c | tr -d ' \n' | grep -q 'ARMd' || { st_log "kernel is not an arm64 Image"; return 1; }
    cp "$k/Image" "$img/Image"
    dpkg-deb --fsys-tarfile "$(ls "$ST_DEBS"/xen-hypervisor-4.20-arm64_*.deb)" | tar -xO --wildcards './boot/xen-4.20-arm64' >"$img/xen"
    dpkg-deb --fsys-tarfile "$(ls "$ST_DEBS"/xen-hypervisor-4.20-arm64_*.deb)" | tar -xO --wildcards './boot/xen-4.20-arm64.config' >"$img/xen.config"
}

# A cpio (newc) archive of a directory, uncompressed: the fastest for the kernel to unpack under TCG.
st_cpio() { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2"; }

st_guest_initramfs() {
    local root=$ST_OUT/img/guest-root
    mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
    cp "$ST_SYSROOT/usr/bin/busybox" "$root/bin/busybox"
    install -m 0755 "$ST_DIR/guest-init.sh" "$root/init"
    mkdir -p "$root/lib/modules"
    cp "$ST_CACHE"/kernel/frontend/*.ko "$root/lib/modules/" 2>/dev/null || true
    st_cpio "$root" "$ST_OUT/img/guest.cpio"
    rm -rf "$root"
}

# QEMU's device tree for the board, as it gives it to a kernel.
st_host_dtb_base() {
    qemu-system-aarch64 "${ST_MACHINE[@]}" -machine dumpdtb="$ST_OUT/img/virt.dtb" -nographic -nic none >/dev/null 2>&1 || true
    [ -s "$ST_OUT/img/virt.dtb" ] || { st_log "qemu did not dump the board's device tree"; return 1; }
    dtc -q -I dtb -O dts "$ST_OUT/img/virt.dtb" >"$ST_OUT/img/virt.dts"
    grep -q "${ST_PT_NODE#/} {" "$ST_OUT/img/virt.dts" || { st_log "the board has no $ST_PT_NODE"; return 1; }
}

# The shared libraries an ELF file needs, found in the sysroot, copied with their paths (recursively).
st_copy_libraries() { # ROOT FILE...
    local root=$1; shift
    local queue=("$@") seen=" " file lib path dir
    while [ ${#queue[@]} -gt 0 ]; do
        file=${queue[0]}; queue=("${queue[@]:1}")
        for lib in $(readelf -d "$file" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            case $seen in *" $lib "*) continue ;; esac
            seen="$seen$lib "
            path=""
            for dir in usr/lib/aarch64-linux-gnu lib/aarch64-linux-gnu usr/lib; do
                if [ -e "$ST_SYSROOT/$dir/$lib" ]; then path=$dir/$lib; break; fi
            done
            [ -n "$path" ] || { st_log "library $lib (for $file) is not in the sysroot"; return 1; }
            path=usr/${path#usr/}
            mkdir -p "$root/$(dirname "$path")"
            cp -L "$ST_SYSROOT/${path}" "$root/$path" 2>/dev/null || cp -L "$ST_SYSROOT/${path#usr/}" "$root/$path"
            queue+=("$root/$path")
        done
    done
}

st_dom0_initramfs() {
    local root=$ST_OUT/img/dom0-root img=$ST_OUT/img
    rm -rf "$root"
    mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib/aarch64-linux-gnu,usr/lib/xen-4.20/bin,proc,sys,dev,tmp,run,root,etc/xen}
    ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"
    mkdir -p "$root/var/lib/xen" "$root/var/log/xen/console" "$root/var/lock"
    ln -s /run "$root/var/run"
    cp "$ST_SYSROOT/usr/bin/busybox" "$root/usr/bin/busybox"
    local tool
    for tool in "${ST_XEN_TOOLS[@]}"; do
        cp "$ST_SYSROOT/usr/lib/xen-4.20/bin/$tool" "$root/usr/lib/xen-4.20/bin/$tool"
    done
    cp "$ST_SYSROOT/usr/bin/xenstore" "$root/usr/bin/xenstore"
    for tool in read write ls list rm exists chmod watch; do ln -s xenstore "$root/usr/bin/xenstore-$tool"; done
    cp "$ST_SYSROOT/etc/xen/xl.conf" "$root/etc/xen/xl.conf"
    cp "$ST_SYSROOT/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" "$root/usr/lib/ld-linux-aarch64.so.1" 2>/dev/null \
        || cp -L "$ST_SYSROOT/lib/ld-linux-aarch64.so.1" "$root/usr/lib/ld-linux-aarch64.so.1"
    st_copy_libraries "$root" "$root"/usr/lib/xen-4.20/bin/* "$root/usr/bin/xenstore"
    # glibc loads libgcc_s at run time (pthread_cancel in libxl's child handling).
    cp -L "$ST_SYSROOT/usr/lib/aarch64-linux-gnu/libgcc_s.so.1" "$root/usr/lib/aarch64-linux-gnu/"
    mkdir -p "$root/lib/modules/backend"
    cp "$ST_CACHE"/kernel/modules/*.ko "$root/lib/modules/"
    cp "$ST_CACHE"/kernel/backend/*.ko "$root/lib/modules/backend/" 2>/dev/null || true
    # The hotplug scripts (vif-bridge, block) xl runs, Debian's, and the bash they need.
    cp -a "$ST_SYSROOT/etc/xen/scripts" "$root/etc/xen/scripts"
    # util-linux's flock: the block script's lock (claim_lock) needs it, and busybox has none.
    cp "$ST_SYSROOT/usr/bin/bash" "$ST_SYSROOT/usr/bin/flock" "$root/usr/bin/"
    st_copy_libraries "$root" "$root/usr/bin/bash" "$root/usr/bin/flock"
    # Ours.
    mkdir -p "$root/opt/xl-swift/bin"
    cp "$ST_OUT/bin/xl" "$ST_OUT/bin/init-dom0less" "$root/opt/xl-swift/bin/"
    # The test's files: the guest (same kernel, tiny initramfs), its config, a partial device tree
    # for the passthrough device, an overlay, and the host device tree.
    mkdir -p "$root/st"
    cp "$img/Image" "$root/st/Image"
    cp "$img/guest.cpio" "$root/st/guest.cpio"
    st_guest_files "$root/st"
    install -m 0755 "$ST_DIR/dom0-init.sh" "$root/init"
    st_cpio "$root" "$img/dom0-base.cpio"
    rm -rf "$root"
}

# The xl.cfg of the guest both xl's create, its partial device tree, and an overlay for dt-overlay.
st_guest_files() { # DIR
    local dir=$1 gic
    gic=$(fdtget -t x "$ST_OUT/img/virt.dtb" / interrupt-parent)
    cat >"$dir/guest.cfg" <<CFG
# The guest of the xl create check: PVH, the dom0 kernel, a tiny initramfs, the spare GPIO.
name = "st-guest"
type = "pvh"
kernel = "/st/Image"
ramdisk = "/st/guest.cpio"
extra = "console=hvc0 quiet st.name=st-guest"
memory = 256
vcpus = 1
iomem = [ "$(printf '%x' "$ST_PT_PAGE"),1" ]
irqs = [ $ST_PT_IRQ ]
device_tree = "/st/passthrough.dtb"
CFG
    cat >"$dir/passthrough.dts" <<DTS
/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    passthrough {
        compatible = "simple-bus";
        ranges;
        #address-cells = <2>;
        #size-cells = <2>;
        gpio@9030000 {
            compatible = "arm,pl061", "arm,primecell";
            reg = <0x0 0x9030000 0x0 0x1000>;
            interrupts = <0 $((ST_PT_IRQ - 32)) 4>;
            interrupt-parent = <0xfde8>;
            gpio-controller;
            #gpio-cells = <2>;
        };
    };
};
DTS
    dtc -q -I dts -O dtb -o "$dir/passthrough.dtb" "$dir/passthrough.dts"
    # The PV-device guest: no passthrough, a network interface on xenbr0 and a raw disk whose first
    # line the guest prints (the same file block-attach gives the dom0less domain).
    cat >"$dir/guest-pv.cfg" <<CFG
name = "st-pv"
type = "pvh"
kernel = "/st/Image"
ramdisk = "/st/guest.cpio"
extra = "console=hvc0 quiet st.name=st-pv"
memory = 256
vcpus = 1
vif = [ "bridge=xenbr0" ]
disk = [ "format=raw, vdev=xvda, access=ro, target=/st/disk.img" ]
CFG
    { echo "ST-DISK marker"; head -c 1048576 /dev/zero; } >"$dir/disk.img"
    cat >"$dir/overlay.dts" <<DTS
/dts-v1/;
/plugin/;
/ {
    fragment@0 {
        target-path = "/";
        __overlay__ {
            st-device@c000000 {
                compatible = "xl-swift,system-test";
                reg = <0x0 0xc000000 0x0 0x1000>;
                interrupts = <0 100 4>;
                interrupt-parent = <0x$gic>;
            };
        };
    };
};
DTS
    dtc -q -@ -I dts -O dtb -o "$dir/overlay.dtbo" "$dir/overlay.dts"
}

# Lays the boot modules out in RAM and writes the host device tree that names them: dom0, the
# dom0less domains (one xen,enhanced, one not; none for the overlay boot), and the spare device
# marked xen,passthrough.
st_host_dtb() { # BOOT-NAME -> $ST_OUT/img/BOOT.dtb and $ST_OUT/img/BOOT.loaders
    local boot=$1 img=$ST_OUT/img next=$ST_MODULE_BASE
    local loaders=() dts
    place() { # FILE -> sets ADDR SIZE, appends a loader
        SIZE=$(stat -c %s "$1"); ADDR=$next
        loaders+=("-device" "loader,file=$1,addr=$(printf '0x%x' "$ADDR"),force-raw=on")
        next=$(( (ADDR + SIZE + 0x1fffff) & ~0x1fffff ))
    }
    reg() { printf '<0x0 0x%x 0x0 0x%x>' "$ADDR" "$SIZE"; }
    dts=$(cat "$img/virt.dts")
    place "$img/Image"; local k0; k0=$(reg)
    place "$img/dom0.cpio"; local r0; r0=$(reg)
    place "$img/Image"; local k1; k1=$(reg)
    place "$img/guest.cpio"; local r1; r1=$(reg)
    place "$img/Image"; local k2; k2=$(reg)
    place "$img/guest.cpio"; local r2; r2=$(reg)
    (( next < 0x40000000 + 2560 * 1024 * 1024 - 0x10000000 )) || { st_log "boot modules do not fit in RAM"; return 1; }
    local domu
    domu() { # NAME KERNEL RAMDISK EXTRA-PROPERTY
        cat <<NODE
        $1 {
            compatible = "xen,domain";
            #address-cells = <2>;
            #size-cells = <2>;
            memory = <0x0 0x40000>;
            cpus = <1>;
            vpl011;
            $4
            kernel {
                compatible = "multiboot,kernel", "multiboot,module";
                reg = $2;
                bootargs = "console=ttyAMA0 quiet st.name=$1";
            };
            ramdisk {
                compatible = "multiboot,ramdisk", "multiboot,module";
                reg = $3;
            };
        };
NODE
    }
    {
        printf '%s\n' "$dts"
        cat <<DTS
/ {
    chosen {
        #address-cells = <2>;
        #size-cells = <2>;
        xen,xen-bootargs = "console=dtuart dom0_mem=768M loglvl=all guest_loglvl=all";
        dom0-kernel {
            compatible = "multiboot,kernel", "multiboot,module";
            reg = $k0;
            bootargs = "console=hvc0 earlycon=xen rdinit=/init quiet st.boot=$boot";
        };
        dom0-ramdisk {
            compatible = "multiboot,ramdisk", "multiboot,module";
            reg = $r0;
        };
$(domu enhanced "$k1" "$r1" 'xen,enhanced = "enabled";')
$(domu plain "$k2" "$r2" '')
    };
};
&{$ST_PT_NODE} {
    xen,passthrough;
};
DTS
    } >"$img/$boot.dts"
    if [ "$boot" = overlay ]; then
        # dom0 only: its two modules; the domains' modules and nodes go.
        loaders=("${loaders[@]:0:4}")
        awk '/^        (enhanced|plain) \{$/ { skip = 1 } skip && /^        \};$/ { skip = 0; next } !skip' \
            "$img/$boot.dts" >"$img/$boot.dts.new" && mv "$img/$boot.dts.new" "$img/$boot.dts"
    fi
    dtc -q -I dts -O dtb -o "$img/$boot.dtb" "$img/$boot.dts"
    printf '%s\n' "${loaders[@]}" >"$img/$boot.loaders"
}
