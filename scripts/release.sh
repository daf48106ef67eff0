#!/usr/bin/env bash
# Writes a release into dist/ in the file set the Terraform Registry and the provider
# registry protocol expect (VERSION from Cargo.toml):
#
#   terraform-provider-actiontrail_VERSION_OS_ARCH.zip    holds terraform-provider-actiontrail_vVERSION(.exe)
#   terraform-provider-actiontrail_VERSION_manifest.json  terraform-registry-manifest.json
#   terraform-provider-actiontrail_VERSION_SHA256SUMS     sha256sum lines over the zips and the manifest
#   terraform-provider-actiontrail_VERSION_SHA256SUMS.sig a binary detached signature of SHA256SUMS
#
# Usage:
#   scripts/release.sh          build and package this machine's platform, then sign
#   scripts/release.sh build    build and package this machine's platform only (a CI runner)
#   scripts/release.sh sign     manifest, SHA256SUMS and signature over every zip in dist/
#
# Signing uses the key GPG_FINGERPRINT names, from the default keyring or GNUPGHOME's, as
# HashiCorp's provider scaffolding does (GPG_PASSPHRASE unlocks it, if set). It must be RSA
# (or DSA): the registry refuses ECC.
#
# The same commit packaged twice gives the same bytes: the build remaps the checkout and
# Cargo's home out of the binary, every time stamp comes from SOURCE_DATE_EPOCH (the
# commit's time unless set), zip entries have a fixed order, mode and date, and the
# signature is made at a fixed time too (the later of SOURCE_DATE_EPOCH and the signing
# key's creation, since a signature may not predate its key).
#
# Linux builds are static (`+crt-static`: a static-pie that needs no libc, no loader and no
# NSS module; the `hickory-dns` feature resolves names in Rust), so the binary runs on
# musl-based images and on old distributions alike.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=${PYTHON:-python3}
cargo=${CARGO:-cargo}
dist=${DIST:-$root/dist}
name=terraform-provider-actiontrail

die() { echo "release: $*" >&2; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
[ -n "$version" ] || die "no version in Cargo.toml"
# The time every stamp in the release carries: SOURCE_DATE_EPOCH if set, else the commit's.
# The commit's is given to the packaging steps only, not to cargo: aws-lc-sys reruns its C
# build whenever SOURCE_DATE_EPOCH changes, and nothing rustc writes depends on it.
epoch=${SOURCE_DATE_EPOCH:-}
if [ -z "$epoch" ]; then
  epoch=$(git -C "$root" log -1 --format=%ct 2>/dev/null) ||
    die "SOURCE_DATE_EPOCH is not set and $root is not a git checkout to take it from"
fi

# The host's Rust target and the Registry's OS_ARCH for it.
host_target() { rustc -vV | sed -n 's/^host: //p'; }
os_arch() {
  case "$1" in
    x86_64-unknown-linux-gnu) echo linux_amd64 ;;
    aarch64-unknown-linux-gnu) echo linux_arm64 ;;
    x86_64-apple-darwin) echo darwin_amd64 ;;
    aarch64-apple-darwin) echo darwin_arm64 ;;
    x86_64-pc-windows-msvc) echo windows_amd64 ;;
    aarch64-pc-windows-msvc) echo windows_arm64 ;;
    *) die "no Registry platform for the Rust target $1" ;;
  esac
}

build() {
  local target platform exe flags binary
  target=${RELEASE_TARGET:-$(host_target)}
  platform=$(os_arch "$target")
  exe=""
  case "$target" in *-windows-*) exe=".exe" ;; esac
  # Paths that would otherwise end up in panic locations and debug sections: the checkout,
  # Cargo's home, and the target directory (generated code is included from OUT_DIR); the
  # last match wins, so the target directory comes after the checkout that may hold it.
  local cargo_home=${CARGO_HOME:-$HOME/.cargo}
  local target_dir=${CARGO_TARGET_DIR:-$root/target}
  flags=(--remap-path-prefix="$root=/build/$name" --remap-path-prefix="$cargo_home=/cargo"
    --remap-path-prefix="$target_dir=/build/target")
  local features=()
  case "$target" in
    # A static-pie (build.rs leaves out its -no-pie when crt-static is on), resolving names
    # in Rust: glibc's getaddrinfo would still load NSS modules from disk.
    *-linux-gnu)
      flags+=(-C target-feature=+crt-static)
      features=(--features hickory-dns)
      ;;
    # The C runtime linked in, so no Visual C++ redistributable is needed. Names resolve
    # through the system, as on macOS, where VPNs and split DNS live outside resolv.conf.
    *-windows-msvc) flags+=(-C target-feature=+crt-static) ;;
  esac
  # `--target` keeps RUSTFLAGS off build scripts and proc-macros (crt-static cannot build
  # a proc-macro) and puts the artifacts beside, not over, target/release.
  local IFS=$'\x1f'
  CARGO_ENCODED_RUSTFLAGS="${flags[*]}" "$cargo" build --locked --release \
    --no-default-features ${features[@]+"${features[@]}"} \
    --target "$target" --bin "$name" >&2
  unset IFS
  binary="${CARGO_TARGET_DIR:-$root/target}/$target/release/$name$exe"
  [ -f "$binary" ] || die "cargo built no $binary"
  mkdir -p "$dist"
  "$python" - "$binary" "$dist/${name}_${version}_${platform}.zip" "${name}_v${version}${exe}" "$epoch" <<'PY'
import os, sys, time, zipfile
binary, archive, member, epoch = sys.argv[1:5]
# Zip dates are local 2-second DOS times from 1980 on; UTC, so the bytes do not depend on
# the machine's time zone.
t = time.gmtime(max(int(epoch), 315532800))
info = zipfile.ZipInfo(member, date_time=t[:6])
info.create_system = 3  # Unix, so that the mode below is honoured by unzip and Terraform
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with open(binary, "rb") as f:
    data = f.read()
tmp = archive + ".tmp"
with zipfile.ZipFile(tmp, "w") as z:
    z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
os.replace(tmp, archive)
PY
  echo "release: $dist/${name}_${version}_${platform}.zip" >&2
}

sign() {
  [ -n "${GPG_FINGERPRINT:-}" ] ||
    die "GPG_FINGERPRINT is not set: name the RSA key that signs SHA256SUMS (gpg --list-secret-keys)"
  local zips=("$dist/${name}_${version}_"*.zip)
  [ -e "${zips[0]}" ] || die "no ${name}_${version}_OS_ARCH.zip in $dist: run '$0 build' first"
  cp terraform-registry-manifest.json "$dist/${name}_${version}_manifest.json"
  local sums="$dist/${name}_${version}_SHA256SUMS"
  "$python" - "$dist" "$version" "$sums" <<'PY'
import hashlib, os, sys
dist, version, sums = sys.argv[1:4]
prefix = f"terraform-provider-actiontrail_{version}_"
files = sorted(f for f in os.listdir(dist)
               if f.startswith(prefix) and (f.endswith(".zip") or f.endswith("_manifest.json")))
with open(sums, "w", newline="\n") as out:
    for f in files:
        with open(os.path.join(dist, f), "rb") as b:
            out.write(f"{hashlib.sha256(b.read()).hexdigest()}  {f}\n")
PY
  # The key, as gpg --with-colons lists it: field 4 is the algorithm (1 RSA, 17 DSA), field
  # 6 the creation time, field 12 the capabilities.
  local keys
  keys=$(gpg --batch --with-colons --list-secret-keys "$GPG_FINGERPRINT" 2>/dev/null) ||
    die "no secret key $GPG_FINGERPRINT in ${GNUPGHOME:-the default keyring}"
  local algos created
  algos=$(awk -F: '($1=="sec"||$1=="ssb") && $12 ~ /s/ {print $4}' <<<"$keys" | sort -u)
  [ -n "$algos" ] || die "the key $GPG_FINGERPRINT cannot sign"
  for a in $algos; do
    case "$a" in
      1 | 17) ;;
      *) die "the key $GPG_FINGERPRINT has a signing key of algorithm $a; the Terraform Registry accepts RSA or DSA keys only" ;;
    esac
  done
  created=$(awk -F: '$1=="sec"||$1=="ssb" {print $6}' <<<"$keys" | sort -n | tail -1)
  local at=$epoch
  [ "$created" -gt "$at" ] && at=$created
  rm -f "$sums.sig"
  local pass=()
  # A passphrase from the environment (CI) goes in on stdin, never on the command line.
  [ -n "${GPG_PASSPHRASE:-}" ] && pass=(--pinentry-mode loopback --passphrase-fd 0)
  printf '%s' "${GPG_PASSPHRASE:-}" |
    gpg --batch --yes --no-armor --local-user "$GPG_FINGERPRINT" ${pass[@]+"${pass[@]}"} \
      --faked-system-time "${at}!" --digest-algo SHA512 \
      --detach-sign --output "$sums.sig" "$sums"
  echo "release: $sums and $sums.sig (key $GPG_FINGERPRINT)" >&2
}

case "${1:-all}" in
  build) build ;;
  sign) sign ;;
  all)
    [ -n "${GPG_FINGERPRINT:-}" ] ||
      die "GPG_FINGERPRINT is not set: name the RSA key that signs SHA256SUMS (or run '$0 build' to package without signing)"
    rm -rf "$dist"
    build
    sign
    ;;
  *) die "unknown step '$1' (build, sign, or nothing for both)" ;;
esac
