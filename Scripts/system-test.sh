#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The arm64 system test: cross-builds xl, init-dom0less and get_overlay for aarch64 with Debian trixie's Swift
# 6.0.3, boots Debian's Xen 4.20 and arm64 kernel under qemu-system-aarch64 (TCG) with dom0less
# domains and a passthrough device, runs our tools next to Debian's in dom0 and compares them.
# Prints timings and ends with "N passed, N failed". Needs root (chroots, mounts).
# Cache: .system-test/ (or $SYSTEM_TEST_CACHE). Docs/system-test.md says more.
# Usage: Scripts/system-test.sh [--build-only]   (--build-only: the toolchain and the cross build, no boot; the
# binaries are left in .system-test/out/bin for Scripts/package.sh --arm64)
set -euo pipefail
build_only=false
case ${1:-} in
    "") ;;
    -h | --help) sed -n '3,9{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    --build-only) build_only=true ;;
    *) echo "usage: Scripts/system-test.sh [--build-only]" >&2; exit 2 ;;
esac
ST_ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ST_ROOT/Scripts/system-test/lib.sh"
source "$ST_DIR/toolchain.sh"
source "$ST_DIR/build.sh"
source "$ST_DIR/images.sh"
source "$ST_DIR/boot.sh"
source "$ST_DIR/checks.sh"
source "$ST_DIR/overlay-xen.sh"

[ "$(id -u)" -eq 0 ] || { echo "system-test: run as root (it uses chroot and bind mounts)" >&2; exit 1; }
trap st_unmount_all EXIT
mkdir -p "$ST_CACHE" "$ST_OUT"
rm -f "$ST_OUT/skip-reason"
total_start=$(date +%s)

ok=true
steps=("host packages:st_host_packages" "toolchain setup:st_toolchain" "cross build:st_cross_build")
$build_only || steps+=("system images:st_images")
for step in "${steps[@]}"; do
    st_step "${step%%:*}" "${step#*:}"
    [ "$ST_STATUS" -eq 0 ] || { ok=false; break; }
done
if $build_only; then
    $ok || exit 1
    echo "system-test: the aarch64 binaries are in $ST_OUT/bin"
    exit 0
fi
boots=(ours debian)
if $ok && [ "${SYSTEM_TEST_OVERLAY:-1}" != 0 ]; then
    # Optional: without it (a download failed) the other boots still run.
    st_step "overlay Xen build" st_overlay_xen
    [ "$ST_STATUS" -ne 0 ] || boots+=(overlay)
fi
st_unmount_all
if $ok; then
    st_boot_all "${boots[@]}"
    # The checks test conditions one by one and report each; a failing command must not stop them
    # (and a reader that stops early, like grep -q, must not fail its pipeline).
    set +e +o pipefail
    st_checks
    [[ " ${boots[*]} " != *" overlay "* ]] || st_check_overlay_xen
    st_check_timings
    set -e -o pipefail
fi

echo
echo "== timings (seconds)"
for t in "${ST_TIMINGS[@]}"; do printf '  %-40s %s\n' "${t% *}" "${t##* }"; done
printf '  %-40s %s\n' "total" "$(( $(date +%s) - total_start ))"
echo
echo "== results"
passed=0 failed=0 skipped=0
for r in "${ST_RESULTS[@]}"; do
    echo "  $r"
    case $r in PASS*) passed=$((passed + 1)) ;; FAIL*) failed=$((failed + 1)) ;; SKIP*) skipped=$((skipped + 1)) ;; esac
done
[ "$skipped" -eq 0 ] || echo "$skipped skipped"
echo "$passed passed, $failed failed"
# 0: every check passed; 1: a check failed; 3: nothing failed but something was skipped.
[ "$failed" -eq 0 ] || exit 1
[ "$skipped" -eq 0 ] || exit 3
exit 0
