terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

provider "actiontrail" {}

# Every key of every RAM user of the account (RAM ListUsers, ListAccessKeys), each with
# its last use; kept when idle for 90 days or never used.
data "actiontrail_accesskeys" "idle" {
  unused_for = "90d"
}

output "idle_keys" {
  value = {
    for k in data.actiontrail_accesskeys.idle.keys :
    k.access_key_id => "${k.user_name}: ${k.used ? "last used ${k.last_used_at}" : "never used"}"
  }
}

# The active keys of two users, and the fleet gate: the plan fails, listing every one of
# them used in the last 7 days.
data "actiontrail_accesskeys" "ci" {
  user_names              = ["ci-deployer", "new-hire"]
  status                  = "Active"
  fail_if_any_used_within = "7d"
}
