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

# Each background job runs in a session, and so a process group, of its own whose id is
# the job's pid. However the script ends, TERM goes to those groups: to each job and
# everything below it (cargo, rustc, the test binary, the Terraform and emulators it runs),
# so nothing it started outlives it. (A test that puts a child in a group of its own stops
# that child itself.)
background() {
  setsid "$@" &
}
stop() {
  for job in "$@"; do
    kill -TERM -- "-$job" 2>/dev/null || true
  done
}
release=""
head_start=""
trap 'stop $head_start $release' EXIT

# Only a head start: whatever it does, the release tests build and check the release again.
CARGO="$cargo" DIST="$target/release-head-start" background bash scripts/release.sh build \
  >"$target/release-head-start.log" 2>&1
head_start=$!

"$cargo" test --locked --no-fail-fast --no-run

log="$target/release-tests.log"
background "$cargo" test --locked --no-fail-fast --test it -- "$release_tests" >"$log" 2>&1
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
