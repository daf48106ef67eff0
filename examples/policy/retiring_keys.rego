# Keys about to be retired must have been idle for the window: a retiring key used more
# recently is a finding, and so is a retiring key the plan does not read (in the fleet,
# actiontrail_accesskeys, or with actiontrail_accesskey_last_used, one per key).
#
# Parameters (a data document, e.g. `conftest test --data params.json`):
#   actiontrail_policy.retiring_access_key_ids  the keys being retired (required)
#   actiontrail_policy.retiring_window_days     how long each must have been idle (30)
package actiontrail.retiring_keys

import rego.v1

import data.actiontrail.plan

default window_days := 30

window_days := data.actiontrail_policy.retiring_window_days

default retiring := []

retiring := data.actiontrail_policy.retiring_access_key_ids

# Iterated only when it is a list; otherwise a deny below says what is wrong with it.
ids := retiring if {
	is_array(retiring)
} else := []

keys := plan.readings("actiontrail_accesskey_last_used")

deny contains msg if {
	some id in ids
	some k in keys
	v := k.values
	v.access_key_id == id
	v.used == true
	is_number(window_days)
	v.days_since_last_used < window_days
	msg := sprintf("%s (%s) is being retired but was used %s ago, within the %s it must be idle: %s; move that caller to a new key first (%s)", [id, plan.owner(v), plan.days(v.days_since_last_used), plan.days(window_days), plan.last_use(v), k.address])
}

deny contains msg if {
	some id in ids
	some [address, k] in plan.fleet_keys
	k.access_key_id == id
	k.used == true
	is_number(window_days)
	k.days_since_last_used < window_days
	msg := sprintf("%s (%s) is being retired but was used %s ago, within the %s it must be idle: %s; move that caller to a new key first (%s)", [id, plan.owner(k), plan.days(k.days_since_last_used), plan.days(window_days), plan.last_use(k), address])
}

# Missing data: a retiring key the plan does not read, a read put off until apply, a read
# without usage, or parameters that do not say what to check.
deny contains msg if {
	plan.usable
	some id in ids
	not read(id)
	msg := sprintf("%s is being retired, but neither actiontrail_accesskeys nor actiontrail_accesskey_last_used read it in this plan: whether it is still in use is unknown; read it (access_key_ids, or for_each over the retiring keys)", [id])
}

read(id) if {
	some k in keys
	k.values.access_key_id == id
}

read(id) if {
	some [_, k] in plan.fleet_keys
	k.access_key_id == id
}

deny contains msg if {
	some msg in plan.missing_data(["actiontrail_accesskey_last_used", "actiontrail_accesskeys"])
}

deny contains msg if {
	some msg in plan.fleet_messages
}

deny contains msg if {
	some msg in plan.incomplete_key_messages(keys)
}

deny contains msg if {
	not is_array(retiring)
	msg := sprintf("actiontrail_policy.retiring_access_key_ids must be a list of AccessKey IDs, not %s", [json.marshal(retiring)])
}

deny contains msg if {
	is_array(retiring)
	count(retiring) == 0
	msg := "actiontrail_policy.retiring_access_key_ids is empty or missing: name the keys being retired, or leave this policy out"
}

deny contains msg if {
	not is_number(window_days)
	msg := sprintf("actiontrail_policy.retiring_window_days must be a number of days, not %s", [json.marshal(window_days)])
}
