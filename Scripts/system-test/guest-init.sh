#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# /init of the guests' initramfs (the dom0less domains and the xl create guest): prints one
# line with its name and the passthrough nodes its device tree has, reports the PV devices dom0
# gives it, then stays up (xl destroy, xl shutdown or the end of the boot stops it). Kernel command
# line: st.name=NAME.
# Xen's PV shutdown: the kernel runs /sbin/poweroff for "poweroff" and signals init (SIGINT, as
# ctrl-alt-del) for "reboot"; both end here in busybox's immediate poweroff/reboot.
/bin/busybox mkdir -p /proc /sys /dev /sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
printf '#!/bin/busybox sh\n/bin/busybox poweroff -f\n' >/sbin/poweroff
/bin/busybox chmod 0755 /sbin/poweroff
echo 0 >/proc/sys/kernel/ctrl-alt-del
trap '/bin/busybox reboot -f' INT
name=guest
for word in $(/bin/busybox cat /proc/cmdline); do
    case $word in st.name=*) name=${word#st.name=} ;; esac
done
passthrough=none
tree=/sys/firmware/devicetree/base
if [ -d $tree/passthrough ]; then
    passthrough=$(cd $tree/passthrough && for n in *; do [ -d "$n" ] && printf '%s ' "$n"; done)
fi
echo "ST-GUEST $name up: passthrough=[${passthrough% }]" >/dev/console
# PV devices dom0 may add later (xl network-attach / block-attach, or vif=/disk= at create): the
# front ends are modules; eth0 gets 192.168.0.2 and pings dom0 on xenbr0 (192.168.0.1), a disk's
# first line is printed. Each result is one line on the console.
for module in /lib/modules/*.ko; do [ -e "$module" ] && /bin/busybox insmod "$module" 2>/dev/null; done
(
    pinged=no seen=""
    while :; do
        if [ $pinged = no ] && [ -e /sys/class/net/eth0 ]; then
            /bin/busybox ip addr add 192.168.0.2/24 dev eth0 2>/dev/null
            /bin/busybox ip link set eth0 up
            if /bin/busybox ping -c 10 -W 2 192.168.0.1 >/dev/null 2>&1; then
                echo "ST-GUEST $name ping ok" >/dev/console; pinged=yes
            fi
        fi
        for disk in /sys/block/xvd*; do
            [ -e "$disk" ] || continue
            disk=${disk##*/}
            case " $seen " in *" $disk "*) continue ;; esac
            seen="$seen $disk"
            echo "ST-GUEST $name disk $disk: $(/bin/busybox head -n 1 /dev/$disk | /bin/busybox tr -cd 'A-Za-z0-9 -')" >/dev/console
        done
        [ -e /sys/class/net/eth0 ] || pinged=no
        /bin/busybox sleep 2
    done
) &
# Short sleeps, so that the reboot trap runs soon after the signal. The created guest also writes a
# tick on its console each time, for the xl console check (dom0 attaches after boot).
tick=0
while :; do
    /bin/busybox sleep 2
    tick=$((tick + 1))
    [ "$name" != st-guest ] || echo "ST-GUEST $name tick $tick" >/dev/console
done
