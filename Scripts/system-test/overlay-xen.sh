# A Xen 4.20 with device-tree overlays: Debian's source package (with Debian's patches), built for
# arm64 with Debian's config plus CONFIG_UNSUPPORTED and CONFIG_OVERLAY_DTB, cross-compiled in the
# amd64 chroot with gcc-aarch64-linux-gnu. Cached in $ST_CACHE/xen-overlay. It boots as a third,
# dom0-only system where `xl dt-overlay` really adds, attaches and removes.
# Sourced by Scripts/system-test.sh; SYSTEM_TEST_OVERLAY=0 leaves it out.

ST_XEN_OVERLAY=$ST_CACHE/xen-overlay

st_overlay_xen() {
    local key stamp=$ST_XEN_OVERLAY/done
    key=$(cat "$ST_DIR/overlay-xen.sh" "$ST_OUT/img/xen.config" "$ST_CACHE/toolchain.done" | sha256sum | cut -c1-16)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
        st_log "overlay Xen: cached in $ST_XEN_OVERLAY"
        return 0
    fi
    rm -rf "$ST_XEN_OVERLAY"; mkdir -p "$ST_XEN_OVERLAY"
    st_chroot_mounts
    printf 'deb-src %s trixie main\ndeb-src %s trixie-security main\n' "$ST_MIRROR" "$ST_SECURITY" \
        >"$ST_CHROOT/etc/apt/sources.list.d/xen-source.list"
    st_download "apt-get update (sources)" st_chroot apt-get update -q
    st_download "cross compiler" st_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends gcc-aarch64-linux-gnu make python3 flex bison xz-utils patch
    # The newest source version whose tarballs the mirror has (a security upload's may be missing).
    local src=/xen-src version found=""
    rm -rf "$ST_CHROOT$src"; mkdir -p "$ST_CHROOT$src"
    for version in $(st_chroot apt-cache showsrc xen | sed -n 's/^Version: //p' | sort -rV); do
        st_chroot sh -c "cd $src && apt-get source -q --download-only --only-source xen=$version" >/dev/null 2>&1 || true
        if ls "$ST_CHROOT$src"/xen_*.orig.tar.* >/dev/null 2>&1 && ls "$ST_CHROOT$src"/xen_*.debian.tar.* >/dev/null 2>&1; then
            found=$version; break
        fi
        rm -f "$ST_CHROOT$src"/*
    done
    [ -n "$found" ] || st_skip "download failed (xen source package): no version's tarballs on the mirror"
    st_log "overlay Xen: building xen $found for arm64 with CONFIG_OVERLAY_DTB"
    st_chroot sh -c "cd $src && tar -xf xen_*.orig.tar.* && cd xen-*/ && tar -xf ../xen_*.debian.tar.* \
        && for p in \$(grep -v '^#' debian/patches/series); do patch -p1 -s <debian/patches/\$p || exit 1; done"
    cp "$ST_OUT/img/xen.config" "$ST_CHROOT$src/debian.config"
    local make="make -s XEN_TARGET_ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
    st_chroot sh -c "cd $src/xen-*/xen && cp $src/debian.config .config \
        && printf 'CONFIG_UNSUPPORTED=y\nCONFIG_OVERLAY_DTB=y\n' >>.config \
        && $make olddefconfig && grep -qx CONFIG_OVERLAY_DTB=y .config \
        && $make -j$(nproc) >/dev/null" 2> >(grep -v -e 'lsb_release' -e dnsdomainname >&2)
    cp "$ST_CHROOT$src"/xen-*/xen/xen "$ST_XEN_OVERLAY/xen"
    cp "$ST_CHROOT$src"/xen-*/xen/.config "$ST_XEN_OVERLAY/xen.config"
    echo "$found" >"$ST_XEN_OVERLAY/version"
    rm -rf "$ST_CHROOT$src"
    echo "$key" >"$stamp"
}
