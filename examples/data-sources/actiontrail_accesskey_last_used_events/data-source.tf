terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

provider "actiontrail" {}

# The API actions a key called on ECS, most recent first.
data "actiontrail_accesskey_last_used_events" "deploy_ecs" {
  access_key_id = "LTAI5tRecentUse000000001"
  service_name  = "Ecs"
}

output "ecs_actions" {
  value = [for e in data.actiontrail_accesskey_last_used_events.deploy_ecs.events : "${e.event_name} at ${e.last_used_at}"]
}
