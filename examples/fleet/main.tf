# A fleet audit: every AccessKey of every RAM user in the account, each joined with its
# last use, in one read; then the rotation gate on the set of keys about to be retired.

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

# The keys nobody used in 90 days, never-used keys included (RAM ListUsers and
# ListAccessKeys find them; ActionTrail says when each was last used).
data "actiontrail_accesskeys" "idle" {
  unused_for = "90d"
}

output "idle_90_days_or_never_used" {
  value = data.actiontrail_accesskeys.idle.matching_access_key_ids
}

output "never_used" {
  value = [for k in data.actiontrail_accesskeys.idle.keys : k.access_key_id if !k.used]
}

output "idle_by_user" {
  value = { for k in data.actiontrail_accesskeys.idle.keys : k.user_name => k.access_key_id... }
}

# The keys to retire. The plan fails, listing every one of them used in the last 30 days
# (with its user, service, IP and time), so a set is retired only when all of it is idle.
variable "retiring" {
  type    = list(string)
  default = ["LTAI5tIdleKey0000000001", "LTAI5tIdleKey0000000002", "LTAI5tNeverUsed00000001"]
}

data "actiontrail_accesskeys" "retiring" {
  access_key_ids          = var.retiring
  fail_if_any_used_within = "30d"
}

output "retiring_keys_last_used" {
  value = { for k in data.actiontrail_accesskeys.retiring.keys : k.access_key_id => k.last_used_at }
}
