#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# guest.sh MODE TAG - runs inside the test guest; all results go to /out/TAG (9p share), the
# host (tests/e2e/run + lib/checks.py) asserts on them.
#   MODE=lab     vfio-lab mappings (zero page, stale, THP) + iommu-verify check/lookup/dump/tables,
#                a host-side memory dump request, then a clean vfio-lab run
#   MODE=big     vfio-lab --big (>= 1 GiB in 4 KiB IOMMU pages): the wall time of reading the
#                debugfs page-table file vs the memory walk, auto's source (and strace: no dump
#                opened), the dmesg after the dump read (soft lockup / RCU stall)
#   MODE=nested  nested QEMU (-S) with the device cold-plugged by vfio-pci + iommu-verify check --qmp,
#                then "cont" and check again
MODE=$1; TAG=$2; OUT=/out/$TAG
mkdir -p "$OUT"
IV=/e2e/bin/iommu-verify
up() { cut -d' ' -f1 /proc/uptime; }
log() { echo "E2E: [$(up)] $*"; echo "[$(up)] $*" >> "$OUT/steps.txt"; }

# E2E_MATRIX (tests/e2e/run passes it as e2e.matrix=): full_only NAME is true in the full matrix;
# in the default one it leaves NAME.skip (checks.py reports the case as SKIP) and is false:
#   if full_only slow-thing; then run_iv slow-thing ...; fi
MATRIX=default
for a in $(cat /proc/cmdline); do case "$a" in e2e.matrix=*) MATRIX=${a#e2e.matrix=};; esac; done
full_only() {
  [ "$MATRIX" = full ] && return 0
  echo "full matrix only (E2E_MATRIX=full)" > "$OUT/$1.skip"
  log "$1: skipped (full matrix only)"
  return 1
}

# run_iv NAME ARGS...: run iommu-verify, keep stdout/stderr/exit code/duration for the host checks
run_iv() {
  n=$1; shift
  echo "iommu-verify $*" > "$OUT/$n.cmd"
  t0=$(up)
  if [ -x "$IV" ]; then
    timeout 120 "$IV" "$@" > "$OUT/$n.out" 2> "$OUT/$n.err"; rc=$?
  else
    echo "iommu-verify binary missing from the initramfs" > "$OUT/$n.err"; : > "$OUT/$n.out"; rc=127
  fi
  t1=$(up)
  echo $rc > "$OUT/$n.rc"
  awk -v a=$t0 -v b=$t1 'BEGIN{printf "%.2f\n", b-a}' > "$OUT/$n.time"
  log "iommu-verify $* -> exit $rc ($(cat $OUT/$n.time)s)"
}

# host_req NAME: ask the host (polling the share) to do something, wait until it is done
host_req() {
  rm -f "$OUT/done-$1"; : > "$OUT/req-$1"; sync
  i=0; while [ ! -e "$OUT/done-$1" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
  rm -f "$OUT/req-$1"
  [ -e "$OUT/done-$1" ] || { log "host request $1 timed out"; return 1; }
}

for d in /sys/bus/pci/devices/*; do
  echo "$(basename $d) $(cat $d/vendor):$(cat $d/device) driver=$(basename "$(readlink $d/driver)" 2>/dev/null) group=$(basename "$(readlink $d/iommu_group)" 2>/dev/null)"
done > "$OUT/pci-devices.txt"
uname -r > "$OUT/uname.txt"
[ -e /sys/kernel/btf/vmlinux ] && : > "$OUT/has-btf"
BDF=$(grep ' 0x1234:0x11e8 ' "$OUT/pci-devices.txt" | cut -d' ' -f1 | head -1)
[ -n "$BDF" ] || { log "edu device not found"; exit 1; }
echo "$BDF" > "$OUT/bdf"
d=/sys/bus/pci/devices/$BDF
echo vfio-pci > $d/driver_override
[ -e $d/driver ] && echo "$BDF" > $d/driver/unbind
echo "$BDF" > /sys/bus/pci/drivers_probe
log "bound $BDF to $(basename "$(readlink $d/driver)") group $(basename "$(readlink $d/iommu_group)")"

# IOMMU flavour and the iommu-verify source options
SRC=
STOCK=0; grep -q 'e2e.stock=1' /proc/cmdline && STOCK=1
if ls -d /sys/class/iommu/dmar* > /dev/null 2>&1; then
  VENDOR=intel
  if [ -d /sys/kernel/debug/iommu/intel ]; then
    : > "$OUT/has-debugfs"
    awk '$1=="RTADDR"{print $3}' /sys/kernel/debug/iommu/intel/iommu_regset > "$OUT/rtaddr" 2>/dev/null
  fi
elif [ "$STOCK" = 1 ]; then
  VENDOR=amd    # Debian's kernel: iommu-verify has to find the device table itself (kallsyms + BTF)
else
  VENDOR=amd
  # AMD-Vi: no page-table debugfs in 6.1/6.12; the host reads the Device Table Base register
  # (MMIO 0xfed80000) over QMP and passes it in through the share
  if host_req amd-devtab && [ -s "$OUT/amd-devtab" ]; then
    SRC="--source memory --amd-devtab $(cat $OUT/amd-devtab)"
  else
    SRC="--source memory"
  fi
fi
echo "$VENDOR" > "$OUT/vendor"
log "vendor=$VENDOR bdf=$BDF src='$SRC'"
run_iv devices -j $SRC devices

start_lab() { # $1 = subdir, rest = vfio-lab options; sets LABPID
  sub=$1; shift
  rm -rf "$OUT/$sub"; mkdir -p "$OUT/$sub"
  /e2e/bin/vfio-lab "$@" "$BDF" "$OUT/$sub" > "$OUT/$sub/vfio-lab.log" 2>&1 &
  LABPID=$!
  i=0; while [ ! -e "$OUT/$sub/ready" ] && [ $i -lt ${LAB_WAIT:-300} ] && kill -0 $LABPID 2>/dev/null; do sleep 0.1; i=$((i+1)); done
  [ -e "$OUT/$sub/ready" ] || { log "vfio-lab $* did not become ready: $(cat $OUT/$sub/vfio-lab.log)"; return 1; }
  log "vfio-lab $* pid $LABPID ready"
}
stop_lab() { : > "$OUT/$1/release"; wait $LABPID; log "vfio-lab exited $?"; }

if [ "$MODE" = lab ]; then
  if start_lab lab; then
    G=$OUT/lab/gpa-map.json
    IOVAS=$(cat "$OUT/lab/lookup-iovas")
    run_iv check-gpa-map -j $SRC check --pid $LABPID --gpa-map "$G"
    run_iv check-inferred -j $SRC check --pid $LABPID
    run_iv lookup -j $SRC lookup "$BDF" $IOVAS 0x900000
    # the tables can also be found through kernel symbols (/proc/kallsyms + /proc/kcore): no
    # --amd-devtab, and for VT-d no debugfs either (an empty directory instead)
    mkdir -p /tmp/no-debugfs
    run_iv lookup-ksym -j --debugfs /tmp/no-debugfs --source memory lookup "$BDF" $IOVAS 0x900000
    run_iv dump -j $SRC dump "$BDF"
    if [ -e "$OUT/has-debugfs" ]; then
      run_iv dump-debugfs -j --source debugfs dump "$BDF"
      run_iv dump-memory -j --source memory dump "$BDF"
      run_iv tables -j tables "$BDF"
    fi
    cp /proc/$LABPID/maps "$OUT/lab/maps.txt"
    # host side: dump-guest-memory + IOMMU root register over QMP while the mappings are held
    host_req dump
    stop_lab lab
  fi
  if start_lab clean --clean; then
    run_iv clean-gpa-map -j $SRC check --pid $LABPID --gpa-map "$OUT/clean/gpa-map.json"
    run_iv clean-inferred -j $SRC check --pid $LABPID
    stop_lab clean
  fi
  # the iommufd backend (a kernel with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV): the same
  # mappings through /dev/iommu + the device cdev; iommu-verify must find the holder by the cdev
  if [ -c /dev/iommu ] && ls -d /sys/bus/pci/devices/$BDF/vfio-dev/vfio* > /dev/null 2>&1; then
    : > "$OUT/has-iommufd"
    # QEMU's amd-iommu gives 7.x no interrupt remapping: iommufd refuses the bind without this
    [ "$VENDOR" = amd ] && [ -w /sys/module/iommufd/parameters/allow_unsafe_interrupts ] &&
      echo 1 > /sys/module/iommufd/parameters/allow_unsafe_interrupts
    if start_lab iommufd --iommufd; then
      grep '^VmLck\|^VmPin' /proc/$LABPID/status > "$OUT/iommufd/status.txt"
      ls -l /proc/$LABPID/fd > "$OUT/iommufd/fds.txt" 2>&1
      run_iv iommufd-check-gpa-map -j $SRC check --pid $LABPID --gpa-map "$OUT/iommufd/gpa-map.json"
      run_iv iommufd-check-inferred -j $SRC check --pid $LABPID
      run_iv iommufd-check-device -j $SRC check --device "$BDF"
      run_iv iommufd-lookup -j $SRC lookup "$BDF" $(cat "$OUT/iommufd/lookup-iovas") 0x900000
      stop_lab iommufd
    fi
    if start_lab iommufd-clean --iommufd --clean; then
      run_iv iommufd-clean-gpa-map -j $SRC check --pid $LABPID --gpa-map "$OUT/iommufd-clean/gpa-map.json"
      run_iv iommufd-clean-inferred -j $SRC check --pid $LABPID
      stop_lab iommufd-clean
    fi
  fi
fi

if [ "$MODE" = big ]; then
  MIB=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^e2e.big_mib=//p'); MIB=${MIB:-1024}
  t0=$(up)
  LAB_WAIT=9000   # touching and mapping a GiB page by page under TCG takes minutes
  if start_lab big --big "$MIB"; then
    awk -v a=$t0 -v b=$(up) 'BEGIN{printf "%.2f\n", b-a}' > "$OUT/big/lab-setup.time"
    G=$OUT/big/gpa-map.json
    F=/sys/kernel/debug/iommu/intel/$BDF/domain_translation_struct
    [ -e "$F" ] || F=/sys/kernel/debug/iommu/intel/domain_translation_struct
    dmesg > "$OUT/big/dmesg-before.txt"
    if [ -e "$F" ]; then
      # the kernel builds the whole dump as one seq_file record under iommu->lock
      t0=$(up); cat "$F" | wc -c > "$OUT/big/debugfs-bytes"; t1=$(up)
      awk -v a=$t0 -v b=$t1 'BEGIN{printf "%.2f\n", b-a}' > "$OUT/big/debugfs-cat.time"
      log "cat $F: $(cat $OUT/big/debugfs-bytes) bytes in $(cat $OUT/big/debugfs-cat.time)s"
      sleep 2   # let a stall warning reach the log
      dmesg > "$OUT/big/dmesg-after-cat.txt"
    fi
    M="--source memory"; [ "$VENDOR" = amd ] && [ -n "$SRC" ] && M=$SRC   # AMD-Vi: + --amd-devtab
    run_iv big-dump-memory -j $M dump "$BDF"
    run_iv big-check-memory -j --stats $M check --pid $LABPID --gpa-map "$G"
    run_iv big-check-auto -j --stats $SRC check --pid $LABPID --gpa-map "$G"
    run_iv big-lookup -j $M lookup "$BDF" $(cat "$OUT/big/lookup-iovas")
    if command -v strace > /dev/null; then
      # the same auto check under strace: which files it opens (no debugfs page-table dump)
      printf '#!/bin/sh\nexec strace -f -qq -e trace=open,openat -o %s /e2e/bin/iommu-verify "$@"\n' \
        "$OUT/big/check-auto.strace" > /tmp/iv-strace
      chmod +x /tmp/iv-strace
      IV=/tmp/iv-strace; run_iv big-check-auto-strace -j $SRC check --pid $LABPID --gpa-map "$G"; IV=/e2e/bin/iommu-verify
    fi
    dmesg > "$OUT/big/dmesg-after-memory.txt"
    if [ -e "$F" ]; then
      run_iv big-dump-debugfs -j --source debugfs dump "$BDF"
      run_iv big-check-debugfs -j --stats --source debugfs check --pid $LABPID --gpa-map "$G"
    fi
    sleep 2
    dmesg > "$OUT/big/dmesg-after-debugfs.txt"
    stop_lab big
  fi
fi

# memory walk == debugfs for the other translated devices too (their DMA-API domains: e1000e
# rings etc.), each with its own table; not the virtio devices (the 9p share maps and unmaps
# while it runs, so two reads of its table may differ)
# The e1000e's link is brought up first, so that its rings and RX buffers are DMA-mapped (no
# netdev behind it in QEMU: nothing arrives, the mappings stay put): 7.3 maps nothing else (6.1 and
# 6.12 also identity-map 16 MiB for the ISA bridge's group).
if [ "$MODE" = lab ] && [ "$VENDOR" = intel ] && [ -e "$OUT/has-debugfs" ]; then
  mkdir -p "$OUT/tables-all"
  for n in /sys/bus/pci/devices/*/net/*; do
    [ -e "$n" ] && ip link set dev "${n##*/}" up 2>&1 | sed 's/^/E2E: ip link: /'
  done
  sleep 1
  while read -r b vd drv grp; do
    case "$vd" in 0x1af4:*) continue ;; esac
    [ "$b" = "$BDF" ] || [ "$grp" = "group=" ] && continue
    run_iv "tables-all/$b" -j tables "$b"
  done < "$OUT/pci-devices.txt"
fi

# A device in an identity (pass-through) domain: the e1000e's group is switched to "identity"
# (driver unbound, group type written, driver rebound). Intel: 6.18+ (also 6.12.53+) writes an
# EMPTY per-device domain_translation_struct for it (no page table), 6.1 a header over garbage; the
# tool must call it pass-through, never a parse error. AMD-Vi (no page-table debugfs): the memory
# walk from the device table (DTE Mode 0) must say pass-through.
if [ "$MODE" = lab ] && { [ -e "$OUT/has-debugfs" ] || [ "$VENDOR" = amd -a "$STOCK" = 0 ]; }; then
  PT=$(grep ' 0x8086:0x10d3 ' "$OUT/pci-devices.txt" | cut -d' ' -f1 | head -1)
  mkdir -p "$OUT/pt"
  if [ -n "$PT" ]; then
    echo "$PT" > "$OUT/pt/bdf"
    pd=/sys/bus/pci/devices/$PT
    [ -e $pd/driver ] && echo "$PT" > $pd/driver/unbind
    echo identity > $pd/iommu_group/type 2> "$OUT/pt/type.err"
    cat $pd/iommu_group/type > "$OUT/pt/type" 2>&1
    echo "$PT" > /sys/bus/pci/drivers_probe
    run_iv pt-devices -j $SRC devices
    run_iv pt-dump-memory -j ${SRC:---source memory} dump "$PT"
    run_iv pt-lookup -j $SRC lookup "$PT" 0x100000
    if [ "$VENDOR" = intel ]; then
      f=/sys/kernel/debug/iommu/intel/$PT/domain_translation_struct
      [ -e "$f" ] || f=/sys/kernel/debug/iommu/intel/domain_translation_struct
      echo "$f" > "$OUT/pt/file"
      wc -c < "$f" > "$OUT/pt/size" 2>&1    # 6.1: megabytes of garbage; keep the size and the start
      head -c 4096 "$f" > "$OUT/pt/domain_translation_struct" 2>&1
      log "pass-through device $PT: group type $(cat $OUT/pt/type), $f: $(cat $OUT/pt/size) bytes"
      run_iv pt-dump-debugfs -j --source debugfs dump "$PT"
      # the file alone (a debugfs copy without the context dump): the tool reads the empty file itself
      mkdir -p /tmp/pt-dbg/iommu/intel/$PT
      cat "$f" > /tmp/pt-dbg/iommu/intel/$PT/domain_translation_struct 2>/dev/null
      run_iv pt-dump-file -j --debugfs /tmp/pt-dbg --source debugfs dump "$PT"
    fi
  else
    log "no e1000e for the pass-through case"
  fi
fi

if [ "$MODE" = nested ]; then
  P=/e2e/bin/nested-probe
  # Debian's QEMU from the host: the share "qroot" holds its /usr (binary, libraries, TCG module,
  # firmware); bind it over /usr so QEMU runs in the guest's own root (no chroot: iommu-verify must
  # see /dev/vfio/N in /proc/PID/fd as on a real host)
  SOCK=/tmp/qmp.sock
  mkdir -p /q /usr
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro qroot /q || { log "mount qroot failed"; exit 1; }
  mount --bind /q/usr /usr
  /usr/bin/qemu-system-x86_64 --version > "$OUT/nested-qemu-version.txt" 2>&1
  NQARGS="-M q35 -accel tcg,tb-size=64 -m 64 -nodefaults -no-user-config -display none
   -device vfio-pci,host=$BDF,id=hostdev0 -S
   -qmp unix:$SOCK,server=on,wait=off -serial file:/tmp/nq-serial.log
   -chardev file,id=seabios,path=/tmp/seabios.log -device isa-debugcon,iobase=0x402,chardev=seabios"
  echo "/usr/bin/qemu-system-x86_64" $NQARGS > "$OUT/nested-qemu-cmdline.txt"
  /usr/bin/qemu-system-x86_64 $NQARGS > "$OUT/nested-qemu.stderr" 2>&1 &
  NQPID=$!
  $P waitqmp $SOCK 300 $NQPID > "$OUT/waitqmp.txt" 2>&1
  if ! kill -0 $NQPID 2>/dev/null || ! grep -q qmp_ready "$OUT/waitqmp.txt"; then
    log "nested QEMU failed: $(tail -5 $OUT/nested-qemu.stderr)"; exit 1
  fi
  echo $NQPID > "$OUT/nested-pid"
  log "nested QEMU pid $NQPID up"
  mkdir -p "$OUT/prelaunch" "$OUT/after-cont"
  $P hmp $SOCK "$OUT/prelaunch" mtree-f='info mtree -f' ramblock='info ramblock' > /dev/null 2>&1
  cat /proc/$NQPID/maps > "$OUT/prelaunch/maps.txt"
  run_iv nested-prelaunch -j $SRC check --pid $NQPID --qmp $SOCK
  $P qmp $SOCK '{"execute":"cont"}' > "$OUT/cont.txt" 2>&1
  # wait until the nested SeaBIOS has programmed the device BAR (VFIO then maps it, P2P)
  i=0
  while [ $i -lt 60 ]; do
    sleep 0.5; i=$((i+1))
    $P hmp $SOCK "$OUT/after-cont" mtree-f='info mtree -f' > /dev/null 2>&1
    grep -q 'BAR 0 mmaps\[0\]' "$OUT/after-cont/mtree-f.txt" && break
  done
  sleep 1
  $P qmp $SOCK '{"execute":"stop"}' >> "$OUT/cont.txt" 2>&1
  $P hmp $SOCK "$OUT/after-cont" mtree-f='info mtree -f' ramblock='info ramblock' > /dev/null 2>&1
  sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) (prio [0-9]*, ramd): .* BAR 0 mmaps\[0\].*/0x\1 0x\2/p' "$OUT/after-cont/mtree-f.txt" | head -1 > "$OUT/after-cont/bar0"
  log "nested guest ran ~$((i / 2))s; BAR0 mmap range: $(cat $OUT/after-cont/bar0)"
  cat /proc/$NQPID/maps > "$OUT/after-cont/maps.txt"
  run_iv nested-after-cont -j $SRC check --pid $NQPID --qmp $SOCK
  # the same without QMP: the inferred map must place the RAM and count the BAR window as MMIO
  run_iv nested-after-cont-inferred -j $SRC check --pid $NQPID
  $P qmp $SOCK '{"execute":"quit"}' > /dev/null 2>&1
  i=0; while kill -0 $NQPID 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  kill $NQPID 2>/dev/null
  cp "$OUT/nested-qemu.stderr" "$OUT/nested-qemu.stderr.final" 2>/dev/null
  cp /tmp/seabios.log "$OUT/nested-seabios.log" 2>/dev/null

  # a guest with its own vIOMMU (-device intel-iommu,caching-mode=on): its SeaBIOS never enables
  # translation (GSTS.TES = 0), so over QMP IOVA == GPA and the check compares as usual; with only a
  # --gpa-map the tool cannot know and must say UNKNOWN (guest vIOMMU) for the GPA comparison.
  # aw-bits=39: QEMU 10 defaults to 48 and refuses a host IOMMU with fewer ("Failed to set vIOMMU:
  # aw-bits 48 > host aw-bits 39" under the emulated VT-d); 39 is QEMU 7.2's default
  SOCK2=/tmp/qmp-viommu.sock
  NQ2ARGS="-M q35 -accel tcg,tb-size=64 -m 64 -nodefaults -no-user-config -display none
   -device intel-iommu,caching-mode=on,aw-bits=39 -device vfio-pci,host=$BDF,id=hostdev0
   -qmp unix:$SOCK2,server=on,wait=off -serial file:/tmp/nq2-serial.log"
  echo "/usr/bin/qemu-system-x86_64" $NQ2ARGS > "$OUT/viommu-qemu-cmdline.txt"
  /usr/bin/qemu-system-x86_64 $NQ2ARGS > "$OUT/viommu-qemu.stderr" 2>&1 &
  NQ2PID=$!
  $P waitqmp $SOCK2 300 $NQ2PID > "$OUT/viommu-waitqmp.txt" 2>&1
  if kill -0 $NQ2PID 2>/dev/null && grep -q qmp_ready "$OUT/viommu-waitqmp.txt"; then
    echo $NQ2PID > "$OUT/viommu-pid"
    mkdir -p "$OUT/viommu"
    sleep 3     # SeaBIOS runs (and leaves the vIOMMU's translation off)
    $P qmp $SOCK2 '{"execute":"stop"}' > "$OUT/viommu/stop.txt" 2>&1
    $P hmp $SOCK2 "$OUT/viommu" mtree-f='info mtree -f' ramblock='info ramblock' gsts='xp /1wx 0xfed9001c' \
      ram0='gpa2hva 0' bios='gpa2hva 0xfffc0000' > /dev/null 2>&1
    cat /proc/$NQ2PID/maps > "$OUT/viommu/maps.txt"
    # the VM's memory map as its info mtree -f shows it once SeaBIOS has run (-m 64, q35: pc.ram
    # 0-64 MiB, the device BAR mapped for P2P, pc.bios), HVAs from gpa2hva, as a user would write
    # it for --gpa-map
    hva() { sed -n 's/.* is \(0x[0-9a-f]*\).*/\1/p' "$OUT/viommu/$1.txt" | head -1; }
    bar=$(sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) (prio [0-9]*, ramd): .* BAR 0 mmaps\[0\].*/\1 \2/p' "$OUT/viommu/mtree-f.txt" | head -1)
    barsec=
    if [ -n "$bar" ]; then
      set -- $bar
      barsec=$(printf ',\n {"gpa":"0x%s","size":"0x%x","type":"ramd","name":"BAR 0"}' "$1" $((0x$2 - 0x$1 + 1)))
    fi
    printf '[{"gpa":"0x0","size":"0x4000000","hva":"%s","name":"pc.ram","readonly":false}%s,\n {"gpa":"0xfffc0000","size":"0x40000","hva":"%s","name":"pc.bios","readonly":true}]\n' \
      "$(hva ram0)" "$barsec" "$(hva bios)" > "$OUT/viommu/gpa-map.json"
    run_iv viommu-qmp -j $SRC check --pid $NQ2PID --qmp $SOCK2
    run_iv viommu-gpa-map -j $SRC check --pid $NQ2PID --gpa-map "$OUT/viommu/gpa-map.json"
    $P qmp $SOCK2 '{"execute":"quit"}' > /dev/null 2>&1
  else
    log "vIOMMU nested QEMU failed: $(tail -5 $OUT/viommu-qemu.stderr)"
  fi
  i=0; while kill -0 $NQ2PID 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
  kill $NQ2PID 2>/dev/null

  # a guest whose own vIOMMU translates (issue 16.5; guest/vtd.sh, shared with e2e-stock): the L2
  # program l2-vtd.elf with its own VT-d tables and one planted stale page; then whether this QEMU
  # can give a guest first-level tables (x-flts) with the vfio-pci device
  . /e2e/vtd.sh
  vtd_translating
  vtd_flts_probe

  # the iommufd backend (QEMU 8.2+, e.g. E2E_NESTED_QEMU=10, on a kernel with CONFIG_IOMMUFD and
  # CONFIG_VFIO_DEVICE_CDEV): -object iommufd + vfio-pci,iommufd=: QEMU holds /dev/iommu and the
  # device cdev, no group; iommu-verify must find it by the cdev and check it clean (6.2+ kernels
  # only: no zero-page pin). QEMU cannot map the BAR for P2P through iommufd.
  if [ -c /dev/iommu ] && ls -d /sys/bus/pci/devices/$BDF/vfio-dev/vfio* > /dev/null 2>&1; then
    : > "$OUT/has-iommufd"
    if /usr/bin/qemu-system-x86_64 -object help 2>/dev/null | grep -q '^ *iommufd$'; then
      [ "$VENDOR" = amd ] && [ -w /sys/module/iommufd/parameters/allow_unsafe_interrupts ] &&
        echo 1 > /sys/module/iommufd/parameters/allow_unsafe_interrupts   # no IR under QEMU's amd-iommu on 7.x
      F=$OUT/iommufd-nested; mkdir -p "$F"
      SOCK3=/tmp/qmp-iommufd.sock
      NQ3ARGS="-M q35 -accel tcg,tb-size=64 -m 64 -nodefaults -no-user-config -display none
       -object iommufd,id=fd0 -device vfio-pci,host=$BDF,id=hostdev0,iommufd=fd0 -S
       -qmp unix:$SOCK3,server=on,wait=off -serial file:/tmp/nq3-serial.log"
      echo "/usr/bin/qemu-system-x86_64" $NQ3ARGS > "$F/cmdline.txt"
      /usr/bin/qemu-system-x86_64 $NQ3ARGS > "$F/qemu.stderr" 2>&1 &
      NQ3PID=$!
      $P waitqmp $SOCK3 300 $NQ3PID > "$F/waitqmp.txt" 2>&1
      if kill -0 $NQ3PID 2>/dev/null && grep -q qmp_ready "$F/waitqmp.txt"; then
        echo $NQ3PID > "$F/pid"
        ls -l /proc/$NQ3PID/fd > "$F/fds.txt" 2>&1
        $P hmp $SOCK3 "$F" mtree-f='info mtree -f' ramblock='info ramblock' > /dev/null 2>&1
        run_iv iommufd-nested-prelaunch -j $SRC check --pid $NQ3PID --qmp $SOCK3
        $P qmp $SOCK3 '{"execute":"cont"}' > "$F/cont.txt" 2>&1
        sleep 3
        $P qmp $SOCK3 '{"execute":"stop"}' >> "$F/cont.txt" 2>&1
        grep '^VmLck\|^VmPin' /proc/$NQ3PID/status > "$F/status.txt"
        run_iv iommufd-nested-after-cont -j $SRC check --pid $NQ3PID --qmp $SOCK3
        run_iv iommufd-nested-inferred -j $SRC check --pid $NQ3PID
        run_iv iommufd-nested-device -j $SRC check --device "$BDF"
        $P qmp $SOCK3 '{"execute":"quit"}' > /dev/null 2>&1
      else
        log "iommufd nested QEMU failed: $(tail -5 $F/qemu.stderr)"
      fi
      i=0; while kill -0 $NQ3PID 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
      kill $NQ3PID 2>/dev/null
    else
      echo "this QEMU has no iommufd backend ($(head -1 "$OUT/nested-qemu-version.txt"); 8.2+ has it: E2E_NESTED_QEMU=10)" > "$OUT/iommufd-nested.skip"
    fi
  fi
fi
dmesg > "$OUT/dmesg.txt"
: > "$OUT/guest-finished"
log "guest.sh $MODE done"
