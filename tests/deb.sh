#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/deb.sh - the Debian package: `dpkg-buildpackage -us -uc -b` in a copy of
# the tree (the files git knows, as they are in the work tree, so an in-place
# build here is not disturbed), then the .deb's contents, control fields, the
# maintainer scripts dh_installsystemd wrote, the installed binary running, and
# lintian's error count (must be 0). Slow (about 2 minutes): not in `make check`;
# .ci/run runs it. Packages: scripts/install-deps deb.
# Usage: sh tests/deb.sh   (from anywhere; tests/tmp/deb/ holds the build and logs)
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"
for t in dpkg-buildpackage dh lintian git; do
	command -v $t >/dev/null 2>&1 || { echo "FAIL: $t not found (scripts/install-deps deb)"; exit 99; }
done
VERSION=$(sed -n 's/^AC_INIT(\[iommu-verify\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
CHVER=$(dpkg-parsechangelog -l "$top_srcdir/debian/changelog" -S Version)
ARCH=$(dpkg --print-architecture)
[ "$VERSION" = "$CHVER" ] && ok "debian/changelog version $CHVER = configure.ac's" \
	|| fail "debian/changelog says $CHVER, configure.ac $VERSION"

S="$TMP/iommu-verify-$CHVER"
mkdir -p "$S"
( cd "$top_srcdir" && git ls-files -co --exclude-standard -z ) | ( cd "$top_srcdir" && xargs -0 sh -c \
	'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh ) | \
	( cd "$top_srcdir" && tar --null -T - -cf - ) | tar -xf - -C "$S" || { fail "copying the tree"; finish; }
t0=$(date +%s)
( cd "$S" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b ) >"$TMP/build.log" 2>&1
RC=$?
t1=$(date +%s)
DEB="$TMP/iommu-verify_${CHVER}_$ARCH.deb"
if [ $RC -eq 0 ] && [ -f "$DEB" ]; then ok "dpkg-buildpackage -us -uc -b: exit 0 in $((t1 - t0)) s, $(basename "$DEB")"
else fail "dpkg-buildpackage: exit $RC"; tail -30 "$TMP/build.log" >&2; finish; fi

dpkg-deb -c "$DEB" > "$TMP/contents.long"
awk '{ print $1, $6 }' "$TMP/contents.long" | sed 's|^\(.\)[^ ]* |\1 |' > "$TMP/contents"
has() {  # TYPE PATH (type: - file, d dir, l link)
	grep -qxF -- "$1 $2" "$TMP/contents" && ok "deb holds $2" || fail "deb lacks $1 $2"
}
has - ./usr/sbin/iommu-verify
has - ./usr/share/man/man8/iommu-verify.8.gz
has - ./usr/share/bash-completion/completions/iommu-verify
has - ./lib/systemd/system/iommu-verify.service
has - ./lib/systemd/system/iommu-verify-boot.service
has - ./lib/systemd/system/iommu-verify.timer
has - ./usr/share/doc/iommu-verify/copyright
has - ./usr/share/doc/iommu-verify/README.md.gz
has - ./usr/share/iommu-verify/iommu-verify.schema.json
has - ./usr/share/doc/iommu-verify/contrib/prometheus/iommu-verify.rules.yml
has - ./usr/share/doc/iommu-verify/contrib/libvirt/qemu
grep -q ' ./usr/bin/' "$TMP/contents" && fail "deb installs into /usr/bin: $(grep ' ./usr/bin/' "$TMP/contents")"
grep -q '^-rwxr-xr-x root/root .* ./usr/sbin/iommu-verify$' "$TMP/contents.long" && ok "/usr/sbin/iommu-verify: 0755 root:root" \
	|| fail "/usr/sbin/iommu-verify mode/owner: $(grep sbin/iommu-verify "$TMP/contents.long")"

[ "$(dpkg-deb -f "$DEB" Package Version Architecture | tr '\n' ' ')" = "Package: iommu-verify Version: $CHVER Architecture: $ARCH " ] \
	&& ok "control: iommu-verify $CHVER $ARCH" || fail "control fields: $(dpkg-deb -f "$DEB" Package Version Architecture | tr '\n' ' ')"
dep=$(dpkg-deb -f "$DEB" Depends)
for l in libelf1 libjson-c5 libbpf1 libc6 libvirt0; do   # libvirt0: check --domain (--with-libvirt)
	case ", $dep" in *", $l "* | *", $l,"* | *", $l") ok "Depends: $l (shlibs)" ;; *) fail "Depends lacks $l: $dep" ;; esac
done

X="$TMP/x"; mkdir -p "$X" && dpkg-deb -x "$DEB" "$X" && dpkg-deb -e "$DEB" "$X/DEBIAN"
[ "$("$X/usr/sbin/iommu-verify" --version)" = "iommu-verify $VERSION" ] && ok "the packaged binary runs: iommu-verify $VERSION" \
	|| fail "packaged binary --version: $("$X/usr/sbin/iommu-verify" --version 2>&1)"
grep -qx 'ExecStart=/usr/sbin/iommu-verify check --all --prometheus /var/lib/prometheus/node-exporter/iommu-verify.prom -t 840' \
	"$X/lib/systemd/system/iommu-verify.service" && ok "packaged service runs /usr/sbin/iommu-verify" || fail "packaged ExecStart"
zcat "$X/usr/share/man/man8/iommu-verify.8.gz" | grep -q '^\.TH' && ok "man page is a man page" || fail "man page"
# dh_installsystemd: the timer enabled and started; the post-boot check neither
# (enabled again on upgrade only where the admin had enabled it).
grep -q "^		deb-systemd-helper enable 'iommu-verify.timer'" "$X/DEBIAN/postinst" \
	&& ok "postinst enables iommu-verify.timer" || fail "postinst does not enable the timer"
grep -q "deb-systemd-invoke \$_dh_action 'iommu-verify.timer'" "$X/DEBIAN/postinst" && ok "postinst starts iommu-verify.timer" \
	|| fail "postinst does not start the timer"
grep -q "deb-systemd-invoke .*iommu-verify-boot" "$X/DEBIAN/postinst" && fail "postinst starts iommu-verify-boot.service"
grep -q "if deb-systemd-helper debian-installed 'iommu-verify-boot.service'" "$X/DEBIAN/postinst" \
	&& ok "postinst enables iommu-verify-boot.service only where it was enabled" || fail "postinst: boot unit not guarded"
grep -q "iommu-verify-boot.service" "$X/DEBIAN/postrm" && ok "postrm cleans up iommu-verify-boot.service on purge" \
	|| fail "postrm lacks iommu-verify-boot.service"

CH="$TMP/iommu-verify_${CHVER}_$ARCH.changes"
t0=$(date +%s)
lintian --no-tag-display-limit --display-info "$CH" >"$TMP/lintian.out" 2>&1
t1=$(date +%s)
e=$(grep -c '^E: ' "$TMP/lintian.out"); w=$(grep -c '^W: ' "$TMP/lintian.out"); i=$(grep -c '^I: ' "$TMP/lintian.out")
if [ "$e" -eq 0 ]; then ok "lintian ($((t1 - t0)) s): $e errors, $w warnings, $i info"
else fail "lintian: $e errors"; grep '^E: ' "$TMP/lintian.out" >&2; fi
grep '^[WI]: ' "$TMP/lintian.out" | sed 's/^/  lintian: /'
finish
