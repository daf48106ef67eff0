#!/usr/bin/env bash
# Installs the workflow linters (actionlint, zizmor) pinned in scripts/lint-requirements.txt
# into a virtualenv of their own, tools/lint-venv, apart from the SDK's and Terraform's.
# Running it again does nothing while the requirements are unchanged.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/tools/lint-venv"
requirements="$root/scripts/lint-requirements.txt"
python=${PYTHON:-python3}
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -x "$venv/bin/actionlint" ] && [ -x "$venv/bin/zizmor" ] &&
  [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "lint-tools: actionlint and zizmor from PyPI into $venv" >&2
rm -rf "$venv"
mkdir -p "$root/tools"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --only-binary=:all: --no-deps --require-hashes -r "$requirements" >&2
echo "$want" >"$venv/.requirements.sha256"
