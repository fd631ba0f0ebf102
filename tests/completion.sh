#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/completion.sh - bash completion (completion/iommu-verify) with the real
# bash and bash-completion: loaded by bash-completion's own loader from a
# completions directory (as installed), then driven by an interactive bash on a
# pty (tests/comp-pty.py: readline splits the words, ':' and '=' included) and
# the exact COMPREPLY of each case compared. Values come from a --root tree made
# here: 4 devices in IOMMU groups (3 bound to VFIO drivers), 1 outside any group,
# 2 VFIO holders (group fd, iommufd cdev), processes without VFIO.
. "$top_srcdir/tests/lib.sh"
BC=/usr/share/bash-completion/bash_completion
[ -f $BC ] || "$top_srcdir/scripts/install-deps" check >/dev/null 2>&1 || true
if [ ! -f $BC ] || ! command -v bash >/dev/null 2>&1; then
	echo "SKIP: bash-completion not installed (scripts/install-deps check)"; exit 77
fi

R="$TMP/root"
grp() {  # GROUP BDF DRIVER
	mkdir -p "$R/sys/kernel/iommu_groups/$1/devices" "$R/sys/bus/pci/devices/$2"
	ln -s "../../../../devices/pci0000:00/$2" "$R/sys/kernel/iommu_groups/$1/devices/$2"
	ln -s "../../../kernel/iommu_groups/$1" "$R/sys/bus/pci/devices/$2/iommu_group"
	[ -n "$3" ] && ln -s "../../../bus/pci/drivers/$3" "$R/sys/bus/pci/devices/$2/driver"
	return 0
}
grp 2 0000:00:02.0 vfio-pci
grp 3 0000:00:03.0 e1000e
grp 7 0000:3b:00.0 vfio-pci
grp 7 0000:3b:00.1 mlx5_vfio_pci
mkdir -p "$R/sys/bus/pci/devices/0000:00:1f.0"          # no IOMMU group
fd() { mkdir -p "$R/proc/$1/fd"; ln -s "$3" "$R/proc/$1/fd/$2"; }
fd 1 0 /dev/null
fd 4242 0 /dev/null; fd 4242 11 /dev/vfio/vfio; fd 4242 12 /dev/vfio/2; fd 4242 13 'anon_inode:[vfio-device]'
fd 5151 9 /dev/vfio/devices/vfio0
fd 777 3 /dev/vfio/vfio                                   # container only: not a holder
fd 888 4 /srv/chroot/dev/vfio/7                           # QEMU in a chroot: a holder
mkdir -p "$R/proc/self/fd" && ln -s /dev/vfio/2 "$R/proc/self/fd/5"   # not a PID
mkdir -p "$R/run/libvirt/qemu" "$R/var/run/qemu-server"
echo 4242 > "$R/run/libvirt/qemu/web.pid"; echo 5151 > "$R/run/libvirt/qemu/db.pid"
echo 4242 > "$R/var/run/qemu-server/101.pid"; echo 5151 > "$R/var/run/qemu-server/102.pid"
: > "$R/run/libvirt/qemu/\$(touch pwned).pid"     # a name compgen -W would run (in $TMP)

# A stand-in binary with its own --help: options follow the binary completed.
mkdir -p "$TMP/fake"
cat > "$TMP/fake/iommu-verify" <<'FAKE'
#!/bin/sh
cat <<'H'
Usage: iommu-verify [OPTIONS] COMMAND [ARGS]

Options:
  --root DIR              read /sys below DIR
  --frob-level N          a global option with a value
  --quiet                 a global flag

Commands:
  frob     DEVICE [--frobnicate N] [--fast]
           frobnicate
H
FAKE
chmod +x "$TMP/fake/iommu-verify"

mkdir -p "$TMP/xdg/completions"
cp "$top_srcdir/completion/iommu-verify" "$TMP/xdg/completions/iommu-verify"
OUT="$TMP/comp.out"; : > "$OUT"; rm -f "$OUT"
cat > "$TMP/rc" <<EOF2
PATH="$top_builddir:\$PATH"
export LC_ALL=C
BASH_COMPLETION_USER_DIR="$TMP/xdg"
. $BC
__load_completion iommu-verify
complete -p iommu-verify > "$TMP/complete-p"
_iv_test() { _iommu_verify "\$@"; local IFS=' '; printf '<%s>\n' "\${COMPREPLY[*]}" >> "$OUT"; }
complete -F _iv_test iommu-verify
bind 'set show-all-if-ambiguous off' 2>/dev/null
EOF2

cat > "$TMP/cases" <<EOF2
iommu-verify 
iommu-verify d
iommu-verify --so
iommu-verify --source m
iommu-verify --source=d
iommu-verify --root $R dump 
iommu-verify --root=$R tables 0000:3b:
iommu-verify --root $R lookup 0000:00:02.0 
iommu-verify --root $R check --device 
iommu-verify --root $R check --device 0000:3b:00.
iommu-verify --root $R check --pid 
iommu-verify --root $R check --pid 5
iommu-verify --root $R check --pi
iommu-verify --root $R check --pid 4242 --pro
iommu-verify dump --pa
iommu-verify dump --pasid 
iommu-verify --root $R --timeout 
iommu-verify --root $R check --domain 
iommu-verify --root $R check --vmid 1
iommu-verify --root $R devices 
# global options after the command (the help says "before or after the command")
iommu-verify check --ro
iommu-verify check --root $R --device 
$TMP/fake/iommu-verify 
$TMP/fake/iommu-verify --
# "frob" is the value of --frob-level (a "--opt N" in the help): no command yet
$TMP/fake/iommu-verify --frob-level frob --f
$TMP/fake/iommu-verify --frob-level 3 frob --f
EOF2
cat > "$TMP/expect" <<EOF2
<devices dump lookup tables check gpa-map>
<devices dump>
<--source>
<memory>
<debugfs>
<0000:00:02.0 0000:00:03.0 0000:3b:00.0 0000:3b:00.1>
<00.0 00.1>
<>
<0000:00:02.0 0000:3b:00.0 0000:3b:00.1>
<00.0 00.1>
<888 4242 5151>
<5151>
<--pid>
<--prometheus>
<--pasid>
<>
<>
<\$(touch pwned) db web>
<101 102>
<>
<--root>
<0000:00:02.0 0000:3b:00.0 0000:3b:00.1>
<frob>
<--root --frob-level --quiet>
<--frob-level>
<--frobnicate --fast>
EOF2

( cd "$TMP" && "${PYTHON:-python3}" "$top_srcdir/tests/comp-pty.py" "$TMP/rc" "$TMP/cases" "$OUT" ) 2>"$TMP/pty.err" \
	|| fail "comp-pty: $(cat "$TMP/pty.err")"
if [ "$(cat "$TMP/complete-p" 2>/dev/null)" = "complete -F _iommu_verify iommu-verify" ]; then
	ok "bash-completion's loader finds completions/iommu-verify: $(cat "$TMP/complete-p")"
else fail "complete -p after __load_completion: '$(cat "$TMP/complete-p" 2>/dev/null)'"; fi
if diff -u "$TMP/expect" "$OUT" > "$TMP/diff"; then ok "$(wc -l < "$TMP/expect") completion cases give the exact COMPREPLY"
else fail "COMPREPLY differs (- expected, + got; cases in order):"; cat "$TMP/diff" >&2
	nl -ba "$TMP/cases" | sed 's/^/  case /' >&2; fi
[ -e "$TMP/pwned" ] && fail "a pid file name was executed by the completion"
finish
