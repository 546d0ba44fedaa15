# SPDX-License-Identifier: Apache-2.0
# Shared helpers for Scripts/system-test.sh: paths, timing, results, chroot mounts.
# Sourced, never run. Every step function returns 0 (done), 1 (failed) or 3 (skipped, reason in
# $SKIP_REASON): a download that fails is a skip, never a pass.

ST_ROOT=${ST_ROOT:?}                         # the repository
ST_CACHE=${SYSTEM_TEST_CACHE:-$ST_ROOT/.system-test}
ST_DIR=$ST_ROOT/Scripts/system-test
ST_CHROOT=$ST_CACHE/chroot-amd64             # trixie amd64: Debian's swiftlang 6.0.3
ST_SYSROOT=$ST_CACHE/sysroot-arm64           # trixie arm64 files: the cross sysroot and dom0's files
ST_DEBS=$ST_CACHE/debs                       # arm64 .debs fetched for the system
ST_OUT=$ST_CACHE/out                         # this run's products: binaries, images, logs
ST_MIRROR=${SYSTEM_TEST_MIRROR:-http://deb.debian.org/debian}
ST_SECURITY=${SYSTEM_TEST_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

SKIP_REASON=""
ST_RESULTS=()        # "PASS|FAIL|SKIP name: detail"
ST_TIMINGS=()        # "name seconds"

st_log() { printf '[system-test] %s\n' "$*" >&2; }

st_result() { # STATUS NAME DETAIL
    ST_RESULTS+=("$1 $2${3:+: $3}")
    printf '%s %s%s\n' "$1" "$2" "${3:+: $3}"
}

st_timing() { ST_TIMINGS+=("$1 $2"); }

# Runs a step function with timing; a failure or skip is recorded as a result line. The status goes
# to ST_STATUS and st_step itself returns 0: called from a condition (st_step ... || x), bash would
# ignore `set -e` inside the step, and a failing command would not end it.
ST_STATUS=0
st_step() { # NAME FUNCTION
    local name=$1 fn=$2 start status
    start=$(date +%s.%N)
    SKIP_REASON=""
    set +e
    ( set -e; "$fn" )
    status=$?
    set -e
    local took
    took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    st_timing "$name" "$took"
    case $status in
        0) st_log "$name: done in ${took}s" ;;
        3) SKIP_REASON=$(cat "$ST_OUT/skip-reason" 2>/dev/null || echo "unknown"); st_result SKIP "$name" "$SKIP_REASON" ;;
        *) st_result FAIL "$name" "step failed with status $status (log above)" ;;
    esac
    ST_STATUS=$status
}

# Inside a step: give up on the step as skipped (a download or the registry is unreachable).
st_skip() { mkdir -p "$ST_OUT"; printf '%s\n' "$*" >"$ST_OUT/skip-reason"; exit 3; }

# Runs a download command; on failure the step is skipped with the command's last error line.
st_download() { # DESCRIPTION COMMAND...
    local what=$1; shift
    local log
    log=$(mktemp)
    if ! "$@" >"$log" 2>&1; then
        local last
        last=$(grep -E 'E:|W:|[Ee]rror|[Ff]ail' "$log" | tail -n 1)
        [ -n "$last" ] || last=$(tail -n 1 "$log")
        cat "$log" >&2; rm -f "$log"
        st_skip "download failed ($what): $last"
    fi
    rm -f "$log"
}

# Bind mounts of the chroot; st_unmount_all undoes all of them (also from the EXIT trap).
st_mount() { # KIND SOURCE TARGET (inside the chroot)
    local target=$ST_CHROOT$3
    mountpoint -q "$target" && return 0
    mkdir -p "$target"
    case $1 in
        proc) mount -t proc proc "$target" ;;
        bind) mount --bind "$2" "$target" ;;
        rbind-ro) mount --bind "$2" "$target" && mount -o remount,bind,ro "$target" ;;
    esac
}

st_unmount_all() {
    [ -d "$ST_CHROOT" ] || return 0
    local target
    # Deepest first.
    for target in $(awk -v r="$(realpath "$ST_CHROOT")" '$2 ~ "^"r"/" { print $2 }' /proc/mounts | sort -r); do
        umount "$target" 2>/dev/null || umount -l "$target"
    done
}

st_chroot() { chroot "$ST_CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
