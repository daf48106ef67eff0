#!/usr/bin/env bash
# Checks that the release is reproducible: builds and packages this platform twice, in two
# fresh target directories (so that nothing is reused), and compares the zips byte for byte.
# Slow: two full release builds (fat LTO). Prints the two sha256 sums; exits 1 if they differ.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${SCRATCH:-$(mktemp -d)}
for run in a b; do
  echo "release-reproducible: build $run" >&2
  CARGO_TARGET_DIR="$scratch/target-$run" DIST="$scratch/dist-$run" \
    bash "$root/scripts/release.sh" build
done
a=$(cd "$scratch/dist-a" && sha256sum -- *.zip)
b=$(cd "$scratch/dist-b" && sha256sum -- *.zip)
echo "$a"
echo "$b"
if [ "$a" != "$b" ]; then
  echo "release-reproducible: the two builds differ" >&2
  exit 1
fi
echo "release-reproducible: identical" >&2
rm -rf "$scratch"
