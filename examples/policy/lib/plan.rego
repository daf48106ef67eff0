# What the policies beside this file share: where the actiontrail data sources' values sit
# in `terraform show -json` of a saved plan, and the findings every policy makes when the
# data it needs is not there.
#
# A data source read at plan time is in prior_state.values, under root_module or a child
# module, with every attribute in `values`. A read Terraform put off until apply (an
# argument was unknown at plan time) is in resource_changes with the action "read" and no
# values. A read that failed stops the plan: Terraform 1.0 and 0.13 then save no plan
# file; later releases save one marked `"errored": true`, without that read.
package actiontrail.plan

import rego.v1

# `terraform show -json` of a saved plan has these three; of a state, an empty document or
# another tool's output, not all of them.
is_plan if {
	is_string(input.format_version)
	is_string(input.terraform_version)
	is_object(input.planned_values)
}

# A plan that ended in an error lacks the reads that failed, and maybe others.
errored if input.errored == true

# A plan whose reads can be judged: a plan, and one that did not end in an error.
usable if {
	is_plan
	not errored
}

# Every data source of `type` read at plan time, in any module.
readings(type) := {r |
	walk(object.get(input, ["prior_state", "values", "root_module"], {}), [path, r])
	count(path) >= 2
	path[count(path) - 2] == "resources"
	r.mode == "data"
	r.type == type
}

# Addresses of the data sources of `type` whose read waits for apply.
deferred(type) := {rc.address |
	some rc in object.get(input, "resource_changes", [])
	rc.mode == "data"
	rc.type == type
	"read" in rc.change.actions
}

# The findings about missing data every policy makes for the data source types it reads.
missing_data(types) := (not_a_plan | errored_plan) | {msg |
	some type in types
	some address in deferred(type)
	msg := sprintf("%s is read during apply, not plan (one of its arguments is unknown until then): the key usage it would show is not in this plan, so the policy cannot pass it; make its arguments known at plan time", [address])
}

errored_plan := {"the plan ended in an error (errored: true): the reads that failed are not in it, so the policy cannot pass it; fix the error and plan again"} if {
	is_plan
	errored
} else := set()

not_a_plan := {"the input is not `terraform show -json` of a saved plan (no format_version, terraform_version or planned_values): there is no key usage to judge"} if {
	not is_plan
} else := set()

# Who owns a key, as the gate's diagnostic says it.
owner(v) := sprintf("user %s", [v.user_name]) if {
	is_string(v.user_name)
} else := sprintf("%s of account %s", [v.account_type, v.account_id]) if {
	is_string(v.account_type)
	is_string(v.account_id)
} else := "owner unknown"

# A number of days, for a message.
days(n) := "1 day" if {
	n == 1
} else := sprintf("%v days", [n])

# A value for a message: strings as they are, anything else as "unknown".
text(x) := x if {
	is_string(x)
} else := "unknown"

# Where a key was last used, for a message.
last_use(v) := sprintf("last used %s with %s from %s", [text(v.last_used_at), text(v.last_used_service), text(v.last_used_ip)])

# A reading of actiontrail_accesskey_last_used whose usage attributes cannot be trusted:
# `used` is not a boolean, or a used key has no days since its last use.
incomplete_key(v) if not is_boolean(v.used)

incomplete_key(v) if {
	v.used == true
	not is_number(v.days_since_last_used)
}

# The keys of the fleet data source (actiontrail_accesskeys) as [address, key]; a reading
# without a `keys` list adds nothing here and is a finding of fleet_messages.
fleet_keys := {[r.address, k] |
	some r in readings("actiontrail_accesskeys")
	is_array(r.values.keys)
	some k in r.values.keys
}

# Findings about fleet readings that cannot be judged: no `keys` list, or a key in it
# without usage or status. A policy that passed them would pass keys it never saw.
fleet_messages := {msg |
	some r in readings("actiontrail_accesskeys")
	not is_array(r.values.keys)
	msg := sprintf("%s was read without its keys (keys = %v): the policy cannot judge the fleet", [r.address, r.values.keys])
} | {msg |
	some [address, k] in fleet_keys
	incomplete_fleet_key(k)
	msg := sprintf("%s lists %s without usage or status (status = %v, used = %v, days_since_last_used = %v): the policy cannot judge it", [address, text(k.access_key_id), k.status, k.used, k.days_since_last_used])
}

incomplete_fleet_key(k) if incomplete_key(k)

incomplete_fleet_key(k) if not is_string(k.status)

incomplete_key_messages(readings) := {msg |
	some r in readings
	incomplete_key(r.values)
	msg := sprintf("%s read %s without usage (used = %v, days_since_last_used = %v): the policy cannot judge it", [r.address, text(r.values.access_key_id), r.values.used, r.values.days_since_last_used])
}
