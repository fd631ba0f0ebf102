#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/systemd-caps.sh - the units' CapabilityBoundingSet, checked against this
# kernel rather than taken on trust: as root limited to exactly that set, the
# reads the check makes work; with each capability taken away, the read it is
# there for fails or degrades (kallsyms zeros without CAP_SYSLOG, pagemap PFN 0
# without CAP_SYS_ADMIN, another user's /proc/PID/fd unreadable without
# CAP_SYS_PTRACE or CAP_DAC_READ_SEARCH, /proc/kcore refused without
# CAP_SYS_RAWIO where the kernel has it). The "other user" is a process of
# nobody, as QEMU runs as libvirt-qemu.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/caps-lib.sh"
[ "$CAPS" = "sys_rawio syslog sys_admin sys_ptrace dac_read_search" ] && ok "unit's set: $CAPS" || fail "unit's set: '$CAPS'"
start_holder
P=$HOLDER

# kallsyms: CAP_SYSLOG (kptr_restrict 0 or 1; with 2 even root sees zeros)
kr=$(cat /proc/sys/kernel/kptr_restrict 2>/dev/null || echo 2)
if [ -r /proc/kallsyms ] && [ "$kr" != 2 ]; then
	a=$(caps_run "$CAPS" head -1 /proc/kallsyms | cut -d' ' -f1)
	b=$(caps_run "$(caps_without syslog)" head -1 /proc/kallsyms | cut -d' ' -f1)
	case $a in *[1-9a-f]*) ok "kallsyms with the unit's set: $a" ;; *) fail "kallsyms with the unit's set: '$a'" ;; esac
	case $b in *[1-9a-f]*) fail "kallsyms without CAP_SYSLOG still shows $b" ;; *) ok "kallsyms without CAP_SYSLOG: $b (CAP_SYSLOG needed)" ;; esac
else echo "note: kallsyms not checked (kptr_restrict=$kr)"; fi

# pagemap of the other user's process: the first mapped page of its stack
pm() {  # CAPS: prints "present pfn" of the holder's first [stack] page, or the error
	caps_run "$1" "$PYTHON" -c '
import struct, sys
pid = sys.argv[1]
try:
    va = next(int(l.split("-")[0], 16) for l in open("/proc/%s/maps" % pid) if l.rstrip().endswith("[stack]"))
    with open("/proc/%s/pagemap" % pid, "rb") as f:
        end = next(int(l.split()[0].split("-")[1], 16) for l in open("/proc/%s/maps" % pid) if l.rstrip().endswith("[stack]"))
        for v in range(end - 4096, va - 1, -4096):
            f.seek(v // 4096 * 8); e = struct.unpack("<Q", f.read(8))[0]
            if e >> 63:
                print(1, e & ((1 << 55) - 1)); break
        else:
            print(0, 0)
except OSError as x:
    print("error", x.errno)
' "$P"
}
set -- $(pm "$CAPS"); [ "$1" = 1 ] && [ "$2" != 0 ] && ok "pagemap with the unit's set: present, PFN $(printf 0x%x "$2")" || fail "pagemap with the unit's set: $*"
set -- $(pm "$(caps_without sys_admin)"); [ "$1" = 1 ] && [ "$2" = 0 ] && ok "pagemap without CAP_SYS_ADMIN: present, PFN 0 (CAP_SYS_ADMIN needed)" || fail "pagemap without CAP_SYS_ADMIN: $*"
# (maps/pagemap need PTRACE_MODE_READ; 6.18 lets CAP_SYS_ADMIN alone open them, so
# CAP_SYS_PTRACE is not asserted here: the fd links below need it everywhere.)
caps_run "$CAPS" readlink "/proc/$P/fd/7" >"$TMP/out" 2>&1 && grep -q '/dev/vfio/4095$' "$TMP/out" \
	&& ok "fd link with the unit's set: .../dev/vfio/4095" || fail "fd link with the unit's set: $(cat "$TMP/out")"
caps_run "$(caps_without sys_ptrace)" readlink "/proc/$P/fd/7" >"$TMP/out" 2>&1 \
	&& fail "fd link readable without CAP_SYS_PTRACE" || ok "fd link without CAP_SYS_PTRACE: refused (CAP_SYS_PTRACE needed)"
caps_run "$(caps_without dac_read_search)" ls "/proc/$P/fd" >"$TMP/out" 2>&1 \
	&& fail "fd directory listable without CAP_DAC_READ_SEARCH" || ok "fd directory without CAP_DAC_READ_SEARCH: $(head -1 "$TMP/out")"
set -- $(pm "$(caps_without dac_read_search)"); [ "$1" = error ] && ok "pagemap without CAP_DAC_READ_SEARCH: errno $2 (mode 0400 nobody)" || fail "pagemap without CAP_DAC_READ_SEARCH: $*"

# The tool recognizes a VFIO fd by fstat through /proc/PID/fd/N (char device with
# the vfio major): that stat needs CAP_SYS_PTRACE on another user's process.
caps_run "$CAPS" stat -L -c %F "/proc/$P/fd/7" >"$TMP/out" 2>&1 \
	&& ok "fstat through the fd link with the unit's set: $(cat "$TMP/out")" || fail "stat -L with the unit's set: $(cat "$TMP/out")"
caps_run "$(caps_without sys_ptrace)" stat -L -c %F "/proc/$P/fd/7" >"$TMP/out" 2>&1 \
	&& fail "fstat through another user's fd link works without CAP_SYS_PTRACE" \
	|| ok "fstat through the fd link without CAP_SYS_PTRACE: $(cat "$TMP/out")"
# The tool itself on that process: with the unit's set it reads the fds (none is VFIO);
# without CAP_DAC_READ_SEARCH it says it could not look.
caps_run "$CAPS" "$IV" check --pid "$P" >"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 3 "check --pid of a process without VFIO (unit's set)"
expect_err "pid $P.*no VFIO device open" "with the unit's set the tool reads its fds: no VFIO device"
grep -q "Permission denied" "$TMP/err" && fail "the unit's set: permission denied: $(cat "$TMP/err")"
caps_run "$(caps_without dac_read_search)" "$IV" check --pid "$P" >"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 3 "check --pid without CAP_DAC_READ_SEARCH"
expect_err "/proc/$P/fd: Permission denied" "without CAP_DAC_READ_SEARCH the tool says it cannot read /proc/$P/fd"

# /proc/kcore: CAP_SYS_RAWIO (open_kcore); this kernel may not have it
if [ -e /proc/kcore ]; then
	caps_run "$CAPS" head -c 4 /proc/kcore >"$TMP/kcore" 2>"$TMP/err" && [ "$(od -An -c "$TMP/kcore" | tr -d ' ')" = '177ELF' ] \
		&& ok "/proc/kcore with the unit's set: ELF" || fail "/proc/kcore with the unit's set: $(cat "$TMP/err")"
	caps_run "$(caps_without sys_rawio)" head -c 4 /proc/kcore >/dev/null 2>"$TMP/err" \
		&& fail "/proc/kcore readable without CAP_SYS_RAWIO" || ok "/proc/kcore without CAP_SYS_RAWIO: $(cat "$TMP/err")"
else echo "note: this kernel has no /proc/kcore: CAP_SYS_RAWIO not checked here (fs/proc/kcore.c open_kcore)"; fi
stop_holder
finish
