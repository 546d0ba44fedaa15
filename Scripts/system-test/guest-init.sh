#!/bin/busybox sh
# /init of the guests' initramfs (the dom0less domains and the xl create guest): prints one
# line with its name and the passthrough nodes its device tree has, then stays up (xl destroy,
# xl shutdown or the end of the boot stops it). Kernel command line: st.name=NAME.
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
# Short sleeps, so that the reboot trap runs soon after the signal.
while :; do /bin/busybox sleep 2; done
