#!/usr/bin/env bash
# `make bench`: the plan-level scenarios against hashicorp/null and the floor (writes
# BENCHMARKS.md), then the signing and codec microbenchmarks (scenario 8), whose figures
# are appended to BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-tools.sh
cargo bench --locked --bench plan
micro=$(mktemp)
trap 'rm -f "$micro"' EXIT
for bench in signing codec; do
  cargo bench --locked --bench "$bench" -- --warm-up-time 1 --measurement-time 3 | tee -a "$micro"
done
{
  echo
  echo "## Scenario 8: microbenchmarks"
  echo
  echo 'Reproduce with `cargo bench --bench signing` and `cargo bench --bench codec`'
  echo '(criterion: lower bound, estimate, upper bound of the time per iteration).'
  echo
  echo '```'
  # criterion prints the name, then `time: [...]` on the same line or the next; a
  # `change:` block against an earlier run on this machine is left out.
  awk '/change:/ { skip = 1; next }
       /time:/ { if (skip) { skip = 0; next } if ($1 == "time:") print prev; print; next }
       { prev = $0 }' "$micro"
  echo '```'
} >>BENCHMARKS.md
