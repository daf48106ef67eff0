terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

provider "actiontrail" {}

data "actiontrail_accesskey_last_used_resources" "deploy_oss" {
  access_key_id = "LTAI5tRecentUse000000001"
  service_name  = "Oss"
}

output "oss_resources" {
  value = [
    for r in data.actiontrail_accesskey_last_used_resources.deploy_oss.resources :
    "${r.resource_type} ${r.resource_name} (last ${r.last_used_at})"
  ]
}
