#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs, on Debian 12, the packages xl-swift builds and tests with, skipping those already there.
# Sourced by demo.sh and test.sh. Needs root (or sudo) for apt-get.
set -euo pipefail

# The compression -dev packages give the static libraries libxenguest.a needs for the statically linked xl test;
# bash-completion, zsh and fish load the completion scripts in CompletionTests, man-db reads the man pages.
packages=(libfdt-dev device-tree-compiler libxen-dev xenstore-utils xen-utils-4.17 gcc libc6-dev
    zlib1g-dev liblzma-dev libbz2-dev libzstd-dev liblzo2-dev bash-completion zsh fish man-db)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    # xen-utils' postinst complains that there is no hypervisor; that is expected here.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
        [ -x "$candidate/swift" ] && export PATH="$candidate:$PATH" && break
    done
fi
command -v swift >/dev/null 2>&1 || { echo "setup: a Swift 6 toolchain is needed (swift not found on PATH)" >&2; exit 1; }
