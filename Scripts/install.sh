#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds xl, init-dom0less and get_overlay for release (the Swift runtime linked in, stripped) and installs them
# with their man pages, shell completions, get_overlay.sh and the systemd units. See Docs/install.md.
# Usage: Scripts/install.sh [--prefix P] [--destdir D]   (default prefix /usr/local; D is prepended to every path)
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: Scripts/install.sh [--prefix P] [--destdir D]" >&2; exit 2; }
prefix=/usr/local destdir=""
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        --destdir) [ $# -ge 2 ] || usage; destdir=$2; shift 2 ;;
        --destdir=*) destdir=${1#--destdir=}; shift ;;
        -h | --help) sed -n '3,5{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) usage ;;
    esac
done
case $prefix in /*) ;; *) echo "install.sh: --prefix $prefix: give an absolute path" >&2; exit 2 ;; esac
source Scripts/setup.sh

build=.build/install
swift build -c release --static-swift-stdlib --scratch-path "$build" >"$build.log" 2>&1 \
    || { tail -n 30 "$build.log" >&2; echo "install.sh: the release build failed (log in $build.log)" >&2; exit 1; }
swift build -c release --scratch-path "$build" --product generate-manual >>"$build.log" 2>&1 \
    || { tail -n 30 "$build.log" >&2; echo "install.sh: generate-manual did not build (log in $build.log)" >&2; exit 1; }
bin=$(swift build -c release --static-swift-stdlib --scratch-path "$build" --show-bin-path)

sbindir=$destdir$prefix/sbin
xenbindir=$destdir$prefix/lib/xen/bin
mandir=$destdir$prefix/share/man
unitdir=$destdir$prefix/lib/systemd/system
install -d "$sbindir" "$xenbindir" "$mandir/man1" "$mandir/man8" "$unitdir" \
    "$destdir$prefix/share/bash-completion/completions" "$destdir$prefix/share/zsh/site-functions" \
    "$destdir$prefix/share/fish/vendor_completions.d"
install -m 0755 -s "$bin/xl" "$bin/init-dom0less" "$sbindir/"
# Where seed 000 points the domU: the receiver and the script beside it.
install -m 0755 -s "$bin/get_overlay" "$xenbindir/"
install -m 0755 Scripts/get_overlay.sh "$xenbindir/"

# Man pages from the argument-parser definitions: xl's as xl-swift(1), beside Debian's xl(1).
pages=$(mktemp -d)
trap 'rm -rf "$pages"' EXIT
date=$(git log -1 --format=%cs 2>/dev/null || date +%F)
"$bin/generate-manual" "$sbindir/xl" --section 1 --date "$date" -o "$pages"
"$bin/generate-manual" "$sbindir/init-dom0less" --section 8 --date "$date" -o "$pages"
"$bin/generate-manual" "$xenbindir/get_overlay" --section 8 --date "$date" -o "$pages"
sed 's/^\.Dt XL 1$/.Dt XL-SWIFT 1/' "$pages/xl.1" >"$pages/xl-swift.1"
install -m 0644 "$pages/xl-swift.1" "$mandir/man1/"
install -m 0644 "$pages/init-dom0less.8" "$pages/get_overlay.8" "$mandir/man8/"

"$sbindir/xl" --generate-completion-script bash >"$destdir$prefix/share/bash-completion/completions/xl"
"$sbindir/xl" --generate-completion-script zsh >"$destdir$prefix/share/zsh/site-functions/_xl"
"$sbindir/xl" --generate-completion-script fish >"$destdir$prefix/share/fish/vendor_completions.d/xl.fish"

sed "s|@SBINDIR@|$prefix/sbin|" Scripts/systemd/init-dom0less.service >"$unitdir/init-dom0less.service"
sed "s|@XENBINDIR@|$prefix/lib/xen/bin|" Scripts/systemd/get-overlay.service >"$unitdir/get-overlay.service"
chmod 0644 "$unitdir/init-dom0less.service" "$unitdir/get-overlay.service"
echo "install.sh: installed under $destdir$prefix"
