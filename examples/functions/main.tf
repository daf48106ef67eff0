terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# Provider functions (Terraform 1.8 and later) apply the provider's own rules in HCL. They
# are pure, so used_within takes "now" as an argument: plantimestamp().
provider "actiontrail" {}

locals {
  idle_window = "90d"
}

data "actiontrail_accesskey_last_used" "keys" {
  for_each      = toset(["LTAI5tRecentUse000000001", "LTAI5tIdleKey0000000001", "LTAI5tNeverUsed00000001"])
  access_key_id = each.value
}

output "used_in_window" {
  description = "Per key, whether it was used within the idle window."
  value = {
    for id, k in data.actiontrail_accesskey_last_used.keys :
    id => provider::actiontrail::used_within(k.last_used_at, local.idle_window, plantimestamp())
  }
}

output "idle_window_days" {
  value = provider::actiontrail::duration_seconds(local.idle_window) / 86400
}

output "last_event_names" {
  description = "The API action of each key's last use, read from its raw event."
  value = {
    for id, k in data.actiontrail_accesskey_last_used.keys :
    id => try(provider::actiontrail::parse_event(k.detail).event_name, null)
  }
}
