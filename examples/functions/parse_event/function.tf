terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

provider "actiontrail" {}

data "actiontrail_accesskey_last_used_products" "deploy" {
  access_key_id = "LTAI5tRecentUse000000001"
}

output "actions_per_service" {
  value = {
    for p in data.actiontrail_accesskey_last_used_products.deploy.products :
    p.service_name => try(provider::actiontrail::parse_event(p.detail).event_name, null)
  }
}
