#!/bin/bash
# Builds cri-client (the CRI v1 test client) with Debian's protoc, grpc_cpp_plugin, libgrpc++ and
# libprotobuf into OUT_DIR. Standalone (not part of the CMake build) so that hull itself never
# depends on gRPC. Skips the work when OUT_DIR/cri-client is newer than its sources.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: build.sh OUT_DIR}
mkdir -p "$OUT"
if [ -x "$OUT/cri-client" ] && [ "$OUT/cri-client" -nt "$HERE/cri_client.cc" ] &&
  [ "$OUT/cri-client" -nt "$HERE/cri_subset.proto" ]; then
  exit 0
fi
protoc -I "$HERE" --cpp_out="$OUT" --grpc_out="$OUT" \
  --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" "$HERE/cri_subset.proto"
# shellcheck disable=SC2046
g++ -std=c++17 -O1 -I "$OUT" -o "$OUT/cri-client.tmp" "$HERE/cri_client.cc" \
  "$OUT/cri_subset.pb.cc" "$OUT/cri_subset.grpc.pb.cc" $(pkg-config --cflags --libs grpc++ protobuf)
mv "$OUT/cri-client.tmp" "$OUT/cri-client"
