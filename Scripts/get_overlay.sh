#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# get_overlay.sh: the domU's side of `xl dt-overlay add|remove FILE DOMAIN NODE_NAME TYPE PARTIAL`.
#
#   get_overlay.sh [--once] [GET_OVERLAY_OPTION...]  serve dom0's requests: run get_overlay, apply or
#                                                     remove what it got, report the outcome; again and
#                                                     again, or once with --once (exit status of that one).
#                                                     Exits 1 at once, before saying `waiting`, when configfs
#                                                     has no device-tree overlay directory
#   get_overlay.sh apply NODE_NAME TYPE PARTIAL FILE  apply one overlay through configfs
#   get_overlay.sh remove NODE_NAME TYPE PARTIAL      remove it (rmdir of its configfs item)
#
# TYPE normal: the overlay goes into configfs as CONFIGFS/device-tree/overlays/NODE_NAME/dtbo.
# TYPE fpga: it is copied to FIRMWARE/NODE_NAME.dtbo, the fpga-manager flags are set (1 partial
# reconfiguration, 0 full), and the item's `path` names the firmware file.
#
# Environment (for tests, point them at a directory):
#   CONFIGFS    configfs mount point (default /sys/kernel/config)
#   FIRMWARE    firmware directory (default /lib/firmware)
#   FPGA_FLAGS  the fpga-manager flags attribute (default /sys/class/fpga_manager/fpga0/flags)
#   GET_OVERLAY the get_overlay program (default: next to this script, else from PATH)
#   WORK        where received overlays are kept while being applied (default $TMPDIR or /tmp)
set -u

configfs=${CONFIGFS:-/sys/kernel/config}
overlays=$configfs/device-tree/overlays
firmware=${FIRMWARE:-/lib/firmware}
fpga_flags=${FPGA_FLAGS:-/sys/class/fpga_manager/fpga0/flags}
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${GET_OVERLAY:-}" ]; then
    get_overlay=$GET_OVERLAY
elif [ -x "$here/get_overlay" ]; then
    get_overlay=$here/get_overlay
else
    get_overlay=get_overlay
fi

fail() {
    echo "get_overlay.sh: $*" >&2
    return 1
}

# The configfs item reports whether the kernel applied the overlay (vendor kernels' `status`).
check_status() { # ITEM NAME
    if [ -f "$1/status" ] && [ "$(cat "$1/status")" != applied ]; then
        rmdir "$1"
        fail "the kernel did not apply overlay $2 (status $(cat "$1/status" 2>/dev/null))"
        return 1
    fi
}

# Whether this kernel can apply overlays at all: configfs mounted, with the device-tree overlay interface.
can_apply() {
    [ -d "$overlays" ] || { fail "no configfs overlay directory $overlays (mount configfs; the kernel needs OF_OVERLAY and its configfs interface)"; return 1; }
}

apply() { # NODE_NAME TYPE PARTIAL FILE
    name=$1 type=$2 partial=$3 file=$4
    item=$overlays/$name
    can_apply || return 1
    [ -e "$item" ] && { fail "overlay $name is already applied ($item exists)"; return 1; }
    [ -f "$file" ] || { fail "no overlay file $file"; return 1; }
    case $type in
    normal)
        mkdir "$item" || { fail "cannot create $item"; return 1; }
        if ! cat "$file" >"$item/dtbo"; then
            rmdir "$item"
            fail "the kernel refused overlay $name"
            return 1
        fi
        ;;
    fpga)
        case $partial in 0 | 1) ;; *) fail "PARTIAL $partial: give 0 or 1"; return 1 ;; esac
        [ -e "$fpga_flags" ] || { fail "no fpga manager: $fpga_flags is missing (the kernel needs FPGA_MGR and a driver for this FPGA)"; return 1; }
        cp "$file" "$firmware/$name.dtbo" || { fail "cannot copy the overlay to $firmware/$name.dtbo"; return 1; }
        printf '%s\n' "$partial" >"$fpga_flags" || { fail "cannot set the fpga-manager flags in $fpga_flags"; return 1; }
        mkdir "$item" || { fail "cannot create $item"; return 1; }
        if ! printf '%s' "$name.dtbo" >"$item/path"; then
            rmdir "$item"
            fail "the kernel refused fpga overlay $name"
            return 1
        fi
        ;;
    *)
        fail "TYPE $type: give normal or fpga"
        return 1
        ;;
    esac
    check_status "$item" "$name" || return 1
    echo "applied $type overlay $name"
}

remove() { # NODE_NAME TYPE PARTIAL
    name=$1 type=$2
    item=$overlays/$name
    [ -d "$item" ] || { fail "overlay $name is not applied (no $item)"; return 1; }
    # Removing the configfs item is what removes the overlay from the live tree.
    rmdir "$item" || { fail "cannot remove $item"; return 1; }
    if [ "$type" = fpga ]; then rm -f "$firmware/$name.dtbo"; fi
    echo "removed $type overlay $name"
}

# One request: get it, act on it, report the outcome. Returns get_overlay's status when it failed.
serve_one() {
    work=${WORK:-${TMPDIR:-/tmp}}
    file=$work/get_overlay.$$.dtbo
    line=$("$get_overlay" "$@" --output "$file") || return $?
    read -r op id name type partial received <<EOF
$line
EOF
    case $op in
    add)
        if reason=$(apply "$name" "$type" "$partial" "$received" 2>&1); then
            echo "$reason"
            "$get_overlay" "$@" --report "$id" applied
        else
            echo "$reason" >&2
            "$get_overlay" "$@" --report "$id" error "$reason"
            false
        fi
        status=$?
        rm -f "$received"
        return $status
        ;;
    remove)
        if reason=$(remove "$name" "$type" "$partial" 2>&1); then
            echo "$reason"
            "$get_overlay" "$@" --report "$id" removed
        else
            echo "$reason" >&2
            "$get_overlay" "$@" --report "$id" error "$reason"
            false
        fi
        ;;
    *)
        fail "get_overlay printed \"$line\", not a request"
        ;;
    esac
}

case ${1:-} in
apply)
    [ $# -eq 5 ] || { fail "usage: get_overlay.sh apply NODE_NAME TYPE PARTIAL FILE"; exit 2; }
    shift
    apply "$@"
    ;;
remove)
    [ $# -eq 4 ] || { fail "usage: get_overlay.sh remove NODE_NAME TYPE PARTIAL"; exit 2; }
    shift
    remove "$@"
    ;;
-h | --help)
    # The comment at the top of this file, without its first two lines and the leading "# ".
    sed -n '3,/^set -u$/{/^set -u$/d;s/^# \{0,1\}//;p}' "$0"
    exit 0
    ;;
--once)
    shift
    # Refuse before get_overlay says `waiting`: dom0 would add and attach an overlay this domU cannot apply.
    can_apply || exit 1
    serve_one "$@"
    ;;
*)
    can_apply || exit 1
    while :; do
        serve_one "$@"
        status=$?
        # A usage error will not get better by trying again.
        [ $status -eq 2 ] && exit 2
        [ $status -ne 0 ] && sleep 1
    done
    ;;
esac
