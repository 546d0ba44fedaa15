# SPDX-License-Identifier: Apache-2.0
# The cross build: xl, init-dom0less and get_overlay for aarch64-unknown-linux-gnu, statically linked, built by
# Debian trixie's swiftlang 6.0.3 in the amd64 chroot against the arm64 sysroot.
# Sourced by Scripts/system-test.sh.

# Libraries the static libxen*.a need that the package's module maps do not name.
ST_STATIC_LIBS=(xendevicemodel xenevtchn xengnttab xentoolcore xentoollog z lzma bz2 zstd lzo2)
# libxenguest.a members that only constructors reach (see st_cross_build).
ST_XENGUEST_LOADERS=(xg_dom_armzimageloader.o xg_dom_elfloader.o xg_dom_binloader.o)

st_chroot_mounts() {
    st_mount proc proc /proc
    st_mount bind /dev /dev
    st_mount rbind-ro "$ST_SYSROOT" /sysroot
    # Swift packages come from wherever the host's git sends github.com (a local mirror here).
    local line dir
    : >"$ST_CHROOT/etc/gitconfig"
    while read -r line; do
        local key=${line%% *} value=${line#* }
        git config --file "$ST_CHROOT/etc/gitconfig" --add "$key" "$value"
        dir=${key#url.}; dir=${dir%.insteadof}
        if [ -d "$dir" ]; then st_mount rbind-ro "$dir" "$dir"; fi
    done < <(git config --get-regexp '^url\..*\.insteadof$' || true)
}

st_destination() {
    cat <<JSON
{
  "version": 1,
  "sdk": "/sysroot",
  "toolchain-bin-dir": "/usr/libexec/swift/bin",
  "target": "aarch64-unknown-linux-gnu",
  "extra-cc-flags": [],
  "extra-swiftc-flags": ["-sdk", "/sysroot", "-resource-dir", "/sysroot/usr/libexec/swift/lib/swift_static", "-use-ld=lld", "-static-executable"],
  "extra-cpp-flags": []
}
JSON
}

st_cross_build() {
    st_chroot_mounts
    # The working tree as it is (committed or not), with mtimes kept so the build stays incremental.
    local src=$ST_CHROOT/src
    mkdir -p "$src"
    rm -rf "$src/Sources" "$src/Tests" "$src/Package.swift"
    (cd "$ST_ROOT" && git ls-files -co --exclude-standard -z -- Package.swift Sources Tests | tar --null -T - -cf -) | tar -xf - -C "$src"
    st_destination >"$ST_CHROOT/destination.json"
    # libxenguest's kernel loaders (arm64 Image and zImage, ELF, binary) register themselves from
    # constructors and nothing refers to them, so a static link leaves them out and xc_dom_parse_image
    # finds no loader. They go in as objects of their own (--whole-archive would load the archive's
    # other members a second time).
    local object link=() lib
    mkdir -p "$ST_CHROOT/build/xenguest-loaders"
    st_chroot sh -c "cd /build/xenguest-loaders && aarch64-linux-gnu-ar x /sysroot/usr/lib/aarch64-linux-gnu/libxenguest.a ${ST_XENGUEST_LOADERS[*]}" || return 1
    for object in "${ST_XENGUEST_LOADERS[@]}"; do link+=(-Xlinker "/build/xenguest-loaders/$object"); done
    for lib in "${ST_STATIC_LIBS[@]}"; do link+=(-Xlinker "-l$lib"); done
    local product
    for product in xl init-dom0less get_overlay; do
        st_log "cross build: $product (swift $(st_chroot swift --version 2>&1 | grep -o 'version [0-9.]*' | head -n1))"
        rm -f "$ST_CHROOT/build/aarch64-unknown-linux-gnu/release/$product"
        st_chroot sh -c "cd /src && swift build -c release --destination /destination.json --scratch-path /build --product $product ${link[*]}" || return 1
    done
    mkdir -p "$ST_OUT/bin"
    for product in xl init-dom0less get_overlay; do
        st_chroot aarch64-linux-gnu-strip -o "/build/$product.stripped" "/build/aarch64-unknown-linux-gnu/release/$product" || return 1
        mv "$ST_CHROOT/build/$product.stripped" "$ST_OUT/bin/$product" || return 1
        if readelf -d "$ST_OUT/bin/$product" 2>/dev/null | grep -q NEEDED; then
            st_log "cross build: $product is not static"; return 1
        fi
        st_log "cross build: $product $(stat -c %s "$ST_OUT/bin/$product") bytes, static"
    done
}
