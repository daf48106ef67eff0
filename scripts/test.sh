#!/usr/bin/env bash
# `make test`: every test, the release tests in a process of their own beside the rest.
#
# The release tests (tests/it/release.rs) share one `make release`, whose static, fat-LTO
# build is minutes of compiling that ends on one core. In the same process as the others,
# every test thread that reached a release test waited for that build, so nothing else ran
# meanwhile; beside them, the other tests run while it builds. The filter and the skip are
# the same string, so a test the first does not run, the second does: none is lost if the
# module is renamed.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo=${CARGO:-cargo}
release_tests='release::'

"$cargo" test --locked --no-fail-fast --no-run

log="${CARGO_TARGET_DIR:-target}/release-tests.log"
"$cargo" test --locked --no-fail-fast --test it -- "$release_tests" >"$log" 2>&1 &
release=$!
trap 'kill "$release" 2>/dev/null || true' INT TERM

rest=0
"$cargo" test --locked --no-fail-fast -- --skip "$release_tests" || rest=$?
released=0
wait "$release" || released=$?

echo "test: the release tests, run beside the others (their output, from $log):"
cat "$log"
if [ "$rest" -ne 0 ] || [ "$released" -ne 0 ]; then
  echo "test: failed (the others: exit $rest; the release tests: exit $released)" >&2
  exit 1
fi
