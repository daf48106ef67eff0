terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# Audit a set of keys at once: which are unused, and which have been idle for 90 days.
provider "actiontrail" {}

variable "access_key_ids" {
  description = "The AccessKeys to audit."
  type        = set(string)
  default = [
    "LTAI5tRecentUse000000001",
    "LTAI5tIdleKey0000000001",
    "LTAI5tNeverUsed00000001",
  ]
}

data "actiontrail_accesskey_last_used" "keys" {
  for_each = var.access_key_ids

  access_key_id = each.value
}

output "never_used" {
  value = [for id, k in data.actiontrail_accesskey_last_used.keys : id if !k.used]
}

output "idle_90_days" {
  value = [for id, k in data.actiontrail_accesskey_last_used.keys : id if coalesce(k.days_since_last_used, -1) >= 90]
}

output "last_used_at" {
  value = { for id, k in data.actiontrail_accesskey_last_used.keys : id => k.last_used_at }
}
