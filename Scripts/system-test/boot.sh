# The boots: Debian's Xen 4.20 under qemu-system-aarch64 (TCG), one boot per dom0 role:
#   ours    our init-dom0less, xl list, xl create/destroy (ours, then Debian's), dt-overlay
#   debian  Debian's init-dom0less, for the xenstore tree ours is compared with
# The two boots run side by side. Serial output goes to $ST_OUT/BOOT.log.
# Sourced by Scripts/system-test.sh.

ST_BOOT_LIMIT=${SYSTEM_TEST_BOOT_LIMIT:-900}   # seconds before a boot is stopped

st_boot() { # BOOT
    local boot=$1 img=$ST_OUT/img
    local loaders=()
    mapfile -t loaders <"$img/$boot.loaders"
    timeout --kill-after=10 "$ST_BOOT_LIMIT" qemu-system-aarch64 "${ST_MACHINE[@]}" \
        -display none -monitor none -serial "file:$ST_OUT/$boot.raw" -no-reboot -nic none \
        -kernel "$img/xen" -dtb "$img/$boot.dtb" "${loaders[@]}" </dev/null >"$ST_OUT/$boot.qemu" 2>&1
    echo $? >"$ST_OUT/$boot.status"
    tr -d '\r' <"$ST_OUT/$boot.raw" >"$ST_OUT/$boot.log"
}

st_boot_all() {
    local boot pids=() start
    start=$(date +%s)
    for boot in ours debian; do
        rm -f "$ST_OUT/$boot.raw" "$ST_OUT/$boot.log" "$ST_OUT/$boot.status"
        st_log "boot $boot: Xen 4.20 + dom0 under qemu-system-aarch64 (log: $ST_OUT/$boot.log)"
        st_boot "$boot" &
        pids+=($!)
    done
    local i=0
    for boot in ours debian; do
        wait "${pids[$i]}" || true
        i=$((i + 1))
    done
    st_timing "boots (ours and debian, side by side)" "$(( $(date +%s) - start ))"
}
