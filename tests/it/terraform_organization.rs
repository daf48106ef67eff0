//! The organisation read end to end: real Terraform (1.0.3 and 1.15.5) runs
//! `actiontrail_organization_accesskeys` against `actiontrail-sim` serving a Resource
//! Directory over real HTTP: ListAccounts, an AssumeRole into each member, and each
//! member's RAM and ActionTrail answers for whoever assumed its role.

use crate::support::{terraform_block, Sim, Tf, Workspace};
use crate::terraform_fleet::{each_version, flat, ids, set};
use serde_json::{json, Value as J};

const MGMT: &str = "1000000000000001";
const PROD: &str = "2000000000000002";
const DEV: &str = "3000000000000003";
const LEGACY: &str = "4000000000000004";

const CALLER_ID: &str = "LTAI5tOrgAuditor0000001";
const CALLER_SECRET: &str = "org-auditor-secret";

const MGMT_KEY: &str = "LTAI5tOrgMgmtKey0000001";
const PROD_RECENT: &str = "LTAI5tOrgProdRecent0001";
const PROD_IDLE: &str = "LTAI5tOrgProdIdle000001";
const PROD_NEVER: &str = "LTAI5tOrgProdNever00001";
const DEV_IDLE: &str = "LTAI5tOrgDevIdle0000001";
const DEV_NEVER: &str = "LTAI5tOrgDevNever000001";
const LEGACY_KEY: &str = "LTAI5tOrgLegacy00000001";

fn key(id: &str, account: &str, user: &str, used_days_ago: Option<u32>) -> J {
    let products = match used_days_ago {
        Some(d) => json!([{
            "service_name": "Ecs", "used_at": format!("now-{d}days"),
            "event_name": "DescribeInstances", "source_ip": "203.0.113.7"
        }]),
        None => json!([]),
    };
    json!({
        "access_key_id": id, "account_id": account, "account_type": "ram-user",
        "user_name": user, "create_date": "now-500days", "products": products
    })
}

/// A directory of the management account and three members: prod and dev have the
/// access role, legacy has none.
fn directory(dir: &std::path::Path) -> String {
    let member = |id: &str, name: &str, roles: &[&str]| {
        json!({
            "account_id": id, "display_name": name, "type": "ResourceAccount",
            "status": "CreateSuccess", "join_time": "now-300days", "roles": roles
        })
    };
    let data = json!({
        "callers": [{
            "access_key_id": CALLER_ID, "access_key_secret": CALLER_SECRET,
            "account_id": MGMT, "user_name": "org-auditor", "readable_accounts": [MGMT]
        }],
        "keys": [
            key(MGMT_KEY, MGMT, "admin", Some(2)),
            key(PROD_RECENT, PROD, "ci", Some(1)),
            key(PROD_IDLE, PROD, "batch", Some(200)),
            key(PROD_NEVER, PROD, "batch", None),
            key(DEV_IDLE, DEV, "dev1", Some(120)),
            key(DEV_NEVER, DEV, "dev2", None),
            key(LEGACY_KEY, LEGACY, "old", Some(10)),
        ],
        "resource_directory": {
            "id": "rd-orgtest",
            "management_account_id": MGMT,
            "accounts": [
                {
                    "account_id": MGMT, "display_name": "management", "type": "CloudAccount",
                    "status": "CreateSuccess", "join_time": "now-400days", "roles": []
                },
                member(PROD, "prod", &["ResourceDirectoryAccountAccessRole", "AuditReadOnly"]),
                member(DEV, "dev", &["ResourceDirectoryAccountAccessRole"]),
                member(LEGACY, "legacy", &[]),
            ]
        }
    });
    let path = dir.join("directory.json");
    std::fs::write(&path, serde_json::to_vec(&data).unwrap()).unwrap();
    path.display().to_string()
}

struct Org {
    sim: Sim,
    _dir: tempfile::TempDir,
}

fn org(extra: &[&str]) -> Org {
    let dir = tempfile::tempdir().unwrap();
    let data = directory(dir.path());
    let mut args = vec!["--data", data.as_str()];
    args.extend_from_slice(extra);
    Org {
        sim: Sim::start(&args),
        _dir: dir,
    }
}

fn workspace(tf: Tf, org: &Org, body: &str) -> Workspace {
    let mut ws = Workspace::new(
        tf,
        &format!(
            "{}\nprovider \"actiontrail\" {{}}\n{body}",
            terraform_block()
        ),
    );
    ws.use_sim(&org.sim)
        .env("ALIBABA_CLOUD_RESOURCEMANAGER_ENDPOINT", &org.sim.url)
        .env("ALIBABA_CLOUD_STS_ENDPOINT", &org.sim.url)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", CALLER_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", CALLER_SECRET);
    ws.init();
    ws
}

/// Calls the emulator served for `action`, from its stats.
fn served(sim: &Sim, action: &str) -> u64 {
    sim.stats()["requests"][action].as_u64().unwrap_or(0)
}

#[test]
fn the_organisation_read_finds_exactly_the_keys_its_filters_ask_for_across_accounts() {
    each_version(|tf| {
        let org = org(&[]);
        let ws = workspace(
            tf,
            &org,
            &format!(
                r#"
data "actiontrail_organization_accesskeys" "idle" {{
  include_management_account = true
  exclude_account_ids        = ["{LEGACY}"]
  unused_for                 = "90d"
}}

output "ids" {{
  value = data.actiontrail_organization_accesskeys.idle.matching_access_key_ids
}}
output "keys" {{
  value = {{ for k in data.actiontrail_organization_accesskeys.idle.keys : k.access_key_id => k }}
}}
output "accounts" {{
  value = data.actiontrail_organization_accesskeys.idle.accounts
}}
output "counts" {{
  value = {{
    accounts = data.actiontrail_organization_accesskeys.idle.account_count
    keys     = data.actiontrail_organization_accesskeys.idle.key_count
    selected = data.actiontrail_organization_accesskeys.idle.selected_count
    never    = data.actiontrail_organization_accesskeys.idle.never_used_count
    users    = data.actiontrail_organization_accesskeys.idle.user_count
    mgmt     = data.actiontrail_organization_accesskeys.idle.management_account_id
  }}
}}
"#
            ),
        );
        let out = ws.outputs();
        assert_eq!(
            ids(&out["ids"]),
            set(&[PROD_IDLE, PROD_NEVER, DEV_IDLE, DEV_NEVER]),
            "{tf:?}: {out}"
        );
        let keys = &out["keys"];
        assert_eq!(keys[PROD_IDLE]["account_id"], PROD, "{tf:?}: {keys}");
        assert_eq!(keys[PROD_IDLE]["account_name"], "prod");
        assert_eq!(keys[PROD_IDLE]["user_name"], "batch");
        assert_eq!(keys[PROD_IDLE]["days_since_last_used"], 200);
        assert_eq!(keys[DEV_NEVER]["account_id"], DEV);
        assert_eq!(keys[DEV_NEVER]["used"], false);
        assert_eq!(keys[DEV_IDLE]["account_name"], "dev");
        let counts = &out["counts"];
        assert_eq!(counts["accounts"], 3, "{tf:?}: {counts}");
        assert_eq!(counts["keys"], 4);
        // Before the filters: the management account's key, prod's three, dev's two.
        assert_eq!(counts["selected"], 6);
        assert_eq!(counts["never"], 2);
        assert_eq!(counts["users"], 5);
        assert_eq!(counts["mgmt"], MGMT);
        let accounts: Vec<(&str, bool)> = out["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["account_id"].as_str().unwrap(),
                    a["management"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            accounts,
            [(MGMT, true), (PROD, false), (DEV, false)],
            "{tf:?}: the management account first, then the members in the directory's order"
        );
        // The excluded account was never entered; each member once.
        let stats = org.sim.stats();
        assert_eq!(served(&org.sim, "AssumeRole"), 2, "{tf:?}: {stats}");
        assert_eq!(served(&org.sim, "GetCallerIdentity"), 1, "{tf:?}: {stats}");
        assert_eq!(served(&org.sim, "ListAccounts"), 1, "{tf:?}: {stats}");
    });
}

#[test]
fn a_member_whose_role_is_missing_fails_the_read_naming_it() {
    each_version(|tf| {
        let org = org(&[]);
        let ws = workspace(
            tf,
            &org,
            r#"
data "actiontrail_organization_accesskeys" "all" {}

output "n" {
  value = data.actiontrail_organization_accesskeys.all.key_count
}
"#,
        );
        let text = flat(&ws.fails(&["plan", "-no-color"]));
        assert!(
            text.contains(&format!("Cannot read account {LEGACY} (legacy)")),
            "{tf:?}: {text}"
        );
        assert!(text.contains("EntityNotExist.Role"), "{tf:?}: {text}");
        assert!(
            text.contains(&format!("add \"{LEGACY}\" to exclude_account_ids")),
            "{tf:?}: {text}"
        );
        assert!(!text.contains(CALLER_SECRET), "{tf:?}: the secret leaked");
    });
}

#[test]
fn the_gate_across_accounts_lists_each_recent_key_with_its_account() {
    each_version(|tf| {
        let org = org(&[]);
        let ws = workspace(
            tf,
            &org,
            &format!(
                r#"
data "actiontrail_organization_accesskeys" "retiring" {{
  account_ids             = ["{PROD}", "{DEV}"]
  role_name               = "ResourceDirectoryAccountAccessRole"
  fail_if_any_used_within = "30d"
}}
"#
            ),
        );
        let text = flat(&ws.fails(&["plan", "-no-color"]));
        assert!(
            text.contains("1 of 5 selected AccessKeys were used within 30 days"),
            "{tf:?}: {text}"
        );
        assert!(
            text.contains(&format!(
                "- {PROD_RECENT} (RAM user ci, account {PROD} prod): Ecs from 203.0.113.7 at"
            )),
            "{tf:?}: {text}"
        );
        for quiet in [
            PROD_IDLE, PROD_NEVER, DEV_IDLE, DEV_NEVER, MGMT_KEY, LEGACY_KEY,
        ] {
            assert!(!text.contains(quiet), "{tf:?}: {quiet} listed: {text}");
        }
    });
}

#[test]
fn named_keys_are_found_wherever_they_are_and_one_not_found_fails_the_read() {
    each_version(|tf| {
        let org = org(&[]);
        let ws = workspace(
            tf,
            &org,
            &format!(
                r#"
data "actiontrail_organization_accesskeys" "retiring" {{
  include_management_account = true
  exclude_account_ids        = ["{LEGACY}"]
  access_key_ids             = ["{DEV_IDLE}", "{PROD_NEVER}"]
  fail_if_any_used_within    = "30d"
}}

output "where" {{
  value = {{ for k in data.actiontrail_organization_accesskeys.retiring.keys : k.access_key_id => k.account_id }}
}}
output "selected" {{
  value = data.actiontrail_organization_accesskeys.retiring.selected_count
}}
"#
            ),
        );
        let out = ws.outputs();
        assert_eq!(
            out["where"],
            json!({ DEV_IDLE: DEV, PROD_NEVER: PROD }),
            "{tf:?}: both idle, the gate passes: {out}"
        );
        assert_eq!(out["selected"], 2, "{tf:?}: {out}");

        // The legacy account's key, its account left out: not found, and the read fails.
        let ws = workspace(
            tf,
            &org,
            &format!(
                r#"
data "actiontrail_organization_accesskeys" "retiring" {{
  exclude_account_ids = ["{LEGACY}"]
  access_key_ids      = ["{DEV_IDLE}", "{LEGACY_KEY}"]
}}
"#
            ),
        );
        let text = flat(&ws.fails(&["plan", "-no-color"]));
        assert!(
            text.contains("AccessKey not found in the organisation")
                && text.contains(&format!(
                    "{LEGACY_KEY} is not a RAM user's AccessKey in any of the 2 accounts read"
                )),
            "{tf:?}: {text}"
        );
    });
}

#[test]
fn under_flow_control_the_read_succeeds() {
    each_version(|tf| {
        // One call per second per Action and account: prod's and dev's two ListAccessKeys
        // and their keys' lookups arrive at once, so the emulator throttles some.
        let org = org(&["--rate-limit", "1"]);
        let ws = workspace(
            tf,
            &org,
            &format!(
                r#"
data "actiontrail_organization_accesskeys" "all" {{
  account_ids = ["{PROD}", "{DEV}"]
}}

output "ids" {{
  value = data.actiontrail_organization_accesskeys.all.matching_access_key_ids
}}
"#
            ),
        );
        let out = ws.outputs();
        assert_eq!(
            ids(&out["ids"]),
            set(&[PROD_RECENT, PROD_IDLE, PROD_NEVER, DEV_IDLE, DEV_NEVER]),
            "{tf:?}: {out}"
        );
        let stats = org.sim.stats();
        let throttled: u64 = stats["throttled"]
            .as_object()
            .map_or(0, |m| m.values().filter_map(J::as_u64).sum());
        assert!(throttled > 0, "{tf:?}: nothing was throttled: {stats}");
    });
}

#[test]
fn bad_arguments_are_diagnostics_at_their_lines() {
    let org = org(&[]);
    let ws = workspace(
        Tf::V1_15_5,
        &org,
        &format!(
            r#"
data "actiontrail_organization_accesskeys" "bad" {{
  account_ids         = ["12ab", "{PROD}"]
  exclude_account_ids = ["{PROD}"]
  role_name           = "no spaces allowed"
}}
"#
        ),
    );
    let text = flat(&ws.fails(&["validate", "-no-color"]));
    for what in [
        "\"12ab\" is not an account id (digits)",
        &format!("account {PROD} is both named in account_ids and excluded"),
        "\"no spaces allowed\" is not a RAM role name",
    ] {
        assert!(text.contains(what), "no diagnostic saying {what:?}: {text}");
    }
    assert_eq!(
        served(&org.sim, "ListAccounts"),
        0,
        "validation calls nothing"
    );
}

#[test]
fn an_exclusion_that_matches_no_account_warns_at_its_element() {
    each_version(|tf| {
        let org = org(&[]);
        // A typo of LEGACY (one digit short) beside LEGACY itself: the typo excludes
        // nothing, so without the warning a user would not learn the account is read.
        let typo = &LEGACY[..LEGACY.len() - 1];
        let ws = workspace(
            tf,
            &org,
            &format!(
                r#"
data "actiontrail_organization_accesskeys" "skip" {{
  exclude_account_ids = [
    "{LEGACY}",
    "{typo}",
  ]
}}

output "n" {{
  value = data.actiontrail_organization_accesskeys.skip.account_count
}}
"#
            ),
        );
        let text = ws.ok(&["plan", "-no-color"]);
        let line = std::fs::read_to_string(ws.work().join("main.tf"))
            .unwrap()
            .lines()
            .position(|l| l.trim() == format!("\"{typo}\","))
            .unwrap()
            + 1;
        let warnings: Vec<String> = text.split("Warning: ").skip(1).map(flat).collect();
        let warning = warnings
            .iter()
            .find(|w| w.starts_with("Excluded account not in the Resource Directory"))
            .unwrap_or_else(|| panic!("{tf:?}: no warning: {text}"));
        assert!(
            warning.contains(&format!("on main.tf line {line},"))
                && warning.contains(&format!("names account {typo}, which matches no account")),
            "{tf:?}: {warning}"
        );
        assert_eq!(
            warnings
                .iter()
                .filter(|w| w.contains("Excluded account"))
                .count(),
            1,
            "{tf:?}: only the typo warns: {text}"
        );
        // The read went on: prod and dev, LEGACY left out as asked.
        assert!(flat(&text).contains("+ n = 2"), "{tf:?}: {text}");
        assert_eq!(served(&org.sim, "AssumeRole"), 2, "{tf:?}");
    });
}
