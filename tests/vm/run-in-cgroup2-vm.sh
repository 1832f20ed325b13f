#!/bin/bash
# run-in-cgroup2-vm.sh [-t SECS] [-m MIB] [-c CPUS] [-d DIR]... [-k] 'COMMAND'
#
# Runs COMMAND (with /bin/sh -c, as root) in a throw-away QEMU guest whose kernel has only
# cgroup v2 (cgroup_no_v1=all; cgroup2 at /sys/fs/cgroup, every controller enabled in the root's
# subtree_control). hull's developers and CI sit on cgroup v1 hybrid hosts whose hierarchies must
# not be remounted, yet the v2 code paths have to run on a real v2 kernel.
#
# The guest also has AppArmor enabled (the Debian kernel's default LSM list includes it; the
# command line asks for it with apparmor=1) and securityfs mounted at /sys/kernel/security, so
# apparmor_parser (the host's `apparmor` package, seen through the shared /) can load profiles
# and process.apparmorProfile can be exercised: hosts without AppArmor cannot. If the kernel
# comes up without it, "hull-vm: AppArmor is not enabled" is printed before COMMAND's output.
#
# The guest's / is an overlay: the host's / over 9p, read-only, below a tmpfs, so the host's
# binaries and libraries run unchanged and guest writes vanish with the guest. /tmp, /run and
# /var/tmp are fresh tmpfs. Each -d DIR is shared read-write at the same path (default: none);
# put test results there. COMMAND runs in the current directory (or / if the guest cannot see
# it), with stdin from /dev/null; its stdout+stderr stream to this script's stdout.
#
# Exit status: COMMAND's; 124 on timeout; 125 if the VM could not run COMMAND (the guest
# console is printed to stderr).
#
# Kernel: the stock Debian kernel that linux-image-amd64 points to, fetched once with
# `apt-get download` and unpacked (never installed) into $HULL_VM_CACHE (default
# /var/tmp/hull-vm). No KVM: this host's /dev/kvm (kvm_pvm) cannot run stock kernels, so the
# guest runs under TCG, roughly 20-30x slower than the host.
#
# Host packages: qemu-system-x86 (qemu-system-x86_64 + qboot.rom), busybox-static, cpio, kmod,
# xz-utils (and apparmor for apparmor_parser, which only the AppArmor tests need). Missing ones are installed with apt-get unless HULL_VM_NO_INSTALL=1.
#
# Environment: HULL_VM_CACHE, HULL_VM_NO_INSTALL, HULL_VM_KERNEL_ARGS (extra guest kernel args).
set -uo pipefail

fail() { echo "run-in-cgroup2-vm: $*" >&2; exit 125; }
note() { [ -n "${QUIET:-}" ] || echo "run-in-cgroup2-vm: $*" >&2; }

TIMEOUT=3600 MEM=3072 CPUS=$(nproc) KEEP= QUIET=
SHARES=()
while getopts "t:m:c:d:kqh" o; do
  case $o in
    t) TIMEOUT=$OPTARG ;;
    m) MEM=$OPTARG ;;
    c) CPUS=$OPTARG ;;
    d) SHARES+=("$OPTARG") ;;
    k) KEEP=1 ;;
    q) QUIET=1 ;;
    h) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) exit 125 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || fail "usage: $0 [-t SECS] [-m MIB] [-c CPUS] [-d DIR]... 'COMMAND'"
[ "$(id -u)" = 0 ] || fail "must run as root (the guest reads the host's files through 9p)"
CACHE=${HULL_VM_CACHE:-/var/tmp/hull-vm}
mkdir -p "$CACHE" || fail "cannot create $CACHE"

# ---- host tools -------------------------------------------------------------------------------
static_busybox() {
  local b; b=$(command -v busybox) || return 1
  ldd "$b" >/dev/null 2>&1 && return 1
  echo "$b"
}
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
static_busybox >/dev/null || missing+=(busybox-static)
command -v cpio >/dev/null || missing+=(cpio)
command -v depmod >/dev/null || missing+=(kmod)
command -v xz >/dev/null || missing+=(xz-utils)
[ -x /usr/sbin/apparmor_parser ] || [ -x /sbin/apparmor_parser ] || missing+=(apparmor)
if [ ${#missing[@]} -gt 0 ]; then
  [ -z "${HULL_VM_NO_INSTALL:-}" ] || fail "missing host packages: ${missing[*]}"
  note "installing ${missing[*]}"
  ( flock 9
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; }
  ) 9>"$CACHE/apt.lock" >/dev/null || fail "apt-get install ${missing[*]} failed"
fi
BUSYBOX=$(static_busybox) || fail "no statically linked busybox"

# ---- kernel (cached) --------------------------------------------------------------------------
exec 8>"$CACHE/cache.lock"
flock 8
kpkg=$(cat "$CACHE/kernel-package" 2>/dev/null)
if [ -z "$kpkg" ] || [ ! -e "$CACHE/$kpkg/.done" ]; then
  kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
  if [ -z "$kpkg" ]; then
    apt-get update -qq >/dev/null 2>&1
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
  fi
  [ -n "$kpkg" ] || fail "cannot resolve the kernel package behind linux-image-amd64"
  if [ ! -e "$CACHE/$kpkg/.done" ]; then
    note "fetching $kpkg (once)"
    rm -rf "$CACHE/$kpkg" "$CACHE/dl"
    mkdir -p "$CACHE/dl"
    (cd "$CACHE/dl" && apt-get download "$kpkg" >/dev/null 2>&1) || fail "apt-get download $kpkg failed"
    dpkg-deb -x "$CACHE"/dl/*.deb "$CACHE/$kpkg" || fail "dpkg-deb -x failed"
    rm -rf "$CACHE/dl"
    kver=$(ls "$CACHE/$kpkg/lib/modules")
    depmod -b "$CACHE/$kpkg" "$kver" || fail "depmod failed"
    touch "$CACHE/$kpkg/.done"
  fi
  echo "$kpkg" > "$CACHE/kernel-package"
fi
KROOT=$CACHE/$kpkg
KVER=$(ls "$KROOT/lib/modules")
MODDIR=$KROOT/lib/modules/$KVER
VMLINUZ=$KROOT/boot/vmlinuz-$KVER
# Under TCG, booting the uncompressed ELF through its PVH entry with qboot skips real mode and
# decompression: seconds per boot. The ELF sits xz-compressed inside the bzImage.
VMLINUX=$CACHE/vmlinux-$KVER
if [ ! -e "$VMLINUX" ] && [ ! -e "$VMLINUX.none" ]; then
  off=$(LC_ALL=C grep -abo $'\xfd7zXZ\x00' "$VMLINUZ" | head -1 | cut -d: -f1)
  if [ -n "$off" ]; then
    tail -c +$((off + 1)) "$VMLINUZ" | xz -dc 2>/dev/null > "$VMLINUX.tmp"
  fi
  if [ -s "$VMLINUX.tmp" ] && [ "$(head -c 4 "$VMLINUX.tmp" | tail -c 3)" = ELF ]; then
    mv "$VMLINUX.tmp" "$VMLINUX"
  else
    rm -f "$VMLINUX.tmp"; touch "$VMLINUX.none"
  fi
fi
if [ -e "$VMLINUX" ] && [ -e /usr/share/qemu/qboot.rom ]; then
  BOOT=(-bios /usr/share/qemu/qboot.rom -kernel "$VMLINUX")
else
  BOOT=(-kernel "$VMLINUZ")
fi

# ---- initramfs: busybox, the modules to reach 9p, and stage 1 of init -------------------------
init_stage1() {
cat <<'STAGE1'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
die() { echo "hull-vm init: $*"; [ -d /ctl ] && echo "$*" > /ctl/init-error; poweroff -f; }
mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t devtmpfs devtmpfs /dev || die "early mounts"
for m in $(cat /modules/order); do insmod "/modules/$m" || die "insmod $m"; done
P9=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o $P9 ctl /ctl || die "mount ctl"
mount -t 9p -o $P9,ro,cache=loose hostroot /lower || die "mount host root"
mount -t tmpfs -o mode=755 tmpfs /upper && mkdir /upper/data /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /root || die "overlay"
for d in tmp var/tmp; do
  [ -d /root/$d ] && mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /root/$d
done
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /root/run
mkdir -p /root/run/hull-vm/ctl
mount --move /ctl /root/run/hull-vm/ctl
cp /bin/busybox /root/run/hull-vm/busybox
mount --move /dev /root/dev && mount --move /proc /root/proc && mount --move /sys /root/sys
mkdir -p /root/dev/pts /root/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts /root/dev/pts
ln -sf pts/ptmx /root/dev/ptmx 2>/dev/null
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /root/dev/shm
ln -sf /proc/self/fd /root/dev/fd 2>/dev/null
mount -t cgroup2 -o nsdelegate cgroup2 /root/sys/fs/cgroup || die "mount cgroup2"
mkdir -p /root/lib/modules/$(uname -r)
mount -t 9p -o $P9,ro kmods /root/lib/modules/$(uname -r)
while read -r tag dir; do
  mkdir -p "/root$dir" && mount -t 9p -o $P9,access=client "$tag" "/root$dir" || die "share $dir"
done < /root/run/hull-vm/ctl/shares
exec switch_root /root /run/hull-vm/busybox sh /run/hull-vm/ctl/stage2
die "switch_root"
STAGE1
}
stage1_sum=$(init_stage1 | md5sum | cut -c1-10)
INITRD=$CACHE/initrd-$KVER-$stage1_sum.gz
if [ ! -e "$INITRD" ]; then
  note "building the initramfs"
  rd=$(mktemp -d "$CACHE/rd.XXXXXX")
  mkdir -p "$rd"/{bin,dev,proc,sys,modules,ctl,lower,upper,root}
  cp "$BUSYBOX" "$rd/bin/busybox"
  # modules.dep lists a module's dependencies; load those first, each once.
  declare -A seen=()
  add_module() {
    local rel deps d
    rel=$(grep -E "(^|/)$1\.ko(\.xz|\.zst)?:" "$MODDIR/modules.dep" | head -1 | cut -d: -f1)
    [ -n "$rel" ] || return 0   # built into the kernel
    [ -n "${seen[$rel]:-}" ] && return 0
    seen[$rel]=1
    for d in $(grep -E "^$rel:" "$MODDIR/modules.dep" | cut -d: -f2); do
      add_module "$(basename "$d" | sed 's/\.ko.*//')"
    done
    local name; name=$(basename "$rel" | sed 's/\.ko.*/.ko/')
    case $rel in
      *.xz) xz -dc "$MODDIR/$rel" > "$rd/modules/$name" ;;
      *.zst) zstd -qdc "$MODDIR/$rel" > "$rd/modules/$name" ;;
      *) cp "$MODDIR/$rel" "$rd/modules/$name" ;;
    esac
    echo "$name" >> "$rd/modules/order"
  }
  touch "$rd/modules/order"
  for m in virtio_pci virtio_console 9pnet_virtio 9p overlay; do add_module "$m"; done
  init_stage1 > "$rd/init" && chmod 755 "$rd/init"
  (cd "$rd" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD.tmp" && mv "$INITRD.tmp" "$INITRD" ||
    fail "building the initramfs failed"
  rm -rf "$rd"
fi
flock -u 8

# ---- per-run control directory ----------------------------------------------------------------
CTL=$(mktemp -d /tmp/hull-vm-run.XXXXXX) || fail "mktemp"
QPID= TAILPID=
cleanup() {
  [ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
  [ -n "$TAILPID" ] && kill "$TAILPID" 2>/dev/null
  if [ -n "$KEEP" ]; then echo "run-in-cgroup2-vm: kept $CTL" >&2; else rm -rf "$CTL"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

printf '%s' "$1" > "$CTL/cmd"
pwd > "$CTL/cwd"
# The caller's exported variables, minus the ones that describe this shell.
while IFS= read -r -d '' kv; do
  name=${kv%%=*}
  case $name in ''|*[!A-Za-z0-9_]*|[0-9]*|PWD|OLDPWD|SHLVL|_|HOSTNAME|TMPDIR|BASH_*) continue ;; esac
  val=${kv#*=}
  printf "export %s='%s'\n" "$name" "${val//\'/\'\\\'\'}"
done < <(env -0) > "$CTL/env"

cat > "$CTL/stage2" <<'STAGE2'
# PID 1 of the guest, in its final root.
B=/run/hull-vm/busybox
C=/run/hull-vm/ctl
$B hostname hull-vm
$B mount --make-rshared /
$B ip link set lo up 2>/dev/null
# apparmor_parser loads profiles through securityfs.
if ! $B grep -q ' /sys/kernel/security ' /proc/mounts; then
  $B mount -t securityfs securityfs /sys/kernel/security || echo "hull-vm: cannot mount securityfs"
fi
# Every controller for the root's children, as systemd sets it up on a v2 host.
for c in $($B cat /sys/fs/cgroup/cgroup.controllers); do
  echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control || echo "hull-vm: cannot enable $c"
done
out=
for p in /sys/class/virtio-ports/*; do
  [ "$($B cat "$p/name" 2>/dev/null)" = hull.out ] && out=/dev/${p##*/}
done
[ -n "$out" ] || { echo "no output port" > $C/init-error; $B poweroff -f; }
(
  export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
  . $C/env
  export HULL_VM=1
  [ "$($B cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
    echo "hull-vm: AppArmor is not enabled" >&2
  cd "$($B cat $C/cwd)" 2>/dev/null || cd /
  exec /bin/sh -c "$($B cat $C/cmd)"
) </dev/null >"$out" 2>&1
echo $? > $C/rc.tmp && $B mv $C/rc.tmp $C/rc
$B sync
$B poweroff -f
STAGE2

virtfs=(-virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,multidevs=remap,readonly=on"
        -virtfs "local,path=$MODDIR,mount_tag=kmods,security_model=passthrough,readonly=on"
        -virtfs "local,path=$CTL,mount_tag=ctl,security_model=passthrough")
: > "$CTL/shares"
i=0
for s in "${SHARES[@]}"; do
  dir=$(realpath -e "$s") && [ -d "$dir" ] || fail "-d $s: not a directory"
  case $dir in /|/proc*|/sys*|/dev*) fail "-d $dir: not shareable" ;; esac
  virtfs+=(-virtfs "local,path=${dir//,/,,},mount_tag=share$i,security_model=passthrough,multidevs=remap")
  echo "share$i $dir" >> "$CTL/shares"
  i=$((i + 1))
done

note "booting $KVER (TCG, $CPUS vCPU, $MEM MiB)"
: > "$CTL/out"
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 \
  -accel "tcg,thread=multi" -cpu max -smp "$CPUS" -m "$MEM" \
  -nodefaults -no-user-config -display none -no-reboot \
  "${BOOT[@]}" -initrd "$INITRD" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 cgroup_no_v1=all apparmor=1 rdinit=/init ${HULL_VM_KERNEL_ARGS:-}" \
  -serial "file:$CTL/console.log" \
  -device virtio-serial-pci -chardev "file,id=out,path=$CTL/out" \
  -device virtserialport,chardev=out,name=hull.out \
  "${virtfs[@]}" </dev/null 2>"$CTL/qemu.err" &
QPID=$!
tail -n +1 -f --pid=$QPID "$CTL/out" &
TAILPID=$!
wait "$QPID"; qrc=$?
QPID=
wait "$TAILPID" 2>/dev/null; TAILPID=

if [ -s "$CTL/rc" ]; then
  exit "$(cat "$CTL/rc")"
fi
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
  echo "run-in-cgroup2-vm: timed out after ${TIMEOUT}s" >&2
  exit 124
fi
{
  echo "run-in-cgroup2-vm: the guest stopped without COMMAND's status (qemu exit $qrc)"
  [ -s "$CTL/init-error" ] && cat "$CTL/init-error"
  echo "--- qemu stderr"; cat "$CTL/qemu.err"
  echo "--- guest console (last 40 lines)"; tail -n 40 "$CTL/console.log"
} >&2
exit 125
