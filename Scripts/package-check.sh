#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks the amd64 packages Scripts/package.sh left in dist/: their completion scripts load and complete in bash,
# zsh and fish, and, installed with apt in a clean Debian 12 chroot (debootstrap --variant=minbase, no Swift
# toolchain), `xl-swift --version`, `man xl-swift`, `init-dom0less --help` and get_overlay work, and removing them
# leaves none of their files. Needs root for the chroot. SYSTEM_TEST_MIRROR names another Debian mirror.
# Usage: Scripts/package-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in -h | --help) sed -n '3,6{s/^# \{0,1\}//;p}' "$0"; exit 0 ;; esac
[ $# -eq 0 ] || { echo "usage: Scripts/package-check.sh" >&2; exit 2; }
source Scripts/setup.sh
version=$(sed -n 's/.*static let number = "\(.*\)"/\1/p' Sources/XLCommands/ToolVersion.swift)
dom0=dist/xl-swift_${version}_amd64.deb guest=dist/xl-swift-guest_${version}_amd64.deb
for deb in "$dom0" "$guest"; do
    [ -f "$deb" ] || { echo "package-check: $deb is missing: run Scripts/package.sh first" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "package-check: needs root (a chroot)" >&2; exit 1; }
work=$(mktemp -d)
root=$work/root
cleanup() {
    for mount in "$root/proc" "$root/dev"; do umount "$mount" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
failures=0
check() { # NAME COMMAND...: passes when COMMAND succeeds
    local name=$1
    shift
    if "$@" >"$work/out" 2>&1; then
        echo "PASS $name"
    else
        echo "FAIL $name: $(tail -n 3 "$work/out" | tr '\n' ' ')"
        failures=$((failures + 1))
    fi
}

# The completions, from the package's files, against a simulated host with a guest named web.
dpkg-deb -x "$dom0" "$work/files"
export PATH=$work/files/usr/sbin:$PATH XL_SIMULATE=$work/host
xl-swift list >/dev/null
scripts=$work/files/usr/share
bash_completes() { # WORD... : the last word's completions contain the expected one in $expect
    bash -c 'source "$1" || exit 3; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _xlswift xl-swift "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf "%s\n" "${COMPREPLY[@]}"' \
        bash "$scripts/bash-completion/completions/xl-swift" "$@" | grep -qx -- "$expect"
}
expect=dt-overlay check "bash completes xl-swift dt-" bash_completes xl-swift dt-
expect=Domain-0 check "bash completes the domains of xl-swift pause" bash_completes xl-swift pause ""
fish_completes() { # LINE
    fish -c "source '$scripts/fish/vendor_completions.d/xl-swift.fish'; or exit 3; complete -C '$1'" | cut -f1 | grep -qx -- "$expect"
}
expect=dt-overlay check "fish completes xl-swift dt-" fish_completes "xl-swift dt-"
expect=--simulate check "fish completes xl-swift --sim" fish_completes "xl-swift --sim"
zsh_loads() {
    ZDOTDIR=$work zsh -c "autoload -U compinit && compinit -u && source '$scripts/zsh/vendor-completions/_xlswift' && print -r -- \${_comps[xl-swift]}" | grep -qx _xlswift
}
check "zsh loads the completion of xl-swift" zsh_loads

# A clean Debian 12 without Swift, where apt installs the packages and what they depend on.
command -v debootstrap >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
start=$SECONDS
mirror=${SYSTEM_TEST_MIRROR:-http://deb.debian.org/debian}
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 5 "$work/debootstrap.log" >&2; echo "package-check: debootstrap failed" >&2; exit 1; }
# Built against bookworm's current Xen libraries, the packages need its updates and security suites too.
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
    "$mirror" "$mirror" "${mirror%/debian}/debian-security" >"$root/etc/apt/sources.list"
echo "package-check: clean bookworm chroot in $((SECONDS - start)) s"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
cp "$dom0" "$guest" "$root/tmp/"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
in_root sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends man-db /tmp/$(basename "$dom0") /tmp/$(basename "$guest")" \
    >"$work/apt.log" 2>&1 || { tail -n 10 "$work/apt.log" >&2; echo "package-check: apt-get install of the packages failed" >&2; exit 1; }
no_swift() { ! in_root sh -c 'command -v swift || ls /opt/swift /usr/libexec/swift'; }
check "the chroot has no Swift toolchain" no_swift
version_line() { in_root xl-swift --version | grep -qx "xl (xl-swift) $version"; }
check "xl-swift --version" version_line
manual() { in_root man -P cat xl-swift | grep -q "dt-overlay"; }
check "man xl-swift" manual
check "init-dom0less --help" in_root init-dom0less --help
check "/usr/lib/xl-swift/bin/xl list -h" in_root /usr/lib/xl-swift/bin/xl list -h
check "get_overlay --version" in_root /usr/lib/xen/bin/get_overlay --version
check "get_overlay.sh --help" in_root /usr/lib/xen/bin/get_overlay.sh --help
removed() {
    in_root sh -c 'dpkg -r xl-swift xl-swift-guest >/dev/null && ! ls /usr/sbin/xl-swift /usr/lib/xl-swift /usr/lib/xen/bin/get_overlay 2>/dev/null'
}
check "dpkg -r removes every file" removed
[ "$failures" -eq 0 ] || { echo "package-check: $failures check(s) failed" >&2; exit 1; }
echo "package-check: every check passed"
