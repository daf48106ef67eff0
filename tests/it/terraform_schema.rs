//! Real Terraform (1.0.3 on protocol 6, 0.13.5 on protocol 5) installs the provider from a
//! filesystem mirror, reads its schema and validates configurations through it.

use crate::support::{terraform_block, Tf, Workspace};

fn valid_config() -> String {
    format!(
        r#"{}
provider "actiontrail" {{
  region = "cn-hangzhou"
}}

data "actiontrail_accesskey_last_used" "key" {{
  access_key_id       = "LTAI5tRecentUse000000001"
  fail_if_used_within = "30d"
}}

data "actiontrail_accesskey_last_used_products" "key" {{
  access_key_id = "LTAI5tRecentUse000000001"
}}

data "actiontrail_accesskey_last_used_ips" "key" {{
  access_key_id = "STS.NUgYrLnoC37mZZCNnAbez2Ha6"
  service_name  = "Ecs"
  page_size     = 100
}}

data "actiontrail_accesskey_last_used_resources" "key" {{
  access_key_id = "LTAI5tRecentUse000000001"
  service_name  = "Oss"
  max_items     = 50
}}
"#,
        terraform_block()
    )
}

#[test]
fn init_installs_the_provider_offline_and_validate_accepts_a_valid_config() {
    for tf in Tf::ALL {
        let ws = Workspace::new(tf, &valid_config());
        let init = ws.init();
        assert!(
            init.contains("actiontrail/actiontrail v0.1.0"),
            "{tf:?}: {init}"
        );
        let out = ws.ok(&["validate", "-no-color"]);
        assert!(out.contains("The configuration is valid"), "{tf:?}: {out}");
    }
}

#[test]
fn providers_schema_lists_every_data_source_with_its_arguments() {
    for tf in Tf::ALL {
        let ws = Workspace::new(tf, &valid_config());
        ws.init();
        let json: serde_json::Value =
            serde_json::from_str(&ws.ok(&["providers", "schema", "-json"])).unwrap();
        let schema = &json["provider_schemas"]["registry.terraform.io/actiontrail/actiontrail"];
        let provider = &schema["provider"]["block"]["attributes"];
        for secret in ["access_key", "secret_key", "security_token"] {
            assert_eq!(
                provider[secret]["sensitive"], true,
                "{tf:?}: {secret} must be sensitive"
            );
        }
        let sources = schema["data_source_schemas"].as_object().unwrap();
        let mut names: Vec<&str> = sources.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(
            names,
            actiontrail_provider::provider::type_names(),
            "{tf:?}"
        );
        for (name, ds) in sources {
            let attrs = ds["block"]["attributes"].as_object().unwrap();
            // Every data source is about one key, but the fleet and the organisation read,
            // which select their keys.
            if name == "actiontrail_accesskeys" {
                assert_eq!(attrs["access_key_ids"]["optional"], true, "{tf:?} {name}");
                assert_eq!(attrs["user_names"]["optional"], true, "{tf:?} {name}");
            } else if name == "actiontrail_organization_accesskeys" {
                assert_eq!(attrs["access_key_ids"]["optional"], true, "{tf:?} {name}");
                assert_eq!(attrs["account_ids"]["optional"], true, "{tf:?} {name}");
                assert_eq!(
                    attrs["exclude_account_ids"]["optional"], true,
                    "{tf:?} {name}"
                );
            } else {
                assert_eq!(attrs["access_key_id"]["required"], true, "{tf:?} {name}");
            }
            for (attr, def) in attrs {
                let described = def["description"].as_str().is_some_and(|d| !d.is_empty());
                assert!(described, "{tf:?} {name}.{attr} has no description");
            }
        }
        let ips = sources["actiontrail_accesskey_last_used_ips"]["block"]["attributes"]
            .as_object()
            .unwrap();
        assert_eq!(ips["service_name"]["required"], true);
        assert_eq!(ips["page_size"]["optional"], true);
        assert!(
            ips["ips"]["type"][0] == "list",
            "{tf:?}: ips is a list: {}",
            ips["ips"]["type"]
        );
    }
}

/// The line of `needle` in `hcl`, 1-based.
fn line_of(hcl: &str, needle: &str) -> usize {
    hcl.lines()
        .position(|l| l.contains(needle))
        .expect("needle in config")
        + 1
}

#[test]
fn validate_points_at_the_line_of_each_bad_argument() {
    let cases = [
        ("page_size     = 500", "page_size", "data \"actiontrail_accesskey_last_used_ips\" \"bad\" {\n  access_key_id = \"LTAI5tRecentUse000000001\"\n  service_name  = \"Ecs\"\n  page_size     = 500\n}\n"),
        ("access_key_id = \"LTAI 5t/bad\"", "access_key_id", "data \"actiontrail_accesskey_last_used\" \"bad\" {\n  access_key_id = \"LTAI 5t/bad\"\n}\n"),
        ("fail_if_used_within = \"soon\"", "fail_if_used_within", "data \"actiontrail_accesskey_last_used\" \"bad\" {\n  access_key_id       = \"LTAI5tRecentUse000000001\"\n  fail_if_used_within = \"soon\"\n}\n"),
        // A provider block is validated only when something uses the provider.
        ("region = \"Hangzhou!\"", "region", "provider \"actiontrail\" {\n  region = \"Hangzhou!\"\n}\n\ndata \"actiontrail_accesskey_last_used\" \"k\" {\n  access_key_id = \"LTAI5tRecentUse000000001\"\n}\n"),
        // An argument of a nested provider block, read through its declaration.
        ("role_session_name = \"a b\"", "role_session_name", "provider \"actiontrail\" {\n  assume_role_with_oidc {\n    oidc_provider_arn = \"acs:ram::1234567890123456:oidc-provider/ci\"\n    role_arn          = \"acs:ram::1234567890123456:role/auditor\"\n    oidc_token_file   = \"/dev/null\"\n    role_session_name = \"a b\"\n  }\n}\n\ndata \"actiontrail_accesskey_last_used\" \"k\" {\n  access_key_id = \"LTAI5tRecentUse000000001\"\n}\n"),
    ];
    for tf in Tf::ALL {
        for (needle, attr, body) in cases {
            let hcl = format!("{}\n{}", terraform_block(), body);
            let ws = Workspace::new(tf, &hcl);
            ws.init();
            let out = ws.fails(&["validate", "-no-color"]);
            let line = line_of(&hcl, needle);
            // Terraform 0.13 prints provider-block diagnostics without a source range,
            // whatever path the provider gives; 1.0 resolves the path to the line.
            if tf == Tf::V1_0_3 || !body.starts_with("provider") {
                assert!(
                    out.contains(&format!("on main.tf line {line}")),
                    "{tf:?} {attr}: expected line {line}:\n{out}"
                );
            }
            assert!(
                out.contains(attr),
                "{tf:?}: the message names {attr}:\n{out}"
            );
        }
    }
}

#[test]
fn validate_accepts_values_unknown_until_apply() {
    let hcl = format!(
        r#"{}
variable "key" {{
  type    = string
  default = "LTAI5tRecentUse000000001"
}}

data "actiontrail_accesskey_last_used" "key" {{
  access_key_id = var.key
}}
"#,
        terraform_block()
    );
    // `terraform validate` does not evaluate variables: the provider sees an unknown.
    for tf in Tf::ALL {
        let ws = Workspace::new(tf, &hcl);
        ws.init();
        let out = ws.ok(&["validate", "-no-color"]);
        assert!(out.contains("The configuration is valid"), "{tf:?}: {out}");
    }
}
