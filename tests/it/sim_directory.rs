//! The emulator's Resource Directory and flow control, in-process over real HTTP: every
//! account listed once across ListAccounts' pages, only the management account listing it
//! or assuming its members' roles, a missing role answered as STS answers it, a member's
//! credentials reading that member alone (RAM and ActionTrail), GetCallerIdentity for each
//! kind of caller, and `--rate-limit`'s throttles counted per Action.

use crate::support::rpc::{Answer, Rpc};
use actiontrail_provider::sim::dataset::DataSet;
use actiontrail_provider::sim::organization::{
    member_account, member_key, ORG_CALLER_ID, ORG_CALLER_SECRET, ORG_MANAGEMENT_ACCOUNT,
    ORG_MEMBER_CALLER_ID, ORG_MEMBER_CALLER_SECRET,
};
use actiontrail_provider::sim::{spawn, RunningSim, SimConfig};
use serde_json::Value as J;
use std::collections::BTreeSet;
use std::time::Duration;

const MANAGEMENT: (&str, &str) = (ORG_CALLER_ID, ORG_CALLER_SECRET);
const MEMBER_USER: (&str, &str) = (ORG_MEMBER_CALLER_ID, ORG_MEMBER_CALLER_SECRET);
const RESOURCE_MANAGER: &str = "2020-03-31";
const STS: &str = "2015-04-01";
const RAM: &str = "2015-05-01";
const ACTIONTRAIL: &str = "2020-07-06";

/// Credentials to sign with: an AccessKey pair, and a SecurityToken for STS's.
#[derive(Clone)]
struct Signer {
    id: String,
    secret: String,
    token: Option<String>,
}

impl From<(&str, &str)> for Signer {
    fn from((id, secret): (&str, &str)) -> Signer {
        Signer {
            id: id.into(),
            secret: secret.into(),
            token: None,
        }
    }
}

impl Signer {
    /// One call, freshly signed (each with its own nonce).
    async fn call(
        &self,
        sim: &RunningSim,
        version: &'static str,
        action: &str,
        params: &[(&str, &str)],
    ) -> Answer {
        let mut rpc = Rpc::new(&sim.url, (&self.id, &self.secret));
        rpc.version = version;
        rpc.token = self.token.clone();
        rpc.call(action, params).await
    }
}

async fn org(accounts: usize, users: usize, config: SimConfig) -> RunningSim {
    spawn(config, DataSet::organization(accounts, users, 3))
        .await
        .unwrap()
}

fn role_arn(account: &str, role: &str) -> String {
    format!("acs:ram::{account}:role/{role}")
}

/// The management caller's credentials for `role` in `account`.
async fn assume(sim: &RunningSim, account: &str, role: &str) -> Answer {
    Signer::from(MANAGEMENT)
        .call(
            sim,
            STS,
            "AssumeRole",
            &[
                ("RoleArn", &role_arn(account, role)),
                ("RoleSessionName", "org-audit"),
            ],
        )
        .await
}

fn signer_of(assumed: J) -> Signer {
    let c = &assumed["Credentials"];
    Signer {
        id: c["AccessKeyId"].as_str().unwrap().into(),
        secret: c["AccessKeySecret"].as_str().unwrap().into(),
        token: Some(c["SecurityToken"].as_str().unwrap().into()),
    }
}

#[tokio::test]
async fn list_accounts_pages_cover_every_account_exactly_once() {
    let sim = org(23, 1, SimConfig::default()).await;
    let management = Signer::from(MANAGEMENT);
    let mut seen = Vec::new();
    for page_number in 1..=5 {
        let page = management
            .call(
                &sim,
                RESOURCE_MANAGER,
                "ListAccounts",
                &[("PageNumber", &page_number.to_string()), ("PageSize", "7")],
            )
            .await
            .ok();
        assert_eq!(page["TotalCount"], 24, "{page}");
        assert_eq!(
            (page["PageNumber"].as_u64(), page["PageSize"].as_u64()),
            (Some(page_number), Some(7))
        );
        assert!(page["RequestId"].is_string());
        let accounts = page["Accounts"]["Account"].as_array().unwrap();
        assert_eq!(
            accounts.len(),
            [7, 7, 7, 3, 0][page_number as usize - 1],
            "page {page_number}"
        );
        for a in accounts {
            for field in [
                "AccountId",
                "DisplayName",
                "FolderId",
                "JoinMethod",
                "JoinTime",
                "ModifyTime",
                "ResourceDirectoryId",
                "ResourceDirectoryPath",
                "Status",
                "Type",
            ] {
                assert!(a[field].is_string(), "{field} in {a}");
            }
            let id = a["AccountId"].as_str().unwrap().to_owned();
            assert!(a["ResourceDirectoryPath"].as_str().unwrap().ends_with(&id));
            let kind = if id == ORG_MANAGEMENT_ACCOUNT {
                "CloudAccount"
            } else {
                "ResourceAccount"
            };
            assert_eq!(a["Type"], kind, "{a}");
            seen.push(id);
        }
    }
    let want: BTreeSet<String> = std::iter::once(ORG_MANAGEMENT_ACCOUNT.to_owned())
        .chain((1..=23).map(member_account))
        .collect();
    assert_eq!(seen.len(), 24, "each account once: {seen:?}");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), want);

    let first = management
        .call(&sim, RESOURCE_MANAGER, "ListAccounts", &[])
        .await
        .ok();
    assert_eq!(
        first["Accounts"]["Account"].as_array().unwrap().len(),
        10,
        "default page of 10"
    );
    assert_eq!(first["PageNumber"], 1);
    for (name, value) in [
        ("PageSize", "0"),
        ("PageSize", "101"),
        ("PageSize", "ten"),
        ("PageNumber", "0"),
    ] {
        management
            .call(&sim, RESOURCE_MANAGER, "ListAccounts", &[(name, value)])
            .await
            .err("InvalidParameter", 400);
    }
}

#[tokio::test]
async fn only_the_management_account_lists_the_directory_or_assumes_its_roles() {
    let sim = org(3, 2, SimConfig::default()).await;
    let refused = Signer::from(MEMBER_USER)
        .call(&sim, RESOURCE_MANAGER, "ListAccounts", &[])
        .await;
    refused.err("NoPermission", 403);
    assert!(refused.body["Message"]
        .as_str()
        .unwrap()
        .contains(ORG_MANAGEMENT_ACCOUNT));
    Signer::from(MEMBER_USER)
        .call(
            &sim,
            STS,
            "AssumeRole",
            &[
                (
                    "RoleArn",
                    &role_arn(&member_account(2), "ResourceDirectoryAccountAccessRole"),
                ),
                ("RoleSessionName", "sideways"),
            ],
        )
        .await
        .err("NoPermission", 403);
    // A member's assumed role is the member, not the management account.
    let member = signer_of(
        assume(
            &sim,
            &member_account(1),
            "ResourceDirectoryAccountAccessRole",
        )
        .await
        .ok(),
    );
    member
        .call(&sim, RESOURCE_MANAGER, "ListAccounts", &[])
        .await
        .err("NoPermission", 403);

    // Without a directory, the one error Alibaba documents for ListAccounts.
    let demo = spawn(SimConfig::default(), DataSet::demo()).await.unwrap();
    Signer::from((
        crate::support::DEMO_ACCESS_KEY_ID,
        crate::support::DEMO_ACCESS_KEY_SECRET,
    ))
    .call(&demo, RESOURCE_MANAGER, "ListAccounts", &[])
    .await
    .err("EntityNotExists.ResourceDirectory", 404);
}

#[tokio::test]
async fn a_role_the_member_lacks_fails_as_sts_answers_a_missing_role() {
    let sim = org(2, 1, SimConfig::default()).await;
    let missing = assume(&sim, &member_account(2), "AuditReadOnly").await;
    missing.err("EntityNotExist.Role", 404);
    assert!(missing.body["Message"]
        .as_str()
        .unwrap()
        .contains("AuditReadOnly"));
    // The role is the member's own: the management account holds none.
    assume(
        &sim,
        ORG_MANAGEMENT_ACCOUNT,
        "ResourceDirectoryAccountAccessRole",
    )
    .await
    .err("EntityNotExist.Role", 404);
    // An account outside the directory is assumed as before: its credentials read what the
    // caller reads.
    let outside = signer_of(assume(&sim, "1234567890123456", "auditor").await.ok());
    let who = outside.call(&sim, STS, "GetCallerIdentity", &[]).await.ok();
    assert_eq!(who["AccountId"], ORG_MANAGEMENT_ACCOUNT, "{who}");
}

#[tokio::test]
async fn a_members_credentials_read_that_member_alone() {
    let users = 7;
    let sim = org(3, users, SimConfig::default()).await;
    let me = Signer::from(MANAGEMENT)
        .call(&sim, STS, "GetCallerIdentity", &[])
        .await
        .ok();
    assert_eq!(
        (me["AccountId"].as_str(), me["IdentityType"].as_str()),
        (Some(ORG_MANAGEMENT_ACCOUNT), Some("RAMUser")),
        "{me}"
    );
    assert_eq!(
        me["Arn"],
        format!("acs:ram::{ORG_MANAGEMENT_ACCOUNT}:user/org-auditor")
    );
    assert!(me["UserId"].is_string() && me["PrincipalId"] == me["UserId"]);
    // The management caller itself reads its own account only.
    Signer::from(MANAGEMENT)
        .call(
            &sim,
            ACTIONTRAIL,
            "GetAccessKeyLastUsedInfo",
            &[("AccessKey", &member_key(2, 1))],
        )
        .await
        .err("Forbidden.RAM", 403);

    let assumed = assume(
        &sim,
        &member_account(2),
        "ResourceDirectoryAccountAccessRole",
    )
    .await
    .ok();
    let member = signer_of(assumed);
    let who = member.call(&sim, STS, "GetCallerIdentity", &[]).await.ok();
    assert_eq!(who["AccountId"], member_account(2), "{who}");
    assert_eq!(who["IdentityType"], "AssumedRoleUser");
    assert_eq!(
        who["Arn"],
        format!(
            "acs:ram::{}:assumed-role/resourcedirectoryaccountaccessrole/org-audit",
            member_account(2)
        )
    );
    let role_id = who["RoleId"].as_str().unwrap();
    assert_eq!(who["PrincipalId"], format!("{role_id}:org-audit"));

    let listed = member
        .call(&sim, RAM, "ListUsers", &[("MaxItems", "1000")])
        .await
        .ok();
    let names: Vec<&str> = listed["Users"]["User"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["UserName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), users, "the member's users alone: {names:?}");
    let keys = member
        .call(&sim, RAM, "ListAccessKeys", &[("UserName", names[0])])
        .await
        .ok();
    assert_eq!(
        keys["AccessKeys"]["AccessKey"][0]["AccessKeyId"],
        member_key(2, 1)
    );

    let info = member
        .call(
            &sim,
            ACTIONTRAIL,
            "GetAccessKeyLastUsedInfo",
            &[("AccessKey", &member_key(2, 3))],
        )
        .await
        .ok();
    assert_eq!(info["AccountId"], member_account(2));
    for other in [member_key(1, 1), member_key(3, 1)] {
        member
            .call(
                &sim,
                ACTIONTRAIL,
                "GetAccessKeyLastUsedInfo",
                &[("AccessKey", &other)],
            )
            .await
            .err("Forbidden.RAM", 403);
    }
}

/// `n` calls of GetCallerIdentity by `signer` sent at once; their answers.
async fn burst(sim: &RunningSim, signer: &Signer, n: usize) -> Vec<Answer> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (signer, url) = (signer.clone(), sim.url.clone());
        set.spawn(async move {
            let mut rpc = Rpc::new(&url, (&signer.id, &signer.secret));
            rpc.version = STS;
            rpc.token = signer.token.clone();
            rpc.call("GetCallerIdentity", &[]).await
        });
    }
    let mut answers = Vec::new();
    while let Some(a) = set.join_next().await {
        answers.push(a.unwrap());
    }
    answers
}

fn count(stats: &J, field: &str, action: &str) -> u64 {
    stats[field][action].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn above_the_rate_calls_are_throttled_and_counted_per_action() {
    let rate = 5;
    let sim = org(
        2,
        1,
        SimConfig {
            rate_limit: rate,
            ..SimConfig::default()
        },
    )
    .await;
    let sent = 3 * rate as usize;
    let answers = burst(&sim, &Signer::from(MANAGEMENT), sent).await;
    let throttled: Vec<&Answer> = answers.iter().filter(|a| a.status != 200).collect();
    for a in &throttled {
        a.err("Throttling.User", 400);
        assert!((1..=200).contains(&retry_after_ms(a)), "{}", a.body);
        assert_eq!(
            a.body["Message"],
            "Request was denied due to user flow control."
        );
    }
    let stats = sim.state.stats();
    let (served, refused) = (
        count(&stats, "served", "GetCallerIdentity"),
        count(&stats, "throttled", "GetCallerIdentity"),
    );
    assert_eq!(served + refused, sent as u64, "{stats}");
    assert_eq!(refused, throttled.len() as u64, "{stats}");
    assert!(refused > 0 && served >= u64::from(rate), "{stats}");
    assert_eq!(stats["rate_limit"], rate);
    // The quota is per caller account and per Action: neither another account nor
    // another Action of the same account is refused for it.
    let other = burst(&sim, &Signer::from(MEMBER_USER), rate as usize).await;
    assert!(other.iter().all(|a| a.status == 200));
    Signer::from(MANAGEMENT)
        .call(&sim, RESOURCE_MANAGER, "ListAccounts", &[])
        .await
        .ok();
    let stats = sim.state.stats();
    assert_eq!(count(&stats, "throttled", "ListAccounts"), 0, "{stats}");
}

/// A call's parameters besides the common ones.
type Params<'a> = &'a [(&'a str, &'a str)];

/// A throttled answer's `x-acs-retry-after`, whole milliseconds as Alibaba's SDKs read it.
fn retry_after_ms(a: &Answer) -> u64 {
    let header = a
        .headers
        .get("x-acs-retry-after")
        .unwrap_or_else(|| panic!("no x-acs-retry-after on {}", a.body));
    header.to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_throttled_answer_says_when_to_retry_and_names_the_product_called() {
    let sim = org(
        1,
        1,
        SimConfig {
            rate_limit: 1,
            ..SimConfig::default()
        },
    )
    .await;
    let (management, member) = (Signer::from(MANAGEMENT), Signer::from(MEMBER_USER));
    let key = member_key(1, 1);
    let calls: [(&str, &Signer, &str, &str, Params); 4] = [
        (
            "Actiontrail",
            &member,
            ACTIONTRAIL,
            "GetAccessKeyLastUsedInfo",
            &[("AccessKey", &key)],
        ),
        ("Ram", &management, RAM, "ListUsers", &[]),
        ("Sts", &management, STS, "GetCallerIdentity", &[]),
        (
            "ResourceManager",
            &management,
            RESOURCE_MANAGER,
            "ListAccounts",
            &[],
        ),
    ];
    for (product, signer, version, action, params) in calls {
        // One call a second: the first takes the bucket's token, the second is refused.
        signer.call(&sim, version, action, params).await.ok();
        let refused = signer.call(&sim, version, action, params).await;
        refused.err("Throttling.User", 400);
        let request_id = refused.body["RequestId"].as_str().unwrap();
        assert_eq!(
            refused.body["Recommend"],
            format!(
                "https://api.aliyun.com/troubleshoot?q=Throttling.User&product={product}&requestId={request_id}"
            ),
            "{action}"
        );
        // Never more than the one token interval of a rate of 1, and never 0, which the
        // SDKs ignore.
        let wait = retry_after_ms(&refused);
        assert!((1..=1000).contains(&wait), "{action}: {wait} ms");
        // Waiting as long as the answer says is enough for the same caller and Action.
        tokio::time::sleep(Duration::from_millis(wait)).await;
        signer.call(&sim, version, action, params).await.ok();
    }
    // An error other than throttling names its product too, and carries no retry hint.
    let missing = assume(&sim, &member_account(1), "NoSuchRole").await;
    missing.err("EntityNotExist.Role", 404);
    assert!(
        missing.body["Recommend"]
            .as_str()
            .unwrap()
            .contains("&product=Sts&"),
        "{}",
        missing.body
    );
    assert!(missing.headers.get("x-acs-retry-after").is_none());
}

#[tokio::test]
async fn a_client_paced_below_the_rate_is_never_throttled_and_the_rate_changes_at_run_time() {
    let sim = org(
        1,
        1,
        SimConfig {
            rate_limit: 20,
            ..SimConfig::default()
        },
    )
    .await;
    let management = Signer::from(MANAGEMENT);
    for _ in 0..30 {
        management
            .call(&sim, STS, "GetCallerIdentity", &[])
            .await
            .ok();
        // 10 calls a second, half the rate: each call waits at least this long after the
        // last answer, so the calls can only be slower than that, never faster.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stats = sim.state.stats();
    assert_eq!(count(&stats, "served", "GetCallerIdentity"), 30, "{stats}");
    assert_eq!(
        count(&stats, "throttled", "GetCallerIdentity"),
        0,
        "{stats}"
    );

    let client = reqwest::Client::new();
    let set = |rate: u32| {
        let client = client.clone();
        let url = format!("{}/__sim/config", sim.url);
        async move {
            let r = client
                .post(url)
                .json(&serde_json::json!({ "rate_limit": rate }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<J>().await.unwrap()
        }
    };
    assert_eq!(set(2).await["rate_limit"], 2);
    let answers = burst(&sim, &management, 10).await;
    assert!(answers.iter().filter(|a| a.status == 400).count() > 0);
    set(0).await;
    let answers = burst(&sim, &management, 20).await;
    assert!(answers.iter().all(|a| a.status == 200), "0 is no limit");
    let bad = client
        .post(format!("{}/__sim/config", sim.url))
        .json(&serde_json::json!({ "rate_limit": -1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}

#[test]
fn the_binary_serves_a_generated_organization_whose_dump_round_trips() {
    let bin = env!("CARGO_BIN_EXE_actiontrail-sim");
    let out = std::process::Command::new(bin)
        .args(["--organization", "2:3", "--seed", "5", "--dump-data"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        crate::support::output_text(&out)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let dumped = DataSet::from_json(&text).unwrap();
    assert_eq!(dumped, DataSet::organization(2, 3, 5));
    assert!(
        text.contains(ORG_CALLER_SECRET),
        "the caller's credentials are in the dump"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("org.json");
    std::fs::write(&file, &text).unwrap();
    let sim = crate::support::Sim::start(&["--data", file.to_str().unwrap(), "--rate-limit", "1"]);
    let list = || {
        let mut rpc = Rpc::new(&sim.url, MANAGEMENT);
        rpc.version = RESOURCE_MANAGER;
        rpc.call_blocking("ListAccounts", &[])
    };
    assert_eq!(list().ok()["TotalCount"], 3);
    list().err("Throttling.User", 400);
    let stats = sim.stats();
    assert_eq!(
        (
            count(&stats, "served", "ListAccounts"),
            count(&stats, "throttled", "ListAccounts")
        ),
        (1, 1),
        "{stats}"
    );

    for bad in [
        &["--organization", "5"][..],
        &["--organization", "0:5"],
        &["--organization", "2:3", "--data", "x.json"],
        &["--rate-limit", "-1"],
    ] {
        let out = std::process::Command::new(bin)
            .args(bad)
            .arg("--dump-data")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?} is refused");
    }
}
