#!/usr/bin/env bash
# What the static Linux release binary costs against the dynamic build of the same commit:
# file size, time from spawn to the handshake line (mTLS on), and the wall time of a
# one-data-source `terraform plan` (Terraform 1.0.3, against the emulator, plugin
# installed from a filesystem mirror). Prints a markdown section on stdout, measured in
# this run; progress goes to stderr.
#
#   dynamic: cargo build --release (what `make install` ships; -no-pie, glibc)
#   static:  scripts/release.sh build (+crt-static static-pie, hickory-dns resolver)
#
# RUNS (default 15) plans and 10 x RUNS handshakes per build; medians are reported.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${RUNS:-15}
python=${PYTHON:-python3}
tf="$root/tools/terraform-1.0.3/terraform"
[ -x "$tf" ] || { echo "bench-static: $tf is missing: run scripts/fetch-tools.sh" >&2; exit 1; }

cargo build --locked --release >&2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
DIST="$scratch/dist" bash scripts/release.sh build >&2
static="$root/target/$(rustc -vV | sed -n 's/^host: //p')/release/terraform-provider-actiontrail"
dynamic="$root/target/release/terraform-provider-actiontrail"

"$python" - "$dynamic" "$static" "$tf" "$root/target/release/actiontrail-sim" "$scratch" "$runs" <<'PY'
import os, shutil, statistics, subprocess, sys, time

dynamic, static, tf, sim_bin, scratch, runs = sys.argv[1:7]
runs = int(runs)
cookie = ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
client_cert = None

def make_client_cert():
    # Terraform passes its client certificate; any PEM certificate makes the plugin set up
    # AutoMTLS (it does not connect here, so whose it is does not matter).
    key = os.path.join(scratch, "client.key")
    crt = os.path.join(scratch, "client.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521",
                    "-nodes", "-keyout", key, "-out", crt, "-days", "1", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    return open(crt).read()

def handshake_ms(binary, n):
    env = {"PLUGIN_PROTOCOL_VERSIONS": "5,6", "PLUGIN_CLIENT_CERT": client_cert, "TF_LOG": "OFF",
           cookie[0]: cookie[1], "PATH": os.environ.get("PATH", "")}
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        p = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        line = p.stdout.readline()
        times.append((time.perf_counter() - t0) * 1000)
        p.kill(); p.wait()
        assert line.count(b"|") == 5, line
    return statistics.median(times)

def plan_ms(binary, sim_url, n):
    ws = os.path.join(scratch, "ws-" + os.path.basename(os.path.dirname(os.path.dirname(binary))))
    plat = os.path.join(ws, "mirror/registry.terraform.io/actiontrail/actiontrail/0.1.0/linux_amd64")
    os.makedirs(plat)
    shutil.copy(binary, os.path.join(plat, "terraform-provider-actiontrail_v0.1.0"))
    work = os.path.join(ws, "work"); os.makedirs(work)
    with open(os.path.join(ws, "tfrc"), "w") as f:
        f.write('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' % os.path.join(ws, "mirror"))
    with open(os.path.join(work, "main.tf"), "w") as f:
        f.write('terraform {\n  required_providers {\n    actiontrail = {\n      source = "actiontrail/actiontrail"\n'
                '      version = "0.1.0"\n    }\n  }\n}\n\nprovider "actiontrail" {}\n\n'
                'data "actiontrail_accesskey_last_used" "k" {\n  access_key_id = "LTAI5tRecentUse000000001"\n}\n')
    env = {"TF_CLI_CONFIG_FILE": os.path.join(ws, "tfrc"), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
           "HOME": ws, "PATH": os.environ.get("PATH", ""), "ACTIONTRAIL_ENDPOINT": sim_url,
           "ACTIONTRAIL_RAM_ENDPOINT": sim_url, "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tDemoCaller0000001",
           "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "demo-secret-do-not-use-in-production"}
    subprocess.run([tf, "init", "-input=false", "-no-color"], cwd=work, env=env, check=True, capture_output=True)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run([tf, "plan", "-input=false", "-no-color", "-refresh=true"], cwd=work, env=env,
                       check=True, capture_output=True)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)

client_cert = make_client_cert()
sim = subprocess.Popen([sim_bin, "--port", "0"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
first = sim.stdout.readline().decode()
sim_url = next(w for w in first.split() if w.startswith("http://"))
try:
    rows = []
    for name, binary in (("dynamic (glibc, -no-pie)", dynamic), ("static (static-pie, hickory-dns)", static)):
        print(f"bench-static: {name}", file=sys.stderr)
        rows.append((name, os.path.getsize(binary), handshake_ms(binary, 10 * runs), plan_ms(binary, sim_url, runs)))
finally:
    sim.kill(); sim.wait()

(dn, ds, dh, dp), (sn, ss, sh, sp) = rows
print("## The static Linux release binary\n")
print("`scripts/bench-static.sh` (RUNS=%d): the provider as `cargo build --release` builds it against the "
      "static release binary of `scripts/release.sh build`, same commit. Handshake: spawn to handshake line "
      "with mTLS on, median of %d. Plan: one `actiontrail_accesskey_last_used` read, Terraform 1.0.3 against "
      "the emulator, wall time, median of %d.\n" % (runs, 10 * runs, runs))
print("| build | size | handshake | plan |")
print("| --- | ---: | ---: | ---: |")
for name, size, hs, plan in rows:
    print(f"| {name} | {size:,} B | {hs:.2f} ms | {plan:.0f} ms |")
print(f"| static / dynamic | {ss / ds:.2f} x | {sh / dh:.2f} x | {sp / dp:.2f} x |")
PY
