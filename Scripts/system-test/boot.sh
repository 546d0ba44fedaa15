# SPDX-License-Identifier: Apache-2.0
# The boots: Xen 4.20 under qemu-system-aarch64 (TCG), one boot per dom0 role:
#   ours     Debian's Xen: our init-dom0less, xl list, xl create/destroy (ours and Debian's), dt-overlay
#   debian   Debian's Xen: Debian's init-dom0less, for the xenstore tree ours is compared with
#   overlay  the Xen built with CONFIG_OVERLAY_DTB, dom0 only: xl dt-overlay add/attach/remove
# The boots run side by side. Serial output goes to $ST_OUT/BOOT.log.
# Sourced by Scripts/system-test.sh.

ST_BOOT_LIMIT=${SYSTEM_TEST_BOOT_LIMIT:-900}   # seconds before a boot is stopped

st_boot() { # BOOT
    local boot=$1 img=$ST_OUT/img
    local loaders=()
    mapfile -t loaders <"$img/$boot.loaders"
    timeout --kill-after=10 "$ST_BOOT_LIMIT" qemu-system-aarch64 "${ST_MACHINE[@]}" \
        -display none -monitor none -serial "file:$ST_OUT/$boot.raw" -no-reboot -nic none \
        -kernel "$(st_boot_xen "$boot")" -dtb "$img/$boot.dtb" "${loaders[@]}" </dev/null >"$ST_OUT/$boot.qemu" 2>&1
    echo $? >"$ST_OUT/$boot.status"
    tr -d '\r' <"$ST_OUT/$boot.raw" >"$ST_OUT/$boot.log"
}

st_boot_xen() { if [ "$1" = overlay ]; then echo "$ST_XEN_OVERLAY/xen"; else echo "$ST_OUT/img/xen"; fi; }

st_boot_all() { # BOOT...
    local boot pids=() start
    start=$(date +%s)
    rm -f "$ST_OUT"/{ours,debian,overlay}.{raw,log,status,qemu}
    for boot in "$@"; do
        st_log "boot $boot: Xen 4.20 + dom0 under qemu-system-aarch64 (log: $ST_OUT/$boot.log)"
        st_boot "$boot" &
        pids+=($!)
    done
    local pid
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    st_timing "boots ($*, side by side)" "$(( $(date +%s) - start ))"
}
