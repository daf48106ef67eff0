terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# The key usage the policies beside this file judge: save the plan, then hand
# `terraform show -json` of it to conftest, OPA or `cargo run --example policy`.
provider "actiontrail" {}

variable "access_key_ids" {
  description = "The Active AccessKeys to vouch for."
  type        = set(string)
  default = [
    "LTAI5tRecentUse000000001",
    "LTAI5tIdleKey0000000001",
    "LTAI5tNeverUsed00000001",
  ]
}

# When and where each key was last used: idle_keys.rego and retiring_keys.rego.
data "actiontrail_accesskey_last_used" "keys" {
  for_each = var.access_key_ids

  access_key_id = each.value
}

# Which services each key used, so that every one of them has its IPs read.
data "actiontrail_accesskey_last_used_products" "keys" {
  for_each = var.access_key_ids

  access_key_id = each.value
}

locals {
  key_services = {
    for pair in flatten([
      for id, p in data.actiontrail_accesskey_last_used_products.keys : [
        for service in p.service_names : { access_key_id = id, service_name = service }
      ]
    ]) : "${pair.access_key_id}/${pair.service_name}" => pair
  }
}

# Every IP each key was used from, per service: allowed_ips.rego.
data "actiontrail_accesskey_last_used_ips" "keys" {
  for_each = local.key_services

  access_key_id = each.value.access_key_id
  service_name  = each.value.service_name
}
