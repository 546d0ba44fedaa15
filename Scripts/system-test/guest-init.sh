#!/bin/busybox sh
# /init of the guests' initramfs (the dom0less domains and the xl create guest): prints one
# line with its name and the passthrough nodes its device tree has, then stays up (xl destroy or
# the end of the boot stops it). Kernel command line: st.name=NAME.
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
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
while :; do /bin/busybox sleep 3600; done
