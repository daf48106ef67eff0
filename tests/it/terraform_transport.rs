//! One transport policy, under real Terraform: every endpoint that carries a credential
//! or an answer the rotation gate relies on is refused over plain HTTP to a host that is
//! not loopback, with an error naming the argument (at its line of HCL) or the
//! environment variable, before anything is dialled; loopback HTTP keeps working; and
//! `insecure_http = true` lets plain HTTP through with a warning naming each endpoint.
//!
//! Nothing leaves the machine: every run has `HTTP_PROXY` and `HTTPS_PROXY` pointed at a
//! loopback listener, so a request the policy failed to stop would reach it (and be
//! counted) instead of the network; the hosts named are never resolved.

use crate::support;

use crate::support::{
    terraform_block, Sim, Tf, Workspace, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const RECENT: &str = "LTAI5tRecentUse000000001";
const ROLE: &str = "acs:ram::1234567890123456:role/auditor";
const OIDC_PROVIDER: &str = "acs:ram::1234567890123456:oidc-provider/github-actions";
const ACTIONTRAIL: &str = "http://actiontrail.cn-hangzhou.aliyuncs.com";

/// A loopback listener standing in for the network: it counts the connections it gets.
fn tripwire() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let dialled = Arc::new(AtomicUsize::new(0));
    let count = dialled.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            count.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    (url, dialled)
}

/// A provider block, its environment, what the refusal names, and the HCL it points at.
type Case = (
    String,
    Vec<(&'static str, String)>,
    String,
    Option<&'static str>,
);

fn hcl(provider_body: &str) -> String {
    format!(
        "{}\nprovider \"actiontrail\" {{\n{provider_body}}}\n\ndata \"actiontrail_accesskey_last_used\" \"k\" {{\n  access_key_id = \"{RECENT}\"\n}}\n\noutput \"used\" {{\n  value = data.actiontrail_accesskey_last_used.k.used\n}}\n",
        terraform_block()
    )
}

fn workspace(tf: Tf, provider_body: &str, proxy: &str) -> Workspace {
    let mut ws = Workspace::new(tf, &hcl(provider_body));
    ws.env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_ACCESS_KEY_SECRET)
        .env("HTTP_PROXY", proxy)
        .env("HTTPS_PROXY", proxy);
    ws
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A plan that fails; its output on one line.
fn refused(ws: &Workspace) -> String {
    ws.init();
    one_line(&ws.fails(&["plan", "-input=false", "-no-color"]))
}

#[test]
fn each_plain_http_endpoint_to_a_real_host_is_refused_naming_it_before_any_dial() {
    let (proxy, dialled) = tripwire();
    let sim = Sim::start(&[]);
    let token_dir = tempfile::tempdir().unwrap();
    let token_file = token_dir.path().join("token");
    std::fs::write(&token_file, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln").unwrap();
    let token_file = token_file.display().to_string();
    let loopback = format!("  endpoint = \"{}\"\n", sim.url);
    let cases: Vec<Case> = vec![
        (
            format!("  endpoint = \"{ACTIONTRAIL}\"\n"),
            vec![],
            format!("endpoint is {ACTIONTRAIL}/"),
            Some("endpoint ="),
        ),
        (
            "  protocol = \"HTTP\"\n".into(),
            vec![],
            format!("protocol is {ACTIONTRAIL}/"),
            Some("protocol ="),
        ),
        (
            String::new(),
            vec![("ACTIONTRAIL_ENDPOINT", ACTIONTRAIL.to_owned())],
            format!("the environment variable ACTIONTRAIL_ENDPOINT is {ACTIONTRAIL}/"),
            None,
        ),
        (
            format!("{loopback}  ram_endpoint = \"http://ram.aliyuncs.com\"\n"),
            vec![],
            "ram_endpoint is http://ram.aliyuncs.com/".into(),
            Some("ram_endpoint ="),
        ),
        (
            format!("{loopback}  endpoints {{\n    ram = \"http://ram.aliyuncs.com\"\n  }}\n"),
            vec![],
            "endpoints.ram is http://ram.aliyuncs.com/".into(),
            Some("ram ="),
        ),
        (
            format!("{loopback}  resourcemanager_endpoint = \"http://resourcemanager.aliyuncs.com\"\n"),
            vec![],
            "resourcemanager_endpoint is http://resourcemanager.aliyuncs.com/".into(),
            Some("resourcemanager_endpoint ="),
        ),
        (
            format!("{loopback}  endpoints {{\n    resourcemanager = \"http://resourcemanager.aliyuncs.com\"\n  }}\n"),
            vec![],
            "endpoints.resourcemanager is http://resourcemanager.aliyuncs.com/".into(),
            Some("resourcemanager ="),
        ),
        (
            loopback.clone(),
            vec![(
                "ALIBABA_CLOUD_RESOURCEMANAGER_ENDPOINT",
                "http://resourcemanager.aliyuncs.com".to_owned(),
            )],
            "the environment variable ALIBABA_CLOUD_RESOURCEMANAGER_ENDPOINT is http://resourcemanager.aliyuncs.com/".into(),
            None,
        ),
        (
            format!("{loopback}  sts_endpoint = \"http://sts.aliyuncs.com\"\n  assume_role {{\n    role_arn = \"{ROLE}\"\n  }}\n"),
            vec![],
            "sts_endpoint is http://sts.aliyuncs.com/".into(),
            Some("sts_endpoint ="),
        ),
        (
            loopback.clone(),
            vec![
                ("ALIBABA_CLOUD_STS_ENDPOINT", "http://sts.aliyuncs.com".to_owned()),
                ("ALICLOUD_ASSUME_ROLE_ARN", ROLE.to_owned()),
            ],
            "ALIBABA_CLOUD_STS_ENDPOINT is http://sts.aliyuncs.com/".into(),
            None,
        ),
        (
            format!("{loopback}  sts_endpoint = \"http://sts.aliyuncs.com\"\n  assume_role_with_oidc {{\n    role_arn = \"{ROLE}\"\n    oidc_provider_arn = \"{OIDC_PROVIDER}\"\n    oidc_token_file = \"{token_file}\"\n  }}\n"),
            vec![],
            "sts_endpoint is http://sts.aliyuncs.com/".into(),
            Some("sts_endpoint ="),
        ),
        (
            format!("{loopback}  credentials_uri = \"http://broker.example.com/creds?key=QueryHeldSecret77\"\n"),
            vec![],
            // Right after the path: the query is not shown.
            "credentials_uri is http://broker.example.com/creds:".into(),
            Some("credentials_uri ="),
        ),
        (
            loopback.clone(),
            vec![(
                "ALIBABA_CLOUD_CREDENTIALS_URI",
                "http://broker.example.com/creds?key=QueryHeldSecret77".to_owned(),
            )],
            "ALIBABA_CLOUD_CREDENTIALS_URI is http://broker.example.com/creds:".into(),
            None,
        ),
    ];
    for (i, (body, env, names, line)) in cases.iter().enumerate() {
        // The oldest and the newest Terraform each see some of the refusals.
        let tf = if i % 3 == 2 { Tf::V0_13_5 } else { Tf::V1_15_5 };
        let mut ws = workspace(tf, body, &proxy);
        if body.contains("credentials_uri") || env.iter().any(|(k, _)| k.contains("URI")) {
            // No key: the credentials URI is the source.
            ws = Workspace::new(tf, &hcl(body));
            ws.env("HTTP_PROXY", &proxy).env("HTTPS_PROXY", &proxy);
        }
        for (k, v) in env {
            ws.env(k, v);
        }
        let out = refused(&ws);
        assert!(
            out.contains(names.as_str()),
            "{tf:?} case {i}: {names:?} missing from:\n{out}"
        );
        assert!(
            out.contains("insecure_http = true"),
            "{tf:?} case {i} says what to do:\n{out}"
        );
        if let Some(line) = line {
            assert!(
                out.contains("on main.tf line") && out.contains(line),
                "{tf:?} case {i}: not at the argument's line ({line}):\n{out}"
            );
        }
        if !body.contains("QueryHeldSecret77") {
            // Terraform quotes the HCL line itself; the provider never quotes the query.
            assert!(
                !out.contains("QueryHeldSecret77"),
                "case {i}: the URI's query is shown:\n{out}"
            );
        }
    }
    assert_eq!(
        dialled.load(Ordering::SeqCst),
        0,
        "a refused endpoint was dialled"
    );
    assert_eq!(
        sim.stats()["requests_total"],
        0,
        "nothing reached the emulator"
    );
}

#[test]
fn loopback_http_by_address_or_localhost_keeps_working() {
    let (proxy, dialled) = tripwire();
    let sim = Sim::start(&[]);
    let port = sim.url.rsplit(':').next().unwrap();
    for (tf, endpoint) in [
        (Tf::V1_15_5, sim.url.clone()),
        (Tf::V1_0_3, format!("http://localhost:{port}")),
    ] {
        let mut ws = workspace(tf, &format!("  endpoint = \"{endpoint}\"\n"), &proxy);
        ws.env("NO_PROXY", "127.0.0.1,localhost");
        ws.init();
        assert_eq!(ws.outputs()["used"], true);
    }
    assert_eq!(dialled.load(Ordering::SeqCst), 0);
    // One read per Terraform run, each through the endpoint it names.
    assert_eq!(
        sim.stats()["requests"]["GetAccessKeyLastUsedInfo"].as_u64(),
        Some(2)
    );
}

/// A plain-HTTP forward proxy on loopback that hands every request to the emulator and
/// records its request line: it plays the path to a host that is not loopback.
async fn forwarding_proxy(sim: String, seen: Arc<Mutex<Vec<String>>>) -> String {
    use axum::body::Body;
    use axum::extract::Request;
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |req: Request| {
        let (http, sim, seen) = (http.clone(), sim.clone(), seen.clone());
        async move {
            seen.lock()
                .unwrap()
                .push(format!("{} {}", req.method(), req.uri()));
            let path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            let method = req.method().clone();
            let body = axum::body::to_bytes(req.into_body(), 1 << 20)
                .await
                .unwrap();
            let resp = http
                .request(method, format!("{sim}{path}"))
                .body(body)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let bytes = resp.bytes().await.unwrap();
            axum::response::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Body::from(bytes))
                .unwrap()
        }
    });
    support::mock::serve(app).await
}

#[test]
fn insecure_http_lets_plain_http_through_and_warns_naming_the_endpoint_on_every_plan() {
    let sim = Sim::start(&[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let proxy = rt.block_on(forwarding_proxy(sim.url.clone(), seen.clone()));
    let mut ws = workspace(
        Tf::V1_15_5,
        &format!("  endpoint = \"{ACTIONTRAIL}\"\n  insecure_http = true\n"),
        &proxy,
    );
    ws.env("HTTP_PROXY", &proxy);
    ws.init();
    for _ in 0..2 {
        let out = one_line(&ws.ok(&["plan", "-input=false", "-no-color"]));
        assert!(out.contains("Plain HTTP allowed by insecure_http"), "{out}");
        assert!(out.contains(&format!("{ACTIONTRAIL}/ (endpoint)")), "{out}");
    }
    assert_eq!(ws.outputs()["used"], true);
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|l| l.starts_with(&format!("POST {ACTIONTRAIL}/?"))),
        "the request went to the named host, by the proxy: {seen:?}"
    );
}
