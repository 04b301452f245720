#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, builds docs/examples/cpp against it with
# find_package(mixq), and runs it from outside the source tree.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/docs/examples/cpp" -B "$work/example" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/example" >/dev/null
cd "$work"
# MIXQ_CONFIG_DIR unset: the presets must come from the build's configured locations or
# the prefix; point the program at the installed copy explicitly to test that copy.
MIXQ_CONFIG_DIR="$work/prefix/share/mixq/configs" "$work/example/price_mobilenet" | tee "$work/out.txt"
grep -q "w2a2:" "$work/out.txt"
test -x "$work/prefix/bin/mixq"
"$work/prefix/bin/mixq" workload show jet_mlp --json >/dev/null
