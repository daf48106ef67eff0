terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

provider "actiontrail" {}

# Every key of every member account of the Resource Directory (ListAccounts, then in each
# member AssumeRole, ListUsers and ListAccessKeys), each with its account and last use;
# kept when idle for 90 days or never used.
data "actiontrail_organization_accesskeys" "idle" {
  unused_for = "90d"
}

output "idle_keys" {
  value = {
    for k in data.actiontrail_organization_accesskeys.idle.keys :
    k.access_key_id => "${k.account_id}/${k.user_name}: ${k.used ? "last used ${k.last_used_at}" : "never used"}"
  }
}

# Two members only, through a read-only role of your own, with the gate across them.
data "actiontrail_organization_accesskeys" "prod" {
  account_ids             = ["1111111111111111", "2222222222222222"]
  role_name               = "ActionTrailAuditReadOnly"
  status                  = "Active"
  fail_if_any_used_within = "7d"
}
