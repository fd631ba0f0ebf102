# SPDX-License-Identifier: GPL-2.0-or-later
# vtd.sh - sourced by guest/guest.sh (nested mode) and tests/e2e-stock/init (e2e.nested=1): the
# nested QEMU whose own emulated VT-d translates (issue 16.5). Needs P (nested-probe), BDF (the
# device, bound to vfio-pci), OUT, SRC (iommu-verify source options), run_iv and log, and the
# nested QEMU's /usr bound over /usr (with /usr/share/lab/l2-vtd.elf, lib/qemu-root.sh).

# vtd_translating: the L2 Multiboot program l2-vtd.elf turns the emulated VT-d on with its own
# tables (IOVA 0x8000000 -> GPA 0x400000, 16 pages RW; IOVA 0x8200000 -> GPA 0x2000000 read-only),
# then points IOVA 0x800f000 at GPA 0x600000 without invalidating (planted stale); check --qmp
# walks those tables (GPA -> HVA -> pagemap -> kcore). aw-bits=39: QEMU 10 defaults to 48 and
# refuses a host IOMMU with fewer ("aw-bits 48 > host aw-bits 39"); 39 is QEMU 7.2's default.
# Files: vtd-qemu-cmdline.txt, vtd-qemu.stderr, vtd-waitqmp.txt, vtd-pid, l2-vtd.log, vtd-maps.txt,
# vtd-qmp.* (run_iv), vtd.time (seconds from QEMU's start to its end)
vtd_translating() {
  SOCK3=/tmp/qmp-vtd.sock
  NQ3ARGS="-M q35 -accel tcg,tb-size=64 -m 64 -nodefaults -no-user-config -display none
   -device intel-iommu,caching-mode=on,aw-bits=39 -device vfio-pci,host=$BDF,id=hostdev0
   -kernel /usr/share/lab/l2-vtd.elf -qmp unix:$SOCK3,server=on,wait=off
   -chardev file,id=l2vtd,path=/tmp/l2-vtd.log -device isa-debugcon,iobase=0x402,chardev=l2vtd"
  echo "/usr/bin/qemu-system-x86_64" $NQ3ARGS > "$OUT/vtd-qemu-cmdline.txt"
  vt0=$(up)
  /usr/bin/qemu-system-x86_64 $NQ3ARGS > "$OUT/vtd-qemu.stderr" 2>&1 &
  NQ3PID=$!
  $P waitqmp $SOCK3 300 > "$OUT/vtd-waitqmp.txt" 2>&1
  if kill -0 $NQ3PID 2>/dev/null && grep -q qmp_ready "$OUT/vtd-waitqmp.txt"; then
    echo $NQ3PID > "$OUT/vtd-pid"
    i=0
    while [ $i -lt 240 ] && ! grep -q 'L2-VTD \(READY\|FAILED\)' /tmp/l2-vtd.log 2>/dev/null; do sleep 0.5; i=$((i+1)); done
    $P qmp $SOCK3 '{"execute":"stop"}' > "$OUT/vtd-stop.txt" 2>&1
    cp /tmp/l2-vtd.log "$OUT/l2-vtd.log" 2>/dev/null
    log "L2 VT-d program: $(grep -c . /tmp/l2-vtd.log 2>/dev/null) lines, $(tail -1 /tmp/l2-vtd.log 2>/dev/null)"
    cat /proc/$NQ3PID/maps > "$OUT/vtd-maps.txt"
    run_iv vtd-qmp -j $SRC check --pid $NQ3PID --qmp $SOCK3
    $P qmp $SOCK3 '{"execute":"quit"}' > /dev/null 2>&1
  else
    log "VT-d nested QEMU failed: $(tail -5 $OUT/vtd-qemu.stderr)"
  fi
  i=0; while kill -0 $NQ3PID 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  kill $NQ3PID 2>/dev/null
  awk -v a=$vt0 -v b=$(up) 'BEGIN{printf "%.2f\n", b-a}' > "$OUT/vtd.time"
}

# vtd_flts_probe: guest first-level tables (scalable mode, PASID entry PGTT 1) need QEMU's
# intel-iommu x-flts=on. Does this nested QEMU have the property, and does it start with it and
# the vfio-pci device (-S, in the foreground under timeout 30: QEMU checks the host device when
# it realizes it, before any guest code runs)? aw-bits=48: QEMU 10 accepts no other with x-flts
# ("Scalable mode(flts=on): supported value for aw-bits is: 48"), so the L1 IOMMU must have 48
# bits too (tests/e2e/run gives the outer intel-iommu aw-bits=48 in the E2E_NESTED_QEMU=10 boots) Files: vtd-fl-help.txt (the property's help line),
# vtd-fl.state (none: no such property | refused: QEMU exited, vtd-fl.stderr says why |
# accepted: still running after 30 s), vtd-fl.rc
vtd_flts_probe() {
  /usr/bin/qemu-system-x86_64 -device intel-iommu,help 2>&1 | grep 'x-flts' > "$OUT/vtd-fl-help.txt"
  if [ ! -s "$OUT/vtd-fl-help.txt" ]; then echo none > "$OUT/vtd-fl.state"; return; fi
  NQ4ARGS="-M q35 -accel tcg,tb-size=64 -m 64 -nodefaults -no-user-config -display none -S
   -device intel-iommu,caching-mode=on,aw-bits=48,x-scalable-mode=on,x-flts=on -device vfio-pci,host=$BDF,id=hostdev0"
  echo "/usr/bin/qemu-system-x86_64" $NQ4ARGS > "$OUT/vtd-fl-cmdline.txt"
  timeout 30 /usr/bin/qemu-system-x86_64 $NQ4ARGS > "$OUT/vtd-fl.stderr" 2>&1 < /dev/null
  rc=$?
  echo $rc > "$OUT/vtd-fl.rc"
  # QEMU ends on timeout's SIGTERM with exit 0 ("terminating on signal 15"); an option or device
  # it refuses makes it exit 1 at once
  case $rc in 0|124|143) echo accepted > "$OUT/vtd-fl.state" ;; *) echo refused > "$OUT/vtd-fl.state" ;; esac
  log "x-flts probe: $(cat $OUT/vtd-fl.state) (exit $rc): $(tail -1 $OUT/vtd-fl.stderr 2>/dev/null)"
}
