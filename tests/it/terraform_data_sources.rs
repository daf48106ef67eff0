//! The data sources end to end: real Terraform (1.0.3 and 0.13.5) runs the provider,
//! which calls `actiontrail-sim` over real HTTP. What Terraform outputs is compared with what
//! the emulator answers to a request signed independently of the provider's client.

use crate::support::rpc::Rpc;
use crate::support::{
    terraform_block, Sim, Tf, Workspace, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET,
};
use serde_json::Value as J;

const RECENT: &str = "LTAI5tRecentUse000000001";
const IDLE: &str = "LTAI5tIdleKey0000000001";
const NEVER: &str = "LTAI5tNeverUsed00000001";
const MANY_IPS: &str = "LTAI5tManyIps0000000001";

/// Calls the emulator directly, signing with the shared signature functions.
fn sim_call(sim: &Sim, action: &str, params: &[(&str, &str)]) -> J {
    let a = Rpc::new(&sim.url, (DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET))
        .call_blocking(action, params);
    assert!(a.status == 200, "emulator answered {}", a.status);
    a.body
}

/// Every page of a list operation, straight from the emulator.
fn sim_list(sim: &Sim, action: &str, key: &str, service: &str, field: &str) -> Vec<J> {
    let mut items = Vec::new();
    let mut token = String::new();
    loop {
        let mut params = vec![
            ("AccessKey", key),
            ("ServiceName", service),
            ("PageSize", "100"),
        ];
        if !token.is_empty() {
            params.push(("NextToken", &token));
        }
        let page = sim_call(sim, action, &params);
        items.extend(page[field].as_array().cloned().unwrap_or_default());
        token = page["NextToken"].as_str().unwrap_or("").to_owned();
        if token.is_empty() {
            return items;
        }
    }
}

fn workspace(tf: Tf, sim: &Sim, body: &str) -> Workspace {
    let mut ws = Workspace::new(
        tf,
        &format!(
            "{}\nprovider \"actiontrail\" {{}}\n\n{}",
            terraform_block(),
            body
        ),
    );
    ws.use_sim(sim);
    ws.init();
    ws
}

fn rfc3339_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).unwrap();
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn last_used_outputs_equal_the_emulators_answer() {
    let sim = Sim::start(&[]);
    let want = sim_call(&sim, "GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)]);
    let detail: J = serde_json::from_str(want["Detail"].as_str().unwrap()).unwrap();
    for tf in Tf::ALL {
        let ws = workspace(
            tf,
            &sim,
            &format!(
                r#"data "actiontrail_accesskey_last_used" "k" {{
  access_key_id = "{RECENT}"
}}

output "all" {{
  value = data.actiontrail_accesskey_last_used.k
}}
"#
            ),
        );
        let got = &ws.outputs()["all"];
        assert_eq!(got["used"], true, "{tf:?}");
        for (attr, field) in [
            ("account_id", "AccountId"),
            ("account_type", "AccountType"),
            ("user_name", "UserName"),
            ("service_name", "ServiceName"),
            ("service_name_en", "ServiceNameEn"),
            ("source", "Source"),
            ("detail", "Detail"),
        ] {
            assert_eq!(got[attr], want[field], "{tf:?}: {attr}");
        }
        let ms = want["UsedTimestamp"].as_i64().unwrap();
        assert_eq!(got["used_timestamp"].as_i64(), Some(ms), "{tf:?}");
        assert_eq!(
            got["last_used_at"].as_str().unwrap(),
            rfc3339_ms(ms).replace(".000", ""),
            "{tf:?}"
        );
        assert_eq!(got["last_used_ip"], detail["sourceIpAddress"], "{tf:?}");
        assert_eq!(got["event"]["event_name"], detail["eventName"], "{tf:?}");
        assert_eq!(
            got["event"]["source_ip_address"], detail["sourceIpAddress"],
            "{tf:?}"
        );
        let days = (time::OffsetDateTime::now_utc().unix_timestamp() * 1000 - ms) / 86_400_000;
        assert_eq!(got["days_since_last_used"].as_i64(), Some(days), "{tf:?}");
    }
}

#[test]
fn products_ips_and_resources_list_everything_in_the_apis_order() {
    let sim = Sim::start(&[]);
    let products = sim_call(
        &sim,
        "GetAccessKeyLastUsedProducts",
        &[("AccessKey", RECENT)],
    )["Products"]
        .clone();
    let ips = sim_list(&sim, "GetAccessKeyLastUsedIps", RECENT, "Ecs", "Ips");
    let resources = sim_list(
        &sim,
        "GetAccessKeyLastUsedResources",
        RECENT,
        "Ecs",
        "Resources",
    );
    // The demo key's lists, whole: what the outputs below must equal item by item.
    assert_eq!(
        (
            products.as_array().unwrap().len(),
            ips.len(),
            resources.len()
        ),
        (5, 4, 4)
    );
    for tf in Tf::ALL {
        let ws = workspace(
            tf,
            &sim,
            &format!(
                r#"data "actiontrail_accesskey_last_used_products" "k" {{
  access_key_id = "{RECENT}"
}}

data "actiontrail_accesskey_last_used_ips" "k" {{
  access_key_id = "{RECENT}"
  service_name  = "Ecs"
}}

data "actiontrail_accesskey_last_used_resources" "k" {{
  access_key_id = "{RECENT}"
  service_name  = "Ecs"
}}

output "products" {{
  value = [for p in data.actiontrail_accesskey_last_used_products.k.products : [p.service_name, p.used_timestamp]]
}}

output "ips" {{
  value = [for i in data.actiontrail_accesskey_last_used_ips.k.ips : [i.ip, i.used_timestamp]]
}}

output "resources" {{
  value = [for r in data.actiontrail_accesskey_last_used_resources.k.resources : [r.resource_name, r.resource_type]]
}}
"#
            ),
        );
        let got = ws.outputs();
        let want_products: Vec<J> = products
            .as_array()
            .unwrap()
            .iter()
            .map(|p| serde_json::json!([p["ServiceName"], p["UsedTimestamp"]]))
            .collect();
        assert_eq!(got["products"], J::Array(want_products), "{tf:?}");
        let want_ips: Vec<J> = ips
            .iter()
            .map(|i| serde_json::json!([i["Ip"], i["UsedTimestamp"]]))
            .collect();
        assert_eq!(got["ips"], J::Array(want_ips), "{tf:?}");
        let want_resources: Vec<J> = resources
            .iter()
            .map(|r| serde_json::json!([r["ResourceName"], r["ResourceType"]]))
            .collect();
        assert_eq!(got["resources"], J::Array(want_resources), "{tf:?}");
    }
}

#[test]
fn a_thousand_ips_arrive_complete_in_ten_pages() {
    let sim = Sim::start(&[]);
    let want = sim_list(&sim, "GetAccessKeyLastUsedIps", MANY_IPS, "Ecs", "Ips");
    assert!(
        want.len() >= 1000,
        "the data set has a key with 1,000 IPs, not {}",
        want.len()
    );
    for tf in Tf::ALL {
        let ws = workspace(
            tf,
            &sim,
            &format!(
                r#"data "actiontrail_accesskey_last_used_ips" "k" {{
  access_key_id = "{MANY_IPS}"
  service_name  = "Ecs"
}}

output "ips" {{
  value = data.actiontrail_accesskey_last_used_ips.k.ips[*].ip
}}
"#
            ),
        );
        let before = sim.stats();
        let got = ws.outputs();
        let after = sim.stats();
        let want_ips: Vec<J> = want.iter().map(|i| i["Ip"].clone()).collect();
        assert_eq!(got["ips"], J::Array(want_ips), "{tf:?}");
        let calls = |s: &J| {
            s["requests"]["GetAccessKeyLastUsedIps"]
                .as_u64()
                .unwrap_or(0)
        };
        assert_eq!(
            calls(&after) - calls(&before),
            want.len().div_ceil(100) as u64,
            "{tf:?}: pages"
        );
    }
}

#[test]
fn a_never_used_key_is_an_answer_not_an_error() {
    let sim = Sim::start(&[]);
    for tf in Tf::ALL {
        let ws = workspace(
            tf,
            &sim,
            &format!(
                r#"data "actiontrail_accesskey_last_used" "k" {{
  access_key_id       = "{NEVER}"
  fail_if_used_within = "30d"
}}

data "actiontrail_accesskey_last_used_products" "k" {{
  access_key_id = "{NEVER}"
}}

output "used" {{
  value = data.actiontrail_accesskey_last_used.k.used
}}

output "last_used_at" {{
  value = data.actiontrail_accesskey_last_used.k.last_used_at == null ? "never" : "set"
}}

output "products" {{
  value = length(data.actiontrail_accesskey_last_used_products.k.products)
}}
"#
            ),
        );
        let got = ws.outputs();
        assert_eq!(got["used"], false, "{tf:?}");
        assert_eq!(got["last_used_at"], "never", "{tf:?}");
        assert_eq!(got["products"], 0, "{tf:?}");
    }
}

fn gate_config(key: &str) -> String {
    format!(
        r#"data "actiontrail_accesskey_last_used" "retiring" {{
  access_key_id       = "{key}"
  fail_if_used_within = "30d"
}}
"#
    )
}

#[test]
fn the_gate_passes_an_idle_key_and_fails_the_plan_for_a_recent_one() {
    let sim = Sim::start(&[]);
    let want = sim_call(&sim, "GetAccessKeyLastUsedInfo", &[("AccessKey", RECENT)]);
    let detail: J = serde_json::from_str(want["Detail"].as_str().unwrap()).unwrap();
    for tf in Tf::ALL {
        let idle = workspace(tf, &sim, &gate_config(IDLE));
        idle.ok(&["plan", "-input=false", "-no-color"]);

        let recent = workspace(tf, &sim, &gate_config(RECENT));
        let out = recent.fails(&["plan", "-input=false", "-no-color"]);
        let hcl = std::fs::read_to_string(recent.work().join("main.tf")).unwrap();
        let line = hcl
            .lines()
            .position(|l| l.contains("fail_if_used_within"))
            .unwrap()
            + 1;
        assert!(
            out.contains(&format!("on main.tf line {line}")),
            "{tf:?}: points at the argument:\n{out}"
        );
        for needle in [
            RECENT,
            want["ServiceName"].as_str().unwrap(),
            detail["sourceIpAddress"].as_str().unwrap(),
            detail["acsRegion"].as_str().unwrap(),
        ] {
            assert!(
                out.contains(needle),
                "{tf:?}: the gate names {needle}:\n{out}"
            );
        }
    }
}

#[test]
fn api_errors_become_diagnostics_with_code_request_id_and_a_hint() {
    let sim = Sim::start(&[]);
    for tf in Tf::ALL {
        let mut bad_secret = workspace(tf, &sim, &gate_config(IDLE));
        bad_secret.env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret");
        let out = bad_secret.fails(&["plan", "-input=false", "-no-color"]);
        assert!(out.contains("SignatureDoesNotMatch"), "{tf:?}:\n{out}");
        assert!(
            out.to_lowercase().contains("request id"),
            "{tf:?}: carries the request id:\n{out}"
        );

        let mut denied = workspace(tf, &sim, &gate_config(IDLE));
        denied
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tDeniedCaller00001")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "denied-secret");
        let out = denied.fails(&["plan", "-input=false", "-no-color"]);
        assert!(out.contains("Forbidden.RAM"), "{tf:?}:\n{out}");
        assert!(
            out.contains("actiontrail:GetAccessKeyLastUsedInfo"),
            "{tf:?}: names the RAM action:\n{out}"
        );
    }
}

#[test]
fn throttling_beyond_the_retry_budget_is_a_clear_error() {
    let sim = Sim::start(&["--throttle-rate", "1.0", "--seed", "7"]);
    for tf in Tf::ALL {
        let ws = Workspace::new(
            tf,
            &format!(
                "{}\nprovider \"actiontrail\" {{\n  max_retries = 2\n}}\n\n{}",
                terraform_block(),
                gate_config(IDLE)
            ),
        );
        let mut ws = ws;
        ws.use_sim(&sim);
        ws.init();
        let out = ws.fails(&["plan", "-input=false", "-no-color"]);
        assert!(out.contains("Throttling"), "{tf:?}:\n{out}");
    }
}

#[test]
fn trace_logs_never_contain_the_secret() {
    let sim = Sim::start(&[]);
    for tf in Tf::ALL {
        let mut ws = workspace(tf, &sim, &gate_config(IDLE));
        ws.env("TF_LOG", "trace");
        let out = ws.run(&["plan", "-input=false", "-no-color"]);
        assert!(
            out.status.success(),
            "{tf:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let logs = String::from_utf8_lossy(&out.stderr);
        // Terraform never names the API operation: only the provider's own log lines do.
        assert!(
            logs.contains("GetAccessKeyLastUsedInfo"),
            "{tf:?}: the provider logged at trace:\n{logs}"
        );
        assert!(
            !logs.contains(DEMO_ACCESS_KEY_SECRET),
            "{tf:?}: the secret leaked into the logs"
        );
    }
}

#[test]
fn data_sources_on_the_same_key_make_one_call_per_distinct_request() {
    let sim = Sim::start(&[]);
    for tf in Tf::ALL {
        let ws = workspace(
            tf,
            &sim,
            &format!(
                r#"data "actiontrail_accesskey_last_used" "a" {{
  access_key_id = "{RECENT}"
}}

data "actiontrail_accesskey_last_used" "b" {{
  access_key_id       = "{RECENT}"
  fail_if_used_within = "1000d"
  count               = 0
}}

data "actiontrail_accesskey_last_used" "c" {{
  count         = 5
  access_key_id = "{RECENT}"
}}

data "actiontrail_accesskey_last_used_products" "a" {{
  count         = 3
  access_key_id = "{RECENT}"
}}
"#
            ),
        );
        let before = sim.stats();
        ws.ok(&["plan", "-input=false", "-no-color"]);
        let after = sim.stats();
        let calls = |s: &J, op: &str| s["requests"][op].as_u64().unwrap_or(0);
        assert_eq!(
            calls(&after, "GetAccessKeyLastUsedInfo") - calls(&before, "GetAccessKeyLastUsedInfo"),
            1,
            "{tf:?}"
        );
        assert_eq!(
            calls(&after, "GetAccessKeyLastUsedProducts")
                - calls(&before, "GetAccessKeyLastUsedProducts"),
            1,
            "{tf:?}"
        );
    }
}
