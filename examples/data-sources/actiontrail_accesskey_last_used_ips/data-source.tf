terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

provider "actiontrail" {}

data "actiontrail_accesskey_last_used_ips" "deploy_ecs" {
  access_key_id = "LTAI5tRecentUse000000001"
  service_name  = "Ecs"
}

output "ecs_caller_ips" {
  value = data.actiontrail_accesskey_last_used_ips.deploy_ecs.addresses
}

# At most 50 IPs, 25 per call; truncated tells whether there were more.
data "actiontrail_accesskey_last_used_ips" "sample" {
  access_key_id = "LTAI5tManyIps0000000001"
  service_name  = "Ecs"
  page_size     = 25
  max_items     = 50
}

output "sample_truncated" {
  value = data.actiontrail_accesskey_last_used_ips.sample.truncated
}
