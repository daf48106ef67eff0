#!/usr/bin/env bash
# `make test`: every test, the release tests in a process of their own beside the rest.
#
# The release tests (tests/it/release.rs) share one `make release`, whose static, fat-LTO
# build is minutes of compiling that ends on one core. In the same process as the others,
# every test thread that reached a release test waited for that build, so nothing else ran
# meanwhile; beside them, the other tests run while it builds. That build is the longest
# chain, so it starts first, beside the test build (Cargo locks each profile's directory on
# its own, so neither waits for the other), and the tests' own `make release` finds it done.
# The filter and the skip are the same string, so a test the first does not run, the second
# does: none is lost if the module is renamed.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo=${CARGO:-cargo}
release_tests='release::'

target=${CARGO_TARGET_DIR:-target}
mkdir -p "$target"

# Only a head start: whatever it does, the release tests build and check the release again.
CARGO="$cargo" DIST="$target/release-head-start" bash scripts/release.sh build \
  >"$target/release-head-start.log" 2>&1 &
head_start=$!
release=""
# However the script ends, what it started in the background, and those jobs' own children
# (the cargo each runs), are sent TERM; anything deeper is left to cargo to stop.
stop() {
  for job in "$@"; do
    pkill -TERM -P "$job" 2>/dev/null || true
    kill "$job" 2>/dev/null || true
  done
}
trap 'stop $head_start $release' EXIT

"$cargo" test --locked --no-fail-fast --no-run

log="$target/release-tests.log"
"$cargo" test --locked --no-fail-fast --test it -- "$release_tests" >"$log" 2>&1 &
release=$!

rest=0
"$cargo" test --locked --no-fail-fast -- --skip "$release_tests" || rest=$?
released=0
wait "$release" || released=$?
# The release tests' own `make release` waited for this build's lock, so little or nothing
# is left of it by now; its status says nothing the release tests did not.
wait "$head_start" || true

echo "test: the release tests, run beside the others (their output, from $log):"
cat "$log"
if [ "$rest" -ne 0 ] || [ "$released" -ne 0 ]; then
  echo "test: failed (the others: exit $rest; the release tests: exit $released)" >&2
  exit 1
fi
