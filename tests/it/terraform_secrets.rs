//! One secret boundary, under real Terraform: distinct secrets are planted everywhere an
//! endpoint or a helper process can echo them (a service error's Message, HostId and
//! Recommend; an answer about another key; STS quoting the OIDC token; an External
//! credential process's stderr; a credentials URI's query; the STS credentials a broker
//! hands out), and none of them is found in the plan output, at `TF_LOG=trace`, in the
//! saved plan, in `show -json` or in the state after apply.
//!
//! Each case also proves the planted secret was in play (the mock saw it sent, or the
//! echoing answer's code reached the output with `<redacted>` where the secret stood), so
//! the search would find it if the scrubber let it through.

use crate::support;

use crate::support::{terraform_block, Sim, Tf, Workspace};
use std::sync::{Arc, Mutex};

const RECENT: &str = "LTAI5tRecentUse000000001";
const CALLER_ID: &str = "LTAI5tCallerPlanted00001";
const CALLER_SECRET: &str = "CallerSecretPlantedA1b2C3d4E5f6";
const CALLER_TOKEN: &str = "CAISCallerTokenPlantedZ9y8X7w6V5u4";
const OIDC_TOKEN: &str = "OidcOpaqueTokenPlanted0123456789abcdef";
const EXT_SECRET: &str = "ExtSecretPlanted9Q8W7E6R5T4Y3U2";
const EXT_TOKEN: &str = "CAISExtTokenPlanted1A2S3D4F5G6H7";
const URI_QUERY_SECRET: &str = "BrokerQuerySecret4f3e2d1c0b9a";
const ROLE: &str = "acs:ram::1234567890123456:role/auditor";
const OIDC_PROVIDER: &str = "acs:ram::1234567890123456:oidc-provider/github-actions";

/// Every request a mock received, as `METHOD URI BODY`.
type Seen = Arc<Mutex<Vec<String>>>;

/// A loopback endpoint answering every request with `status` and `body`.
fn mock(rt: &tokio::runtime::Runtime, status: u16, body: String) -> (String, Seen) {
    use axum::extract::Request;
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |req: Request| {
        let (log, body) = (log.clone(), body.clone());
        async move {
            let line = format!("{} {}", req.method(), req.uri());
            let sent = axum::body::to_bytes(req.into_body(), 1 << 20)
                .await
                .unwrap();
            log.lock()
                .unwrap()
                .push(format!("{line} {}", String::from_utf8_lossy(&sent)));
            axum::response::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body))
                .unwrap()
        }
    });
    (rt.block_on(support::mock::serve(app)), seen)
}

fn hcl(provider_body: &str) -> String {
    format!(
        "{}\nprovider \"actiontrail\" {{\n  max_retries = 0\n{provider_body}}}\n\ndata \"actiontrail_accesskey_last_used\" \"k\" {{\n  access_key_id = \"{RECENT}\"\n}}\n\noutput \"used\" {{\n  value = data.actiontrail_accesskey_last_used.k.used\n}}\n",
        terraform_block()
    )
}

/// Text from a Terraform run: stdout and stderr (which carries the trace log).
fn text(out: &std::process::Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts none of `secrets` is in `haystack` (named `what`).
fn none_found(what: &str, haystack: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !haystack.contains(s),
            "{what} holds the planted secret {s}:\n{}",
            &haystack[haystack.find(s).unwrap().saturating_sub(400)..]
                .chars()
                .take(800)
                .collect::<String>()
        );
    }
}

/// A failing plan at TF_LOG=trace: its whole output.
fn failing_plan_at_trace(ws: &mut Workspace) -> String {
    ws.env("TF_LOG", "trace");
    ws.init();
    let out = ws.run(&["plan", "-input=false", "-no-color"]);
    assert!(
        !out.status.success(),
        "the plan should fail:\n{}",
        text(&out)
    );
    text(&out)
}

#[test]
fn a_service_error_echoing_the_callers_secret_and_token_in_message_host_id_and_recommend() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let body = serde_json::json!({
        "RequestId": "6B4A0E34-SECRETS-TEST-0001",
        "Code": "InvalidSecurityToken.Malformed",
        "Message": format!("the security token {CALLER_TOKEN} given with {CALLER_SECRET} is malformed"),
        "HostId": format!("actiontrail.cn-hangzhou.aliyuncs.com {CALLER_TOKEN}"),
        "Recommend": format!("https://api.aliyun.com/troubleshoot?q={CALLER_SECRET}"),
    });
    let (url, seen) = mock(&rt, 400, body.to_string());
    for tf in [Tf::V1_15_5, Tf::V0_13_5] {
        let mut ws = Workspace::new(tf, &hcl(&format!("  endpoint = \"{url}\"\n")));
        ws.env("ALIBABA_CLOUD_ACCESS_KEY_ID", CALLER_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", CALLER_SECRET)
            .env("ALIBABA_CLOUD_SECURITY_TOKEN", CALLER_TOKEN);
        let out = failing_plan_at_trace(&mut ws);
        assert!(out.contains("InvalidSecurityToken.Malformed"), "{out}");
        assert!(
            out.contains("<redacted>"),
            "the echo reached the output, scrubbed:\n{out}"
        );
        none_found(
            &format!("{tf:?} plan at trace"),
            &out,
            &[CALLER_SECRET, CALLER_TOKEN],
        );
    }
    let sent = seen.lock().unwrap().join("\n");
    assert!(
        sent.contains(&format!("SecurityToken={CALLER_TOKEN}")),
        "the token was in play: {sent}"
    );
}

#[test]
fn an_answer_about_another_key_that_is_the_callers_secret() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let body = serde_json::json!({
        "RequestId": "6B4A0E34-SECRETS-TEST-0002",
        "AccessKeyId": CALLER_SECRET,
        "AccountId": "1234567890123456",
        "AccountType": "ram-user",
    });
    let (url, seen) = mock(&rt, 200, body.to_string());
    let mut ws = Workspace::new(Tf::V1_15_5, &hcl(&format!("  endpoint = \"{url}\"\n")));
    ws.env("ALIBABA_CLOUD_ACCESS_KEY_ID", CALLER_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", CALLER_SECRET);
    let out = failing_plan_at_trace(&mut ws);
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("another AccessKey (<redacted>)"), "{flat}");
    none_found("plan at trace", &out, &[CALLER_SECRET]);
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn an_sts_error_echoing_the_oidc_token() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let body = serde_json::json!({
        "RequestId": "6B4A0E34-SECRETS-TEST-0003",
        "Code": "AuthenticationFail.OIDCToken.Invalid",
        "Message": format!("the OIDC token {OIDC_TOKEN} is not valid for this provider"),
    });
    let (sts, seen) = mock(&rt, 400, body.to_string());
    let sim = Sim::start(&[]);
    let mut ws = Workspace::new(
        Tf::V1_15_5,
        &hcl(&format!(
            "  endpoint = \"{}\"\n  sts_endpoint = \"{sts}\"\n  assume_role_with_oidc {{\n    role_arn = \"{ROLE}\"\n    oidc_provider_arn = \"{OIDC_PROVIDER}\"\n    oidc_token_file = \"TOKEN_FILE\"\n  }}\n",
            sim.url
        )),
    );
    let token_file = ws.dir.path().join("oidc-token");
    std::fs::write(&token_file, OIDC_TOKEN).unwrap();
    let main = ws.work().join("main.tf");
    let text_hcl = std::fs::read_to_string(&main)
        .unwrap()
        .replace("TOKEN_FILE", &token_file.display().to_string());
    std::fs::write(&main, text_hcl).unwrap();
    let out = failing_plan_at_trace(&mut ws);
    assert!(
        out.contains("AuthenticationFail.OIDCToken.Invalid"),
        "{out}"
    );
    none_found("plan at trace", &out, &[OIDC_TOKEN]);
    let sent = seen.lock().unwrap().join("\n");
    assert!(
        sent.contains(&format!("OIDCToken={OIDC_TOKEN}")),
        "the token was in play: {sent}"
    );
}

#[test]
fn an_external_credential_process_printing_secrets_on_stderr() {
    let sim = Sim::start(&[]);
    let mut ws = Workspace::new(
        Tf::V1_15_5,
        &hcl(&format!("  endpoint = \"{}\"\n", sim.url)),
    );
    let script = ws.dir.path().join("sign-in.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"refresh failed: AccessKeySecret {EXT_SECRET} SecurityToken {EXT_TOKEN} (try again)\" >&2\nexit 3\n"),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let config = serde_json::json!({
        "current": "sso",
        "profiles": [{"name": "sso", "mode": "External", "process_command": script.display().to_string()}],
    });
    let dir = ws.dir.path().join(".aliyun");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let out = failing_plan_at_trace(&mut ws);
    assert!(
        out.contains("refresh failed"),
        "the process's stderr is quoted:\n{out}"
    );
    assert!(out.contains("(try again)"), "{out}");
    none_found("plan at trace", &out, &[EXT_SECRET, EXT_TOKEN]);
}

#[test]
fn a_credentials_uri_with_a_secret_query_and_the_sts_credentials_it_hands_out() {
    let sim = Sim::start(&[]);
    let uri = format!(
        "{}/latest/meta-data/ram/security-credentials/EcsAuditRole?broker_key={URI_QUERY_SECRET}",
        sim.url
    );
    let mut ws = Workspace::new(
        Tf::V1_15_5,
        &hcl(&format!("  endpoint = \"{}\"\n", sim.url)),
    );
    ws.env("ALIBABA_CLOUD_CREDENTIALS_URI", &uri)
        .env("TF_LOG", "trace");
    ws.init();
    let mut seen = String::new();
    for args in [
        &["plan", "-input=false", "-no-color", "-out=tfplan"][..],
        &["apply", "-input=false", "-no-color", "tfplan"],
        &["show", "-json", "tfplan"],
        &["show", "-json"],
        &["plan", "-input=false", "-no-color"],
    ] {
        let out = ws.run(args);
        assert!(out.status.success(), "{args:?}:\n{}", text(&out));
        seen.push_str(&text(&out));
    }
    let plan = std::process::Command::new("unzip")
        .args(["-p", "tfplan"])
        .current_dir(ws.work())
        .output()
        .expect("unzip reads the saved plan");
    assert!(plan.status.success() && !plan.stdout.is_empty());
    let plan = String::from_utf8_lossy(&plan.stdout).into_owned();
    assert!(
        plan.contains(RECENT),
        "the search reads the plan's contents"
    );
    let state = std::fs::read_to_string(ws.work().join("terraform.tfstate")).unwrap();
    assert!(state.contains("\"used\""), "{state}");
    // What the broker handed out (the emulator hands the same ones while they are fresh).
    let issued: serde_json::Value = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { reqwest::get(&uri).await.unwrap().json().await.unwrap() });
    let secret = issued["AccessKeySecret"].as_str().unwrap().to_owned();
    let token = issued["SecurityToken"].as_str().unwrap().to_owned();
    let planted = [URI_QUERY_SECRET, secret.as_str(), token.as_str()];
    assert!(
        seen.contains("credentials URI"),
        "the source is logged, by its path alone"
    );
    none_found("plan, apply and show at trace", &seen, &planted);
    none_found("the saved plan", &plan, &planted);
    none_found("the state", &state, &planted);
}
