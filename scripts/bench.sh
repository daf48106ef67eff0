#!/usr/bin/env bash
# `make bench`: the plan-level scenarios against hashicorp/null and the floor (writes
# BENCHMARKS.md), then the signing, codec and client microbenchmarks (scenario 8), whose figures
# are appended to BENCHMARKS.md. Everything in BENCHMARKS.md is measured by this run; what
# earlier optimisations bought, measured when they were made, is in
# docs/performance-history.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-tools.sh
cargo bench --locked --bench plan
micro=$(mktemp)
trap 'rm -f "$micro"' EXIT
for bench in signing codec client; do
  cargo bench --locked --bench "$bench" -- --warm-up-time 1 --measurement-time 3 | tee -a "$micro"
done
{
  echo
  echo "## Scenario 8: microbenchmarks"
  echo
  echo 'Reproduce with `cargo bench --bench signing`, `cargo bench --bench codec` and'
  echo '`cargo bench --bench client`'
  echo '(criterion: lower bound, estimate, upper bound of the time per iteration).'
  echo
  echo '```'
  # criterion prints the name, then `time: [...]` on the same line or the next. A
  # comparison with an earlier run on this machine follows as `change: [...]` on one line,
  # or, for a benchmark with a throughput, as a bare `change:` line and then `time:` and
  # `thrpt:` lines of percentages. Those are left out by what they hold (percentages),
  # not by position, so the benchmark after a one-line `change:` is kept.
  awk '/^Benchmarking / || /change:/ || /%/ { next }
       /time:/ { if ($1 == "time:") print prev; print; next }
       { prev = $0 }' "$micro"
  echo '```'
  echo
  echo "## The emulator under 100,000 hostile requests"
  echo
  echo 'Reproduce with `cargo bench --bench sim_rss` (unique Actions, unique 1 KiB nonces,'
  echo 'stored short nonces, metadata credential fetches; RSS from /proc, 1 s after the flood).'
  echo
  echo '```'
  cargo bench --locked --bench sim_rss | grep '^RSS before'
  echo '```'
} >>BENCHMARKS.md

# The static against dynamic binary cost, when this tree has its script: the section it
# prints was measured in its own run.
if [ -x scripts/bench-static.sh ]; then
  scripts/bench-static.sh >>BENCHMARKS.md
else
  echo "bench: no scripts/bench-static.sh in this tree; BENCHMARKS.md has no static-binary section" >&2
fi
