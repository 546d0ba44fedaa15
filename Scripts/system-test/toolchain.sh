# SPDX-License-Identifier: Apache-2.0
# The cross toolchain, cached in $ST_CACHE: an amd64 Debian trixie chroot with Debian's swiftlang
# 6.0.3, and an arm64 trixie tree that is both the cross sysroot and the source of dom0's files.
# Sourced by Scripts/system-test.sh; see Docs/system-test.md.

# Host packages: debootstrap for the chroots, QEMU for the board, cpio for the initramfs, dtc.
st_host_packages() {
    # The chroots need mounts: a container without CAP_SYS_ADMIN cannot run this test at all, which
    # is a skip with the reason, as a failed download is, not a failure of the tools under test.
    local probe
    probe=$(mktemp -d)
    if ! mount -t tmpfs st-probe "$probe" 2>"$ST_OUT/mount-probe"; then
        rmdir "$probe"
        st_skip "this machine cannot mount file systems (root without CAP_SYS_ADMIN?): $(head -n1 "$ST_OUT/mount-probe")"
    fi
    umount "$probe"; rmdir "$probe"
    local wanted=(debootstrap qemu-system-arm cpio device-tree-compiler xz-utils) missing=() p
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    st_log "installing on the host: ${missing[*]}"
    st_download "apt-get update" apt-get update -qq
    st_download "host packages ${missing[*]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The arm64 packages: the cross sysroot (C and Swift libraries), and dom0's userspace.
ST_SYSROOT_PACKAGES=libc6-dev,libgcc-14-dev,libstdc++-14-dev,libfdt-dev,libswiftlang,libxen-dev,zlib1g-dev,liblzma-dev,libbz2-dev,libzstd-dev,liblzo2-dev,xen-utils-4.20,busybox-static
# The boot pieces, fetched as .debs and unpacked where needed.
ST_BOOT_PACKAGES="xen-hypervisor-4.20-arm64:arm64 linux-image-arm64:arm64 swiftlang:arm64"

st_toolchain_key() {
    printf '%s\n' "$ST_SYSROOT_PACKAGES" "$ST_BOOT_PACKAGES" "$ST_MIRROR" | cat - "$ST_DIR/toolchain.sh" | sha256sum | cut -c1-16
}

st_toolchain() {
    local key stamp=$ST_CACHE/toolchain.done
    key=$(st_toolchain_key)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
        st_log "toolchain: cached in $ST_CACHE"
        return 0
    fi
    st_unmount_all
    rm -rf "$ST_CHROOT" "$ST_SYSROOT" "$ST_DEBS" "$stamp"
    mkdir -p "$ST_CACHE" "$ST_DEBS"

    # The arm64 tree is fetched in the background meanwhile (debootstrap --foreign runs nothing).
    st_log "toolchain: arm64 sysroot (debootstrap --foreign, in the background)"
    local arm_log=$ST_CACHE/debootstrap-arm64.log
    debootstrap --arch=arm64 --foreign --variant=minbase --include="$ST_SYSROOT_PACKAGES" \
        trixie "$ST_SYSROOT" "$ST_MIRROR" >"$arm_log" 2>&1 &
    ST_ARM_PID=$!
    trap 'kill "${ST_ARM_PID:-}" 2>/dev/null || true' EXIT
    st_log "toolchain: debootstrap trixie amd64 (Debian swiftlang 6.0.3)"
    st_download "debootstrap trixie amd64" debootstrap --variant=minbase trixie "$ST_CHROOT" "$ST_MIRROR"
    printf 'deb %s trixie main\ndeb %s trixie-updates main\ndeb %s trixie-security main\n' \
        "$ST_MIRROR" "$ST_MIRROR" "$ST_SECURITY" >"$ST_CHROOT/etc/apt/sources.list"
    echo 'Acquire::Retries "3";' >"$ST_CHROOT/etc/apt/apt.conf.d/80retries"
    st_mount proc proc /proc
    st_mount bind /dev /dev
    st_chroot dpkg --add-architecture arm64
    st_download "apt-get update (chroot)" st_chroot apt-get update -q
    st_download "swiftlang (amd64)" st_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends swiftlang libc6-dev libstdc++-14-dev binutils-aarch64-linux-gnu git ca-certificates
    st_log "toolchain: fetching $ST_BOOT_PACKAGES"
    local kernel
    kernel=$(st_chroot apt-cache depends linux-image-arm64:arm64 | awk '/Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }')
    [ -n "$kernel" ] || st_skip "no arm64 kernel package behind linux-image-arm64 in the registry"
    mkdir -p "$ST_CHROOT/debs"
    st_download "arm64 boot packages" st_chroot sh -c "cd /debs && apt-get download -q xen-hypervisor-4.20-arm64:arm64 $kernel:arm64 swiftlang:arm64"
    mv "$ST_CHROOT"/debs/*.deb "$ST_DEBS/"

    if ! wait "$ST_ARM_PID"; then
        cat "$arm_log" >&2
        st_skip "download failed (debootstrap trixie arm64): $(grep -E 'E:|W:|[Ff]ail' "$arm_log" | tail -n1)"
    fi
    st_log "toolchain: unpacking the arm64 sysroot"
    local deb
    for deb in "$ST_SYSROOT"/var/cache/apt/archives/*.deb; do dpkg-deb -x "$deb" "$ST_SYSROOT"; done
    # Xen updates come from trixie-security: take the newest libxen/xen-utils from there too.
    st_download "arm64 xen tools (security)" st_chroot sh -c 'cd /debs && apt-get download -q libxen-dev:arm64 libxenmisc4.20:arm64 libxencall1:arm64 libxendevicemodel1:arm64 libxenevtchn1:arm64 libxenforeignmemory1:arm64 libxengnttab1:arm64 libxenstore4:arm64 libxentoolcore1:arm64 libxentoollog1:arm64 libxenhypfs1:arm64 xen-utils-4.20:arm64 xen-utils-common:arm64 xenstore-utils:arm64'
    for deb in "$ST_CHROOT"/debs/*.deb; do dpkg-deb -x "$deb" "$ST_SYSROOT"; done
    mv "$ST_CHROOT"/debs/*.deb "$ST_DEBS/"

    # The aarch64 half of Debian's swiftlang: module files, static libraries, clang headers.
    local x=$ST_CACHE/swiftlang-arm64
    rm -rf "$x"
    dpkg-deb -x "$ST_DEBS"/swiftlang_*_arm64.deb "$x"
    local lib=$ST_SYSROOT/usr/libexec/swift/lib
    mkdir -p "$lib"
    cp -a -n "$x/usr/libexec/swift/lib/swift/." "$lib/swift/"
    cp -a "$x/usr/libexec/swift/lib/swift_static" "$x/usr/libexec/swift/lib/clang" "$lib/"
    rm -rf "$x" "$ST_DEBS"/swiftlang_*_arm64.deb
    # Debian's 6.0.3 .lnk names ICU libraries it does not ship; Foundation's ICU is lib_FoundationICU.a.
    sed -i '/^-licu/d' "$lib/swift_static/linux/static-executable-args.lnk"
    echo "$key" >"$stamp"
}
