#!/usr/bin/env bash
# `make bench`: the plan-level scenarios against hashicorp/null and the floor (writes
# BENCHMARKS.md), then the signing and codec microbenchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-tools.sh
cargo bench --locked --bench plan
cargo bench --locked --bench signing -- --warm-up-time 1 --measurement-time 3
cargo bench --locked --bench codec -- --warm-up-time 1 --measurement-time 3
