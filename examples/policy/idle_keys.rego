# Active keys idle longer than the limit, or never used, over the fleet data source
# (actiontrail_accesskeys: every Active key it lists) and over
# actiontrail_accesskey_last_used (one per Active key, with for_each): the keys a plan
# reads are the keys it vouches for.
#
# Parameters (a data document, e.g. `conftest test --data params.json`):
#   actiontrail_policy.max_idle_days   a key unused this many days or more is a finding (90)
package actiontrail.idle_keys

import rego.v1

import data.actiontrail.plan

default max_idle_days := 90

max_idle_days := data.actiontrail_policy.max_idle_days

keys := plan.readings("actiontrail_accesskey_last_used")

deny contains msg if {
	some k in keys
	v := k.values
	v.used == true
	is_number(max_idle_days)
	v.days_since_last_used >= max_idle_days
	msg := sprintf("%s (%s) has been idle %s, the limit is %s: %s (%s)", [v.access_key_id, plan.owner(v), plan.days(v.days_since_last_used), plan.days(max_idle_days), plan.last_use(v), k.address])
}

deny contains msg if {
	some k in keys
	v := k.values
	v.used == false
	msg := sprintf("%s (%s) was never used: ActionTrail has no record of it in the 400 days it keeps; delete it or find who holds it (%s)", [v.access_key_id, plan.owner(v), k.address])
}

# The fleet: only Active keys are judged (an Inactive key cannot sign a request).
fleet_active contains [address, k] if {
	some [address, k] in plan.fleet_keys
	k.status == "Active"
}

deny contains msg if {
	some [address, k] in fleet_active
	k.used == true
	is_number(max_idle_days)
	k.days_since_last_used >= max_idle_days
	msg := sprintf("%s (%s) has been idle %s, the limit is %s: %s (%s)", [k.access_key_id, plan.owner(k), plan.days(k.days_since_last_used), plan.days(max_idle_days), plan.last_use(k), address])
}

deny contains msg if {
	some [address, k] in fleet_active
	k.used == false
	msg := sprintf("%s (%s) was never used: ActionTrail has no record of it in the 400 days it keeps; delete it or find who holds it (%s)", [k.access_key_id, plan.owner(k), address])
}

# Missing data: a plan that shows no key, a read put off until apply, a read without usage,
# or a limit that is not a number says so rather than passing.
deny contains msg if {
	plan.usable
	count(keys) == 0
	count(plan.readings("actiontrail_accesskeys")) == 0
	count(plan.deferred("actiontrail_accesskey_last_used")) == 0
	count(plan.deferred("actiontrail_accesskeys")) == 0
	msg := "no actiontrail_accesskeys or actiontrail_accesskey_last_used was read in this plan: there is no key to judge; read the fleet, or one actiontrail_accesskey_last_used per Active key (for_each over them)"
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
	not is_number(max_idle_days)
	msg := sprintf("actiontrail_policy.max_idle_days must be a number of days, not %s", [json.marshal(max_idle_days)])
}
