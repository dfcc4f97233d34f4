#!/usr/bin/env bash
# Build a local release mirror in the upstream layout from Debian's real binaries:
#   <mirror>/prometheus/v<ver>/prometheus-<ver>.linux-amd64.tar.gz + sha256sums.txt
#   <mirror>/alertmanager/v<ver>/alertmanager-<ver>.linux-amd64.tar.gz + sha256sums.txt
# so that scenarios install "from a release mirror" by URL, exactly as users do.
# Debian's alertmanager reads its built-in templates from
# /usr/share/prometheus/alertmanager/ and exits without them; they are kept beside the
# archive in alertmanager/v<ver>/debian-templates/ for test hosts to install.
# Usage: build-mirror.sh   (needs the test-host images; idempotent)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_root

recipe=$(sha256sum "$RIG_DIR/build-mirror.sh" | cut -c1-16)
if [ -f "$ALERTMESH_MIRROR_DIR/.recipe" ] && [ "$(cat "$ALERTMESH_MIRROR_DIR/.recipe")" = "$recipe" ]; then
  log "release mirror is up to date in $ALERTMESH_MIRROR_DIR"
  exit 0
fi

work=$(mktemp -d "$ALERTMESH_CACHE_DIR/mirror-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
staged="$work/mirror"
mkdir -p "$staged"

upstream_version() {
  local debian_version
  debian_version=$(dpkg-deb -f "$1" Version)
  debian_version=${debian_version#*:}
  echo "${debian_version%%[+~-]*}"
}

# A reproducible tarball: same binaries, same bytes, same checksum.
pack() {
  local parent=$1 dir=$2 dest=$3
  mkdir -p "$(dirname "$dest")"
  tar -C "$parent" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - "$dir" \
    | gzip -n >"$dest"
  (cd "$(dirname "$dest")" && sha256sum "$(basename "$dest")" >sha256sums.txt)
}

complete=true
for release in "${!DEBIAN_SUITES[@]}"; do
  if ! podman image exists "$IMAGE_REPO:$release"; then
    log "warning: no image $IMAGE_REPO:$release, so no $release binaries in the mirror"
    complete=false
    continue
  fi
  debs="$work/debs-$release"
  mkdir -p "$debs"
  log "downloading Debian's Prometheus and Alertmanager packages for $release"
  podman run --rm --volume "$debs:/out" --workdir /out "$IMAGE_REPO:$release" \
    bash -c 'apt-get update -qq && apt-get download -qq prometheus prometheus-alertmanager \
      $(apt-cache show promtool >/dev/null 2>&1 && echo promtool)' \
    >"$work/download-$release.log" 2>&1 \
    || die "download for $release failed: $(tail -n 5 "$work/download-$release.log")"

  prometheus_deb=$(ls "$debs"/prometheus_*.deb)
  alertmanager_deb=$(ls "$debs"/prometheus-alertmanager_*.deb)
  # Debian 13 ships promtool in a package of its own.
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$debs/root"; done
  root="$debs/root"

  version=$(upstream_version "$prometheus_deb")
  name="prometheus-$version.linux-amd64"
  mkdir -p "$work/$name"
  cp "$root/usr/bin/prometheus" "$root/usr/bin/promtool" "$work/$name/"
  # Prometheus 3 no longer ships the example consoles.
  for dir in consoles console_libraries; do
    if [ -d "$root/usr/share/doc/prometheus/examples/$dir" ]; then
      cp -r "$root/usr/share/doc/prometheus/examples/$dir" "$work/$name/"
    fi
  done
  cp "$root/etc/prometheus/prometheus.yml" "$work/$name/prometheus.yml"
  cp "$root/usr/share/doc/prometheus/copyright" "$work/$name/LICENSE"
  cp "$root/usr/share/doc/prometheus/NOTICE" "$work/$name/NOTICE"
  pack "$work" "$name" "$staged/prometheus/v$version/$name.tar.gz"
  log "mirrored Prometheus $version ($release)"

  version=$(upstream_version "$alertmanager_deb")
  name="alertmanager-$version.linux-amd64"
  mkdir -p "$work/$name"
  cp "$root/usr/bin/prometheus-alertmanager" "$work/$name/alertmanager"
  cp "$root/usr/bin/amtool" "$work/$name/amtool"
  cp "$root/etc/prometheus/alertmanager.yml" "$work/$name/alertmanager.yml"
  cp "$root/usr/share/doc/prometheus-alertmanager/copyright" "$work/$name/LICENSE"
  cp "$root/usr/share/doc/prometheus-alertmanager/NOTICE" "$work/$name/NOTICE"
  pack "$work" "$name" "$staged/alertmanager/v$version/$name.tar.gz"
  mkdir -p "$staged/alertmanager/v$version/debian-templates"
  cp "$root"/usr/share/prometheus/alertmanager/{default,email}.tmpl \
    "$staged/alertmanager/v$version/debian-templates/"
  log "mirrored Alertmanager $version ($release)"
done

# An incomplete mirror is installed but not stamped, so the next run completes it.
[ "$complete" = true ] && echo "$recipe" >"$staged/.recipe"
rm -rf "$ALERTMESH_MIRROR_DIR"
mkdir -p "$(dirname "$ALERTMESH_MIRROR_DIR")"
mv "$staged" "$ALERTMESH_MIRROR_DIR"
log "release mirror ready in $ALERTMESH_MIRROR_DIR"
