//! `max_requests_per_second` under real Terraform (1.15.5 and 1.0.3): a value that is no
//! rate fails the plan at its line of HCL, and a ceiling under an endpoint's flow-control
//! quota keeps a plan's parallel reads (Terraform's own parallelism of 10) from a single
//! throttled answer. Counted by the endpoint (`support::flow_control`), not timed.

use crate::support::flow_control::{Counts, FlowControl};
use crate::support::{terraform_block, Tf, Workspace, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};
use std::time::Duration;

/// The keys the plan reads, one data source each.
const KEYS: usize = 24;

fn hcl(endpoint: &str, max_requests_per_second: &str) -> String {
    let keys: Vec<String> = (0..KEYS)
        .map(|i| format!("\"LTAI5tPacedKey{i:08}\""))
        .collect();
    format!(
        r#"{}
provider "actiontrail" {{
  endpoint                = "{endpoint}"
  max_retries             = 10
  max_requests_per_second = {max_requests_per_second}
}}

data "actiontrail_accesskey_last_used" "k" {{
  for_each      = toset([{}])
  access_key_id = each.value
}}

output "used" {{
  value = [for k in data.actiontrail_accesskey_last_used.k : k.used]
}}
"#,
        terraform_block(),
        keys.join(", ")
    )
}

fn workspace(tf: Tf, endpoint: &str, max_requests_per_second: &str) -> Workspace {
    let mut ws = Workspace::new(tf, &hcl(endpoint, max_requests_per_second));
    ws.env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_ACCESS_KEY_SECRET);
    ws
}

#[test]
fn max_requests_per_second_is_checked_at_its_line_and_keeps_a_plan_under_the_quota() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for tf in [Tf::V1_15_5, Tf::V1_0_3] {
        // A quota of 8 calls a second (bursts of 8): Terraform's 10 parallel reads would
        // overrun it at once; a ceiling of 6 never does.
        let endpoint = rt.block_on(FlowControl::start(8.0, Duration::from_millis(5)));
        for bad in ["0", "-2", "20000"] {
            let ws = workspace(tf, &endpoint.url, bad);
            ws.init();
            let out = ws.fails(&["plan", "-input=false", "-no-color"]);
            let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                out.contains("Invalid max_requests_per_second")
                    && out.contains("on main.tf line")
                    && out.contains("max_requests_per_second ="),
                "{tf:?} {bad}: not refused at its line:\n{out}"
            );
        }
        assert_eq!(endpoint.total(), Counts::default(), "nothing was called");
        let ws = workspace(tf, &endpoint.url, "6");
        ws.init();
        ws.ok(&["plan", "-input=false", "-no-color"]);
        assert_eq!(
            endpoint.total(),
            Counts {
                served: KEYS as u64,
                throttled: 0
            },
            "{tf:?}: every key read once, none throttled"
        );
    }
}
