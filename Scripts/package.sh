#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Debian packages, checked with lintian, in dist/:
#   xl-swift_<version>_<arch>.deb        dom0: xl-swift, init-dom0less, man pages, completions, init-dom0less.service
#   xl-swift-guest_<version>_<arch>.deb  a domU: get_overlay, get_overlay.sh (in /usr/lib/xen/bin), get-overlay.service
# for amd64 from this machine's release build (Scripts/install.sh's) and, with --arm64 DIR, for arm64 too, from the
# statically linked binaries the system test's cross build leaves in DIR (.system-test/out/bin). See Docs/install.md.
# Usage: Scripts/package.sh [--arm64 DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: Scripts/package.sh [--arm64 DIR]" >&2; exit 2; }
arm64=""
while [ $# -gt 0 ]; do
    case $1 in
        --arm64) [ $# -ge 2 ] || usage; arm64=$2; shift 2 ;;
        -h | --help) sed -n '3,8{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) usage ;;
    esac
done
if [ -n "$arm64" ]; then
    for binary in xl init-dom0less get_overlay; do
        [ -x "$arm64/$binary" ] || { echo "package.sh: --arm64 $arm64: no $binary there (run the system test's cross build first)" >&2; exit 1; }
    done
fi
source Scripts/setup.sh
# lintian checks the packages; dpkg-dev has dpkg-shlibdeps, which computes Depends.
if ! command -v lintian >/dev/null 2>&1 || ! command -v dpkg-shlibdeps >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends lintian dpkg-dev >/dev/null
fi

version=$(sed -n 's/.*static let number = "\(.*\)"/\1/p' Sources/XLCommands/ToolVersion.swift)
[ -n "$version" ] || { echo "package.sh: no version in Sources/XLCommands/ToolVersion.swift" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Everything but the binaries is the same for both architectures: installed once, for amd64.
bash Scripts/install.sh --prefix /usr --destdir "$work/usr-tree" >/dev/null
tree=$work/usr-tree/usr
mkdir -p dist

# The generated completion scripts name the command xl; these name it xl-swift, with their own function names, so
# that they sit beside Debian's completion for its xl.
rename_completion() { # FILE
    sed -e '1{/^#!/d}' -e 's/_xl/_xlswift/g' -e "s/'xl'/'xl-swift'/g" -e 's/"xl\([ "]\)/"xl-swift\1/g' \
        -e 's/^#compdef xl$/#compdef xl-swift/' -e 's/ _xlswift xl$/ _xlswift xl-swift/' \
        -e 's|\bxl list 2>/dev/null|xl-swift list 2>/dev/null|g' "$1"
}

# Lays out package NAME for ARCH in DIR/NAME from the binaries in BINDIR: its files, doc files and DEBIAN/control
# (with Depends from dpkg-shlibdeps, and DESCRIPTION, a summary line then the long text, read from stdin).
layout() { # DIR NAME ARCH BINDIR
    local root=$1/$2 name=$2 arch=$3 bin=$4
    mkdir -p "$root/DEBIAN" "$root/usr/share/doc/$name"
    if [ "$name" = xl-swift ]; then
        install -d "$root/usr/sbin" "$root/usr/lib/xl-swift/bin" "$root/usr/share/man/man1" "$root/usr/share/man/man8" \
            "$root/usr/lib/systemd/system" "$root/usr/share/bash-completion/completions" \
            "$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d"
        # The binary keeps its name in a directory of its own (first on PATH, it is `xl`); /usr/sbin has it as xl-swift.
        install -m 0755 "$bin/xl" "$root/usr/lib/xl-swift/bin/xl"
        ln -s ../lib/xl-swift/bin/xl "$root/usr/sbin/xl-swift"
        install -m 0755 "$bin/init-dom0less" "$root/usr/sbin/init-dom0less"
        gzip -9n <"$tree/share/man/man1/xl-swift.1" >"$root/usr/share/man/man1/xl-swift.1.gz"
        gzip -9n <"$tree/share/man/man8/init-dom0less.8" >"$root/usr/share/man/man8/init-dom0less.8.gz"
        rename_completion "$tree/share/bash-completion/completions/xl" >"$root/usr/share/bash-completion/completions/xl-swift"
        rename_completion "$tree/share/zsh/site-functions/_xl" >"$root/usr/share/zsh/vendor-completions/_xlswift"
        rename_completion "$tree/share/fish/vendor_completions.d/xl.fish" >"$root/usr/share/fish/vendor_completions.d/xl-swift.fish"
        install -m 0644 "$tree/lib/systemd/system/init-dom0less.service" "$root/usr/lib/systemd/system/"
    else
        install -d "$root/usr/lib/xen/bin" "$root/usr/share/man/man8" "$root/usr/lib/systemd/system"
        install -m 0755 "$bin/get_overlay" "$root/usr/lib/xen/bin/get_overlay"
        install -m 0755 Scripts/get_overlay.sh "$root/usr/lib/xen/bin/get_overlay.sh"
        gzip -9n <"$tree/share/man/man8/get_overlay.8" >"$root/usr/share/man/man8/get_overlay.8.gz"
        install -m 0644 "$tree/lib/systemd/system/get-overlay.service" "$root/usr/lib/systemd/system/"
    fi
    cat >"$root/usr/share/doc/$name/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: xl-swift

Files: *
Copyright: 2026 the xl-swift authors
License: Apache-2.0
 On Debian systems, the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
COPYRIGHT
    printf '%s (%s) unstable; urgency=medium\n\n  * Built by Scripts/package.sh.\n\n -- xl-swift maintainers <xl-swift@example.org>  %s\n' \
        "$name" "$version" "$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")" | gzip -9n >"$root/usr/share/doc/$name/changelog.gz"
    local depends=""
    if [ "$arch" = arm64 ]; then
        # The cross build links everything in (-static-executable), zlib among libxenguest's libraries: there is no
        # shared library to depend on.
        mkdir -p "$root/usr/share/lintian/overrides"
        printf '%s: statically-linked-binary *\n%s: embedded-library zlib *\n' "$name" "$name" >"$root/usr/share/lintian/overrides/$name"
    else
        mkdir -p "$1/shlibs-$name/debian"
        printf 'Source: xl-swift\n\nPackage: %s\nArchitecture: any\n' "$name" >"$1/shlibs-$name/debian/control"
        local binaries=()
        while IFS= read -r binary; do binaries+=("$binary"); done < <(find "$root/usr" -type f -perm -u+x ! -name '*.sh')
        depends=$(cd "$1/shlibs-$name" && dpkg-shlibdeps -O "${binaries[@]}" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
    fi
    find "$root/usr/share" -type f -exec chmod 0644 {} +
    local description
    description=$(cat)
    {
        echo "Package: $name"
        echo "Version: $version"
        echo "Architecture: $arch"
        echo "Maintainer: xl-swift maintainers <xl-swift@example.org>"
        echo "Installed-Size: $(du -sk "$root/usr" | cut -f1)"
        [ -z "$depends" ] || echo "Depends: $depends"
        echo "Section: admin"
        echo "Priority: optional"
        echo "Description: $(head -n 1 <<<"$description")"
        tail -n +2 <<<"$description"
    } >"$root/DEBIAN/control"
    (cd "$root" && find usr -type f -exec md5sum {} + >DEBIAN/md5sums)
}

# Builds and checks the two packages for ARCH from the binaries in BINDIR.
package() { # ARCH BINDIR
    local arch=$1 bin=$2 dir=$work/$1 name deb
    layout "$dir" xl-swift "$arch" "$bin" <<'TEXT'
Xen toolstack for Arm hosts, in Swift: xl, init-dom0less
 xl-swift is a Xen toolstack for Arm hosts that takes xl's commands, config
 files and output formats, with errors that name the file, line or node, and
 every check made before the hypervisor is touched: device-tree overlays
 (dt-overlay), create with passthrough and static_shm, the domain lifecycle,
 the console and PV devices. init-dom0less makes the domains Xen started at
 boot usable with PV drivers; its unit runs it after xenstored.
 .
 The command is xl-swift, beside Debian's xl; /usr/lib/xl-swift/bin has it
 as xl.
TEXT
    layout "$dir" xl-swift-guest "$arch" "$bin" <<'TEXT'
Xen domU side of xl-swift's device-tree overlay hand-off
 get_overlay and get_overlay.sh receive the device-tree overlays dom0's
 xl-swift sends in normal mode, through xenstore and granted pages, and apply
 them in the guest's configfs. The get-overlay unit serves them for as long
 as the guest runs.
TEXT
    for name in xl-swift xl-swift-guest; do
        deb=dist/${name}_${version}_${arch}.deb
        dpkg-deb --root-owner-group -Zxz --build "$dir/$name" "$deb" >/dev/null
        # Errors fail the build; warnings and notes are printed.
        lintian --fail-on error --suppress-tags no-manual-page "$deb" || { echo "package.sh: lintian found errors in $deb" >&2; exit 1; }
        echo "package.sh: $deb ($(( $(stat -c %s "$deb") / 1024 )) KiB)"
    done
}

# install.sh's stripped binaries.
mkdir -p "$work/amd64-bin"
cp "$tree/sbin/xl" "$tree/sbin/init-dom0less" "$tree/lib/xen/bin/get_overlay" "$work/amd64-bin/"
package amd64 "$work/amd64-bin"
[ -z "$arm64" ] || package arm64 "$arm64"
