# An organisation audit: every AccessKey of every member account of the Resource
# Directory, each with its account and its last use, in one read; then the rotation gate
# across accounts on the keys about to be retired.
#
# The provider signs as a RAM user or role of the management account, allowed
# resourcemanager:ListAccounts and sts:AssumeRole on each member's role.

terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

provider "actiontrail" {
  region = "cn-hangzhou"
}

# The keys nobody used in 90 days, never-used keys included, in every member account and
# in the management account itself.
data "actiontrail_organization_accesskeys" "idle" {
  include_management_account = true
  unused_for                 = "90d"
}

output "idle_by_account" {
  value = {
    for k in data.actiontrail_organization_accesskeys.idle.keys :
    "${k.account_id} (${coalesce(k.account_name, "no name")})" => k.access_key_id...
  }
}

output "never_used" {
  value = [for k in data.actiontrail_organization_accesskeys.idle.keys : k.access_key_id if !k.used]
}

output "accounts_read" {
  value = data.actiontrail_organization_accesskeys.idle.account_count
}

# The keys to retire, wherever they are in the organisation (these two exist in the
# emulator's `actiontrail-sim --organization 3:4`). The plan fails, listing every one of
# them used in the last 30 days with its account, user, service, IP and time; a key not
# found in any account read fails it too. An account that cannot be read fails the plan,
# naming it; leaving one out is explicit.
variable "retiring" {
  type    = list(string)
  default = ["LTAI5tO0002U000001K000", "LTAI5tO0003U000004K000"]
}

variable "unreadable_accounts" {
  type    = list(string)
  default = []
}

data "actiontrail_organization_accesskeys" "retiring" {
  access_key_ids          = var.retiring
  exclude_account_ids     = length(var.unreadable_accounts) > 0 ? var.unreadable_accounts : null
  fail_if_any_used_within = "30d"
}

output "retiring_keys" {
  value = {
    for k in data.actiontrail_organization_accesskeys.retiring.keys :
    k.access_key_id => "${k.account_id}/${k.user_name}: ${k.used ? "last used ${k.last_used_at}" : "never used"}"
  }
}
