terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# The fleet variant of the key usage idle_keys.rego and retiring_keys.rego judge: every
# AccessKey of every RAM user, each with its last use, in one read. Save the plan, then
# hand `terraform show -json` of it to conftest, OPA or `cargo run --example policy`.
provider "actiontrail" {}

variable "user_names" {
  description = "Only these RAM users' keys; null for every RAM user of the account."
  type        = list(string)
  default     = null
}

# No status or idleness filter: the policies judge every key listed, and a key the read
# leaves out is one they cannot vouch for.
data "actiontrail_accesskeys" "fleet" {
  user_names = var.user_names
}
