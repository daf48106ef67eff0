terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# Rotation gate: the plan that retires a key fails while the key is still in use.
# The default key was used recently, so this plan fails on purpose and says where from.
provider "actiontrail" {}

variable "retiring_access_key_id" {
  description = "The AccessKey about to be deleted."
  type        = string
  default     = "LTAI5tRecentUse000000001"
}

variable "required_idle_time" {
  description = "How long the key must have been unused before it may go."
  type        = string
  default     = "30d"
}

data "actiontrail_accesskey_last_used" "retiring" {
  access_key_id       = var.retiring_access_key_id
  fail_if_used_within = var.required_idle_time
}

output "retiring_key_last_used_at" {
  value = data.actiontrail_accesskey_last_used.retiring.used ? data.actiontrail_accesskey_last_used.retiring.last_used_at : "never"
}
