terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# A check block (Terraform 1.5 and later) warns without failing the plan: here, when a key
# that should be idle was used in the last 90 days. last_used_at is RFC 3339, so timecmp
# and timeadd read it; a key never used counts as used at the start of ActionTrail's
# records (2022-02-01), which is idle by any window.
provider "actiontrail" {}

check "ci_key_is_idle" {
  data "actiontrail_accesskey_last_used" "ci" {
    access_key_id = "LTAI5tRecentUse000000001"
  }

  assert {
    condition = timecmp(
      coalesce(data.actiontrail_accesskey_last_used.ci.last_used_at, "2022-02-01T00:00:00Z"),
      timeadd(plantimestamp(), "-2160h"),
    ) < 0
    error_message = "AccessKey LTAI5tRecentUse000000001 was used in the last 90 days (service ${coalesce(data.actiontrail_accesskey_last_used.ci.last_used_service, "unknown")}); it is not idle yet."
  }
}
