#!/usr/bin/env bash
# Installs everything hull needs to build and test on Debian 12 (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS=(
  build-essential cmake pkg-config git clang clang-format libclang-rt-14-dev
  libseccomp-dev libcap-dev libyajl-dev libabsl-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev libssl-dev libarchive-dev
  busybox-static iproute2 procps util-linux psmisc openssl
)
if [ "${HULL_DEPS_CLIENTS:-1}" = 1 ]; then
  # Real clients, registry and the cgroup v2 VM (its kernel is fetched with apt-get download;
  # apparmor gives the guest apparmor_parser for the AppArmor tests, harmless on hosts without it).
  PKGS+=(runc crun containerd podman conmon containernetworking-plugins docker-registry skopeo
         apache2-utils zstd qemu-system-x86 qemu-utils cpio kmod xz-utils apparmor
         libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
         hyperfine time strace umoci jq)
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
