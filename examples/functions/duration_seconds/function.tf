terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

provider "actiontrail" {}

output "gate_window_seconds" {
  value = provider::actiontrail::duration_seconds("30d") # 2592000
}
