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

output "deploy_key_used_in_30_days" {
  value = provider::actiontrail::used_within(data.actiontrail_accesskey_last_used.deploy.last_used_at, "30d", plantimestamp())
}
