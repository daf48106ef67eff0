terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# The rotation gate as an ephemeral resource (Terraform 1.10 and later): the same
# arguments and attributes as the data source, but nothing about the key's use is written
# to the state or the plan file. This key has been idle for 200 days, so the gate passes
# and the check below, which reads the same ephemeral values, stays quiet.
provider "actiontrail" {}

ephemeral "actiontrail_accesskey_last_used" "retiring" {
  access_key_id       = "LTAI5tIdleKey0000000001"
  fail_if_used_within = "90d"
}

check "retiring_key_idle_for_half_a_year" {
  assert {
    condition     = coalesce(ephemeral.actiontrail_accesskey_last_used.retiring.days_since_last_used, 180) >= 180
    error_message = "The retiring key was used within the last 180 days; it passed the 90-day gate, but look before deleting it."
  }
}
