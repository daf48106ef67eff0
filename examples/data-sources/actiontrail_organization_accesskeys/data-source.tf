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

# The keys a rotation retires, wherever they are in two members, read through a
# read-only role of your own: the plan fails listing each one used in the last 7 days
# with its account.
data "actiontrail_organization_accesskeys" "retiring" {
  account_ids             = ["1111111111111111", "2222222222222222"]
  role_name               = "ActionTrailAuditReadOnly"
  access_key_ids          = ["LTAI5tO0002U000001K000", "LTAI5tO0003U000004K000"]
  fail_if_any_used_within = "7d"
}
