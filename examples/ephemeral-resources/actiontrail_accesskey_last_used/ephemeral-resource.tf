terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

provider "actiontrail" {}

# Fails the plan while the key has been used in the last 30 days; writes nothing of its
# use to the state or the plan file.
ephemeral "actiontrail_accesskey_last_used" "retiring" {
  access_key_id       = "LTAI5tIdleKey0000000001"
  fail_if_used_within = "30d"
}
