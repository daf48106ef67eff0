terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# A postcondition (Terraform 1.2 and later) fails the plan, pointing at the data source,
# when its condition does not hold: here, that the key about to be retired has been idle
# for 90 days. The default key was used two days ago, so this plan fails on purpose.
provider "actiontrail" {}

variable "retiring_access_key_id" {
  description = "The AccessKey about to be deleted."
  type        = string
  default     = "LTAI5tRecentUse000000001"
}

data "actiontrail_accesskey_last_used" "retiring" {
  access_key_id = var.retiring_access_key_id

  lifecycle {
    postcondition {
      condition     = !self.used || coalesce(self.days_since_last_used, 0) >= 90
      error_message = "AccessKey ${self.id} was used ${coalesce(self.days_since_last_used, 0)} days ago, from ${coalesce(self.last_used_ip, "an unknown IP")}: keep it until it has been idle for 90 days."
    }
  }
}
