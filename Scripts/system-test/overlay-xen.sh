# SPDX-License-Identifier: Apache-2.0
# A Xen 4.20 with device-tree overlays: the pinned upstream 4.20.4 tree (../shared/xen-src, checksum
# checked; else upstream's git at the pinned commit), built for arm64 with Debian's config plus
# CONFIG_UNSUPPORTED and CONFIG_OVERLAY_DTB, cross-compiled in the amd64 chroot with
# gcc-aarch64-linux-gnu. Debian's 4.20 tools run on it (same domctl interface, 0x17). Cached in
# $ST_CACHE/xen-overlay. It boots as a third, dom0-only system where `xl dt-overlay` really adds,
# attaches and removes. Sourced by Scripts/system-test.sh; SYSTEM_TEST_OVERLAY=0 leaves it out.

ST_XEN_OVERLAY=$ST_CACHE/xen-overlay
ST_XEN_OVERLAY_VERSION=4.20.4
ST_XEN_OVERLAY_COMMIT=9611e26eff425be128d4b9c7b48f2bc6b5d3498e
ST_XEN_OVERLAY_SHA256=77c8c7d1f250f41d85d76838bf8f0bf7bf8b08f911085d8b58046e39240d2b72
# Where the pinned trees are (their README names the upstream refs); SYSTEM_TEST_XEN_SOURCES overrides.
ST_XEN_SOURCES=${SYSTEM_TEST_XEN_SOURCES:-$(cd "$ST_ROOT/.." && pwd)/shared/xen-src}

# Unpacks xen-VERSION into DIR: the pinned tarball when it is there and matches SHA256, else a shallow
# clone of RELEASE-VERSION that must be COMMIT. Anything else skips the board, naming the source.
st_xen_source() { # VERSION COMMIT SHA256 DIR
    local version=$1 commit=$2 sum=$3 dir=$4 tarball=$ST_XEN_SOURCES/xen-$1.tar.xz
    if [ -f "$tarball" ]; then
        printf '%s  %s\n' "$sum" "$tarball" | sha256sum -c --quiet - >/dev/null 2>&1 \
            || st_skip "xen $version source: $tarball does not match its pinned sha256 $sum"
        tar -xJf "$tarball" -C "$dir" || st_skip "xen $version source: cannot unpack $tarball"
        st_log "xen $version source: $tarball (sha256 checked)"
    else
        st_download "xen $version source (no $tarball; git RELEASE-$version)" \
            git clone -q --depth 1 --branch "RELEASE-$version" https://github.com/xen-project/xen "$dir/xen-$version"
        [ "$(git -C "$dir/xen-$version" rev-parse HEAD)" = "$commit" ] \
            || st_skip "xen $version source: RELEASE-$version is not the pinned commit $commit"
        st_log "xen $version source: git RELEASE-$version at $commit"
    fi
}

st_overlay_xen() {
    local key stamp=$ST_XEN_OVERLAY/done
    key=$(cat "$ST_DIR/overlay-xen.sh" "$ST_OUT/img/xen.config" "$ST_CACHE/toolchain.done" | sha256sum | cut -c1-16)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
        st_log "overlay Xen: cached in $ST_XEN_OVERLAY"
        return 0
    fi
    rm -rf "$ST_XEN_OVERLAY"; mkdir -p "$ST_XEN_OVERLAY"
    st_chroot_mounts
    st_download "apt-get update" st_chroot apt-get update -q
    st_download "cross compiler" st_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends gcc-aarch64-linux-gnu make python3 flex bison xz-utils
    local src=/xen-src found=$ST_XEN_OVERLAY_VERSION
    rm -rf "$ST_CHROOT$src"; mkdir -p "$ST_CHROOT$src"
    st_xen_source "$found" "$ST_XEN_OVERLAY_COMMIT" "$ST_XEN_OVERLAY_SHA256" "$ST_CHROOT$src"
    st_log "overlay Xen: building xen $found for arm64 with CONFIG_OVERLAY_DTB"
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
