#!/bin/bash
# Builds the two test images as docker-archive tarballs (what `docker save` writes), which both
# `ctr image import` and `podman load` accept, with no registry and no network:
#   OUT/hull-test.tar   localhost/hull-test:latest   busybox-static with applet symlinks
#   OUT/hull-pause.tar  localhost/hull-pause:latest  the static pause program (pause.c)
set -euo pipefail
OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
tmp=$(mktemp -d "$OUT/img.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# make_archive NAME REF ROOTFS CONFIG_JSON_CONTAINER_PART
make_archive() {
  local name=$1 ref=$2 rootfs=$3 cfg_part=$4
  local d="$tmp/$name"
  mkdir -p "$d/layer"
  # Deterministic, root-owned layer.
  tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -C "$rootfs" -cf "$d/layer/layer.tar" .
  local diff
  diff=$(sha256sum "$d/layer/layer.tar" | cut -d' ' -f1)
  mv "$d/layer" "$d/$diff"
  cat >"$d/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":$cfg_part,
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"tests/clients/make-images.sh"}]}
JSON
  local cfg
  cfg=$(sha256sum "$d/config.json" | cut -d' ' -f1)
  mv "$d/config.json" "$d/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' "$cfg" "$ref" "$diff" \
    >"$d/manifest.json"
  tar --numeric-owner --owner=0 --group=0 -C "$d" -cf "$OUT/$name.tar" manifest.json "$cfg.json" "$diff"
}

# busybox-static test image.
r="$tmp/rootfs-test"
mkdir -p "$r"/{bin,sbin,etc,tmp,proc,sys,dev,root,var,run,usr/bin,usr/sbin,data}
chmod 1777 "$r/tmp"
cp /bin/busybox "$r/bin/busybox"
for a in $(/bin/busybox --list); do
  [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
echo "hull-test-image" >"$r/etc/hull-test-marker"
make_archive hull-test localhost/hull-test:latest "$r" \
  '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"}'

# pause image.
p="$tmp/rootfs-pause"
mkdir -p "$p"
gcc -static -Os -o "$p/pause" "$HERE/pause.c"
strip "$p/pause"
make_archive hull-pause localhost/hull-pause:latest "$p" \
  '{"Env":["PATH=/"],"Entrypoint":["/pause"],"WorkingDir":"/"}'
echo "images in $OUT"
