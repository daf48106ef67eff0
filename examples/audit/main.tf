terraform {
  required_providers {
    actiontrail = {
      source  = "actiontrail/actiontrail"
      version = "0.1.0"
    }
  }
}

# Audit one key: which services, IPs and resources did it touch, and when last?
provider "actiontrail" {}

variable "access_key_id" {
  description = "The AccessKey to audit."
  type        = string
  default     = "LTAI5tRecentUse000000001"
}

data "actiontrail_accesskey_last_used" "key" {
  access_key_id = var.access_key_id
}

data "actiontrail_accesskey_last_used_products" "key" {
  access_key_id = var.access_key_id
}

data "actiontrail_accesskey_last_used_ips" "key" {
  for_each = toset(data.actiontrail_accesskey_last_used_products.key.service_names)

  access_key_id = var.access_key_id
  service_name  = each.value
}

data "actiontrail_accesskey_last_used_resources" "key" {
  for_each = toset(data.actiontrail_accesskey_last_used_products.key.service_names)

  access_key_id = var.access_key_id
  service_name  = each.value
}

output "last_used" {
  value = {
    at       = data.actiontrail_accesskey_last_used.key.last_used_at
    days_ago = data.actiontrail_accesskey_last_used.key.days_since_last_used
    service  = data.actiontrail_accesskey_last_used.key.last_used_service
    ip       = data.actiontrail_accesskey_last_used.key.last_used_ip
    region   = data.actiontrail_accesskey_last_used.key.last_used_region
  }
}

output "services" {
  description = "Each service the key used, and when last."
  value = {
    for p in data.actiontrail_accesskey_last_used_products.key.products :
    p.service_name => p.last_used_at
  }
}

output "ips" {
  description = "The IPs the key was used from, by service."
  value       = { for service, d in data.actiontrail_accesskey_last_used_ips.key : service => d.addresses }
}

output "resources" {
  description = "The resources the key acted on, by service."
  value = {
    for service, d in data.actiontrail_accesskey_last_used_resources.key :
    service => [for r in d.resources : r.resource_name]
  }
}

output "caveat" {
  value = data.actiontrail_accesskey_last_used.key.data_freshness_note
}
