#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# /init of dom0 in the system test. Starts Debian's Xen 4.20 daemons, runs the checks of this boot
# (st.boot=ours, debian or overlay on the kernel command line), and reports everything on the
# console as lines starting with "@@ST ", which Scripts/system-test.sh reads:
#   @@ST RUN name status=N secs=S     a command ran (its output follows as DATA name lines)
#   @@ST DATA name|line               one line of a command's output or of a xenstore dump
#   @@ST SUM name lines=N             how many DATA lines name has (to detect lost console lines)
#   @@ST VALUE name value secs=S      a waited-for observation
# No verdicts here: the host compares.
export PATH=/usr/sbin:/usr/bin:/usr/lib/xen-4.20/bin
/bin/busybox --install -s /usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
mkdir -p /run/xen /run/xenstored /dev/pts /tmp
# What udev would add: the block script's lock stats /dev/stdin (without it, it loops for ever).
ln -sf /proc/self/fd /dev/fd; ln -sf /proc/self/fd/0 /dev/stdin; ln -sf /proc/self/fd/1 /dev/stdout; ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
exec </dev/console >/dev/console 2>&1

XL_OURS=/opt/xl-swift/bin/xl
INIT_OURS=/opt/xl-swift/bin/init-dom0less
XL_DEBIAN=/usr/lib/xen-4.20/bin/xl
INIT_DEBIAN=/usr/lib/xen-4.20/bin/init-dom0less
CONSOLE_LOG=/var/log/xen/console/guest-st-guest.log

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }
say() { echo "@@ST $*"; }

# Prints a file as DATA lines of NAME (in few large writes: the console is slow), then its SUM line.
emit() { # NAME FILE
    awk -v prefix="@@ST DATA $1|" '{ print prefix $0 }' "$2"
    say "SUM $1 lines=$(sed -n '$=' "$2" | grep . || echo 0)"
}

# Runs a command with a time limit, then reports its status, time and output.
run() { # NAME COMMAND...
    local name=$1 start status
    shift
    start=$(now)
    timeout 300 "$@" >/tmp/"$name".out 2>&1
    status=$?
    say "RUN $name status=$status secs=$(since "$start")"
    emit "$name" /tmp/"$name".out
    return $status
}

# Waits (up to LIMIT seconds) until COMMAND succeeds; reports VALUE yes/no.
wait_for() { # NAME LIMIT COMMAND...
    local name=$1 limit=$2 start
    shift 2
    start=$(now)
    while ! "$@" >/dev/null 2>&1; do
        if [ "$(since "$start" | cut -d. -f1)" -ge "$limit" ]; then
            say "VALUE $name no secs=$(since "$start")"
            return 1
        fi
        sleep 1
    done
    say "VALUE $name yes secs=$(since "$start")"
}

# The whole xenstore tree with permissions.
dump() { # NAME
    xenstore-ls -fp / >/tmp/"$1".xs 2>&1
    emit "$1" /tmp/"$1".xs
}

# Only how the tree differs from an earlier dump (nothing when they are equal).
dump_changes() { # NAME EARLIER
    xenstore-ls -fp / >/tmp/"$1".xs 2>&1
    diff /tmp/"$2".xs /tmp/"$1".xs | grep '^[-+]/' >/tmp/"$1".diff
    emit "$1" /tmp/"$1".diff
}

guest_printed() { grep -q "ST-GUEST st-guest up" "$CONSOLE_LOG"; }
guest_printed_twice() { [ "$(grep -c "ST-GUEST st-guest up" "$CONSOLE_LOG")" -ge 2 ]; }
domain_gone() { ! "$XL_DEBIAN" domid "$1" >/dev/null 2>&1; }
no_monitor() { ! pgrep -f "monitor --lock-fd" >/dev/null; }
guest_connected() { [ "$(xenstore-read "/local/domain/$1/control/feature-poweroff" 2>/dev/null)" = 1 ]; }
domid_of() { "$XL_DEBIAN" domid "$1" 2>/dev/null; }

# PV devices on the dom0less domain 1 by WHO's xl, as upstream's CI does it (network-attach, then
# the guest and dom0 ping each other over xenbr0), then a disk; each detached again. Debian's boot
# gives the oracle's xenstore trees and list formats.
pv_devices() { # WHO XL
    local who=$1 xl=$2
    xenstore-ls -fp / >/tmp/xs-before-pv-$who.xs 2>&1
    if run net-attach-$who "$xl" network-attach 1 type=vif; then
        wait_for net-ping-$who 180 ping -c 1 -W 2 192.168.0.2
        # The guest's own ping of dom0 (its ten pings take 10 s): its line on Xen's console, before the detach.
        wait_for net-guest-ping-$who 60 sh -c "$XL_DEBIAN dmesg | grep -q 'ST-GUEST enhanced ping ok'"
        dump xs-net-$who
        run net-list-$who "$xl" network-list 1
        run net-list-debian-$who "$XL_DEBIAN" network-list 1
        run net-detach-$who "$xl" network-detach 1 0
        sleep 2
    fi
    dump_changes xs-net-detached-$who xs-before-pv-$who
    if run blk-attach-$who "$xl" block-attach 1 "format=raw, vdev=xvdb, access=ro, target=/st/disk.img"; then
        wait_for blk-seen-$who 60 sh -c "$XL_DEBIAN dmesg | grep -q 'enhanced disk xvdb'"
        dump xs-blk-$who
        run blk-list-$who "$xl" block-list 1
        run blk-list-debian-$who "$XL_DEBIAN" block-list 1
        run blk-detach-$who "$xl" block-detach 1 xvdb
        sleep 2
    fi
    dump_changes xs-blk-detached-$who xs-before-pv-$who
    # xl create of a guest with vif= and disk=: it pings dom0 and reads its disk.
    rm -f /var/log/xen/console/guest-st-pv.log
    if run pv-create-$who "$xl" create /st/guest-pv.cfg; then
        wait_for pv-ping-$who 240 grep -q "ST-GUEST st-pv ping ok" /var/log/xen/console/guest-st-pv.log
        wait_for pv-disk-$who 30 grep -q "ST-GUEST st-pv disk xvda: ST-DISK" /var/log/xen/console/guest-st-pv.log
        dump xs-pv-$who
        run pv-destroy-$who "$xl" destroy st-pv
        sleep 2
    fi
    dump_changes xs-pv-destroyed-$who xs-before-pv-$who
    # The hotplug scripts send their stderr here: what made one fail.
    [ ! -s /var/log/xen/xen-hotplug.log ] || emit hotplug-log-$who /var/log/xen/xen-hotplug.log
    : >/var/log/xen/xen-hotplug.log
}

boot_started=$(now)
boot=ours
for word in $(cat /proc/cmdline); do
    case $word in st.boot=*) boot=${word#st.boot=} ;; esac
done
say "BOOT $boot uptime=$boot_started"

# Debian's xencommons, by hand: modules, xenfs, xenstored, dom0's entries, xenconsoled.
start=$(now)
for module in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc; do
    insmod /lib/modules/$module.ko || say "MODULE $module failed"
done
for module in llc stp bridge loop xen-netback xen-blkback; do
    [ ! -e /lib/modules/backend/$module.ko ] || insmod /lib/modules/backend/$module.ko || say "MODULE $module failed"
done
mount -t xenfs xenfs /proc/xen
xenstored --pid-file /run/xenstored.pid
wait_for xenstored 30 xenstore-read /local
xen-init-dom0 >/tmp/xen-init-dom0.out 2>&1 || emit xen-init-dom0 /tmp/xen-init-dom0.out
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console
ip link add xenbr0 type bridge && ip addr add 192.168.0.1/24 dev xenbr0 && ip link set xenbr0 up || say "BRIDGE xenbr0 failed"
say "VALUE dom0-setup done secs=$(since "$start")"
say "VALUE passthrough-status $(cat /proc/device-tree/pl061@9030000/status 2>/dev/null | tr -d '\0' || echo none) secs=0"

if [ "$boot" = overlay ]; then
    # A Xen with CONFIG_OVERLAY_DTB: the overlay goes in, to dom0, and out; ours, then Debian's xl.
    xenstore-ls -fp / >/tmp/xs-ov-base.xs 2>&1
    run ov-add-ours "$XL_OURS" dt-overlay add /st/overlay.dtbo
    run ov-list-ours "$XL_OURS" dt-overlay list
    dump_changes xs-ov-added xs-ov-base
    run ov-add-again-ours "$XL_OURS" dt-overlay add /st/overlay.dtbo
    run ov-attach-ours "$XL_OURS" dt-overlay attach /st/overlay.dtbo 0
    run ov-list-attached-ours "$XL_OURS" dt-overlay list
    run ov-remove-ours "$XL_OURS" dt-overlay remove /st/overlay.dtbo
    dump_changes xs-ov-removed xs-ov-base
    # Again with the host tree, from which ours computes the devices' IRQs and MMIO for its record.
    run ov-add-hostdtb-ours "$XL_OURS" --host-dtb /st/host.dtb dt-overlay add /st/overlay.dtbo
    run ov-attach-hostdtb-ours "$XL_OURS" --host-dtb /st/host.dtb dt-overlay attach /st/overlay.dtbo 0
    run ov-list-hostdtb-ours "$XL_OURS" dt-overlay list --json
    run ov-remove-hostdtb-ours "$XL_OURS" dt-overlay remove /st/overlay.dtbo
    run ov-add-debian "$XL_DEBIAN" dt-overlay add /st/overlay.dtbo
    run ov-add-again-debian "$XL_DEBIAN" dt-overlay add /st/overlay.dtbo
    run ov-attach-debian "$XL_DEBIAN" dt-overlay attach /st/overlay.dtbo 0
    run ov-remove-debian "$XL_DEBIAN" dt-overlay remove /st/overlay.dtbo
elif [ "$boot" = debian ]; then
    run init "$INIT_DEBIAN"
    wait_for enhanced-connected 240 guest_connected 1
    dump xs-init
    run list-debian "$XL_DEBIAN" list
    run list-ours "$XL_OURS" list
    pv_devices debian "$XL_DEBIAN"
else
    run init "$INIT_OURS"
    wait_for enhanced-connected 240 guest_connected 1
    dump xs-init
    run init-again "$INIT_OURS"
    dump_changes xs-init-again xs-init
    run list-debian "$XL_DEBIAN" list
    run list-ours "$XL_OURS" list

    # xl create of the same guest, ours (with -v: the domain builder's messages) then Debian's, each
    # destroyed by the same xl; then once more by Debian's xl, destroyed by ours ("mixed"; Debian's
    # monitor process stopped first, so that only our destroy cleans up).
    for who in ours debian mixed; do
        case $who in
            ours) xl=$XL_OURS; destroyer=$XL_OURS; verbose=-v ;;
            debian) xl=$XL_DEBIAN; destroyer=$XL_DEBIAN; verbose="" ;;
            mixed) xl=$XL_DEBIAN; destroyer=$XL_OURS; verbose="" ;;
        esac
        xenstore-ls -fp / >/tmp/xs-before-create-$who.xs 2>&1
        rm -f "$CONSOLE_LOG"
        if run create-$who "$xl" $verbose create /st/guest.cfg; then
            domid=$(domid_of st-guest)
            if [ $who != mixed ]; then
                wait_for guest-printed-$who 240 guest_printed
                wait_for guest-connected-$who 60 guest_connected "$domid"
                dump xs-create-$who
                run list-debian-$who "$XL_DEBIAN" list
                run list-ours-$who "$XL_OURS" list
                [ -f "$CONSOLE_LOG" ] && emit console-$who "$CONSOLE_LOG"
            else
                for pid in $(pgrep -f "xl create /st/guest.cfg"); do kill -9 "$pid"; done
            fi
            run destroy-$who "$destroyer" destroy st-guest
            sleep 2
        fi
        run list-after-$who "$XL_DEBIAN" list
        dump_changes xs-after-$who xs-before-create-$who
    done

    # The guest's life under our xl, next to Debian's as the oracle: console, pause/unpause, rename.
    xenstore-ls -fp / >/tmp/xs-before-life.xs 2>&1
    rm -f "$CONSOLE_LOG"
    if run life-create "$XL_OURS" create /st/guest.cfg; then
        wait_for life-printed 240 guest_printed
        domid=$(domid_of st-guest)
        wait_for life-connected 60 guest_connected "$domid"
        # xl console without a terminal, ours and then Debian's: what the guest writes while attached.
        run life-console-ours timeout -s KILL 6 "$XL_OURS" console st-guest </dev/null
        run life-console-debian timeout -s KILL 6 "$XL_DEBIAN" console st-guest </dev/null
        run life-pause "$XL_OURS" pause st-guest
        run life-list-paused-debian "$XL_DEBIAN" list st-guest
        run life-list-paused-ours "$XL_OURS" list st-guest
        run life-unpause "$XL_OURS" unpause st-guest
        run life-list-unpaused-debian "$XL_DEBIAN" list st-guest
        run life-list-unpaused-ours "$XL_OURS" list st-guest
        run life-rename "$XL_OURS" rename st-guest st-renamed
        run life-list-renamed-debian "$XL_DEBIAN" list st-renamed
        run life-rename-back "$XL_OURS" rename st-renamed st-guest
        run life-list-debian "$XL_DEBIAN" list
        run life-list-ours "$XL_OURS" list
        run life-destroy "$XL_OURS" destroy st-guest
        sleep 2
    fi
    run life-list-after "$XL_DEBIAN" list
    dump_changes xs-after-life xs-before-life

    # Shutdown and reboot through the guest's PV control node, carried out by the monitor our xl
    # create leaves behind; Debian's xl reads our config record and shuts our guest down too.
    for who in ours debian; do
        xenstore-ls -fp / >/tmp/xs-before-ops-$who.xs 2>&1
        rm -f "$CONSOLE_LOG"
        if run ops-create-$who "$XL_OURS" create /st/guest.cfg; then
            wait_for ops-printed-$who 240 guest_printed
            domid=$(domid_of st-guest)
            wait_for ops-connected-$who 60 guest_connected "$domid"
            if [ $who = ours ]; then
                run ops-list-l-debian "$XL_DEBIAN" list -l st-guest
                run ops-reboot "$XL_OURS" -v reboot st-guest
                wait_for ops-rebooted 240 guest_printed_twice
                rebooted=$(domid_of st-guest)
                say "VALUE ops-domids $domid,${rebooted:-none} secs=0"
                wait_for ops-reconnected 60 guest_connected "$rebooted"
                run ops-shutdown-ours "$XL_OURS" -v shutdown -w st-guest
            else
                run ops-shutdown-debian "$XL_DEBIAN" shutdown -w st-guest
            fi
            wait_for ops-gone-$who 30 domain_gone st-guest
            wait_for ops-monitor-gone-$who 30 no_monitor
        fi
        run ops-list-after-$who "$XL_DEBIAN" list
        dump_changes xs-after-ops-$who xs-before-ops-$who
    done
    # What the monitors our create left behind logged.
    [ ! -s /var/log/xen/xl-st-guest.log ] || emit ops-monitor-log /var/log/xen/xl-st-guest.log

    # dt-overlay add: this Xen has no CONFIG_OVERLAY_DTB.
    xenstore-ls -fp / >/tmp/xs-before-overlay.xs 2>&1
    run overlay-ours "$XL_OURS" dt-overlay add /st/overlay.dtbo
    run overlay-ours-hostdtb "$XL_OURS" --host-dtb /st/host.dtb dt-overlay add /st/overlay.dtbo
    run overlay-debian "$XL_DEBIAN" dt-overlay add /st/overlay.dtbo
    run overlay-list-ours "$XL_OURS" dt-overlay list
    dump_changes xs-after-overlay xs-before-overlay

    pv_devices ours "$XL_OURS"

    # The dom0less domain, last (it does not come back): reboot is refused with the reason, shutdown
    # goes through its PV control node.
    # xl console of the dom0less domain: Xen gives it no PV console; ours says where its vpl011 is.
    run dl-console-ours timeout -s KILL 5 "$XL_OURS" --host-dtb /st/host.dtb console 1 </dev/null
    run dl-console-debian timeout -s KILL 5 "$XL_DEBIAN" console 1 </dev/null
    run dl-reboot-ours "$XL_OURS" reboot 1
    run dl-shutdown-ours "$XL_OURS" -v shutdown -w 1
    run dl-list-after "$XL_DEBIAN" list
fi
"$XL_DEBIAN" dmesg 2>&1 | grep -v 'vGIC' | tail -n 60 >/tmp/xen-dmesg
emit xen-dmesg /tmp/xen-dmesg
top -b -n 1 | head -n 25 >/tmp/top
emit top /tmp/top
say "DONE $boot secs=$(since "$boot_started")"
sync
poweroff -f
