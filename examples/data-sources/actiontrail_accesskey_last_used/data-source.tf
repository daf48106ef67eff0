terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

provider "actiontrail" {}

data "actiontrail_accesskey_last_used" "deploy" {
  access_key_id = "LTAI5tRecentUse000000001"
}

output "deploy_key_last_used" {
  value = {
    used       = data.actiontrail_accesskey_last_used.deploy.used
    at         = data.actiontrail_accesskey_last_used.deploy.last_used_at
    days_ago   = data.actiontrail_accesskey_last_used.deploy.days_since_last_used
    service    = data.actiontrail_accesskey_last_used.deploy.last_used_service
    ip         = data.actiontrail_accesskey_last_used.deploy.last_used_ip
    region     = data.actiontrail_accesskey_last_used.deploy.last_used_region
    event_name = data.actiontrail_accesskey_last_used.deploy.event == null ? null : data.actiontrail_accesskey_last_used.deploy.event.event_name
  }
}

# The rotation gate: the plan fails here while the key has been used in the last 30 days.
data "actiontrail_accesskey_last_used" "retiring" {
  access_key_id       = "LTAI5tIdleKey0000000001"
  fail_if_used_within = "30d"
}
