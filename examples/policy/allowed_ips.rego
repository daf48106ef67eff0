# Keys used from an IP outside the allowed CIDRs, over actiontrail_accesskey_last_used_ips
# (one per key and service). Where the plan also reads
# actiontrail_accesskey_last_used_products for a key, every service it lists must have its
# IPs read too, or the policy says which are missing.
#
# Parameters (a data document, e.g. `conftest test --data params.json`):
#   actiontrail_policy.allowed_cidrs  the networks keys may be used from (required)
package actiontrail.allowed_ips

import rego.v1

import data.actiontrail.plan

default cidrs := []

cidrs := data.actiontrail_policy.allowed_cidrs

ip_reads := plan.readings("actiontrail_accesskey_last_used_ips")

product_reads := plan.readings("actiontrail_accesskey_last_used_products")

key_reads := plan.readings("actiontrail_accesskey_last_used")

deny contains msg if {
	is_array(cidrs)
	count(cidrs) > 0
	some r in ip_reads
	some use in r.values.ips
	not allowed(use.ip)
	msg := sprintf("%s (%s) used %s from %s, outside the allowed CIDRs (%s): last at %s, calling %s (%s)", [r.values.access_key_id, user(r.values.access_key_id, use), r.values.service_name, use.ip, concat(", ", cidrs), plan.text(use.last_used_at), plan.text(use.event_name), r.address])
}

allowed(ip) if {
	some cidr in cidrs
	net.cidr_contains(cidr, ip)
}

# The key's owner: from the event ActionTrail recorded, else from a last-used read of the
# same key in the plan.
user(id, use) := sprintf("user %s", [use.event.user_identity.user_name]) if {
	is_string(use.event.user_identity.user_name)
} else := plan.owner(k.values) if {
	some k in key_reads
	k.values.access_key_id == id
} else := "owner unknown"

# Missing data: no IPs read at all, a list cut short by max_items, a service the key used
# whose IPs the plan does not read, a read put off until apply, or no allowed CIDRs.
deny contains msg if {
	plan.usable
	count(ip_reads) == 0
	count(plan.deferred("actiontrail_accesskey_last_used_ips")) == 0
	msg := "no actiontrail_accesskey_last_used_ips was read in this plan: there is no IP to judge; read one per key and service"
}

deny contains msg if {
	some r in ip_reads
	r.values.truncated != false
	msg := sprintf("%s read %v IPs of %s with %s and stopped at max_items: the others may be outside the allowed CIDRs; raise or remove max_items", [r.address, r.values.ip_count, r.values.access_key_id, r.values.service_name])
}

deny contains msg if {
	some p in product_reads
	some service in p.values.service_names
	not ips_read(p.values.access_key_id, service)
	msg := sprintf("%s used %s (%s), but no actiontrail_accesskey_last_used_ips read its IPs for %s in this plan: they cannot be checked", [p.values.access_key_id, service, p.address, service])
}

ips_read(id, service) if {
	some r in ip_reads
	r.values.access_key_id == id
	lower(r.values.service_name) == lower(service)
}

deny contains msg if {
	some msg in plan.missing_data([
		"actiontrail_accesskey_last_used_ips",
		"actiontrail_accesskey_last_used_products",
	])
}

deny contains msg if {
	not is_array(cidrs)
	msg := sprintf("actiontrail_policy.allowed_cidrs must be a list of CIDRs, not %s", [json.marshal(cidrs)])
}

deny contains msg if {
	is_array(cidrs)
	count(cidrs) == 0
	msg := "actiontrail_policy.allowed_cidrs is empty or missing: list the networks keys may be used from"
}
