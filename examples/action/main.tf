terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# The rotation gate at apply time (Terraform 1.14 and later). Disabling a key is an
# in-place update of its resource; the action runs just before that update, reads
# ActionTrail at that moment and, if the key was used in the last 30 days, fails the apply
# before the key is touched. A plan saved days earlier does not skip the check.
provider "actiontrail" {}

variable "retiring_key_status" {
  description = "The retiring key's status: set it to Inactive to disable the key."
  type        = string
  default     = "Active"
}

action "actiontrail_accesskey_gate" "retiring" {
  config {
    access_key_ids      = ["LTAI5tIdleKey0000000001"]
    fail_if_used_within = "30d"
  }
}

# Stands in for the key itself. With the alicloud provider the same lifecycle block goes
# on the key's resource, whose status goes from Active to Inactive:
#
#   resource "alicloud_ram_access_key" "retiring" {
#     user_name = "ci-deployer"
#     status    = var.retiring_key_status
#
#     lifecycle {
#       action_trigger {
#         events  = [before_update]
#         actions = [action.actiontrail_accesskey_gate.retiring]
#       }
#     }
#   }
#
# Add before_create to the events to gate a replacement too. To run the check alone:
#   terraform apply -invoke=action.actiontrail_accesskey_gate.retiring
resource "terraform_data" "retiring_key" {
  input = var.retiring_key_status

  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.actiontrail_accesskey_gate.retiring]
    }
  }
}
