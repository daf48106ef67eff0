//! The fault suite: the real plugin under real Terraform against a small hostile endpoint
//! on loopback that answers as a broken or malicious network would (a captive portal's
//! `200 {}`, an HTML page, a cut body, a redirect elsewhere, a stall, a reset, an STS
//! answer of the wrong shape, an answer about another key).
//!
//! For each case the plan must fail with a diagnostic that names what was wrong, the gate
//! (`fail_if_used_within`) must never pass, a redirect's target must receive nothing, and
//! none of the planted secrets may appear in Terraform's output or its `TF_LOG=trace` log.

use crate::support::{output_text, terraform_block, Tf, Workspace};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const CALLER: &str = "LTAI5tFaultCaller0000001";
const PLANTED_SECRET: &str = "PLANTED-caller-secret-9f3c1a";
const PLANTED_TOKEN: &str = "PLANTED-caller-token-CAIS77b2e";
const PLANTED_STS_SECRET: &str = "PLANTED-sts-secret-41d0";
const PLANTED_STS_TOKEN: &str = "PLANTED-sts-token-CAISe5a9";
const ASKED: &str = "LTAI5tAskedAbout00000001";

/// What the hostile endpoint does with every request.
#[derive(Clone, Copy, Debug)]
enum Fault {
    EmptyObject,
    HtmlEchoingTheUrl,
    TruncatedJson,
    JsonArray,
    RedirectTo(u16),
    SlowBody,
    ResetMidBody,
    StsBrokenShape,
    InfoAboutAnotherKey,
}

/// A listener on loopback answering every request with `fault`; counts requests.
struct Hostile {
    port: u16,
    requests: Arc<AtomicUsize>,
}

impl Hostile {
    fn start(fault: Fault) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let count = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || answer(stream, fault));
            }
        });
        Hostile { port, requests }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Reads the request head (the body of these requests is empty); returns its first line.
fn read_head(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&buf)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn answer(mut stream: TcpStream, fault: Fault) {
    if let Fault::ResetMidBody = fault {
        // Read a little of the request only: closing with unread bytes makes the kernel
        // send a reset, after half a promised body.
        let mut some = [0u8; 16];
        let _ = stream.read(&mut some);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"RequestId\":\"r\",\"Access",
        );
        std::thread::sleep(Duration::from_millis(50));
        return;
    }
    let request_line = read_head(&mut stream);
    let json = "application/json";
    match fault {
        Fault::EmptyObject => respond(&mut stream, "200 OK", json, "{}"),
        Fault::HtmlEchoingTheUrl => {
            // A proxy's error page that echoes the signed URL, token and signature.
            let page = format!(
                "<html><head><title>Portal</title></head><body><h1>Sign in to continue</h1><p>You asked for {request_line}</p><p>token {PLANTED_TOKEN}</p></body></html>"
            );
            respond(&mut stream, "200 OK", "text/html", &page)
        }
        Fault::TruncatedJson => respond(
            &mut stream,
            "200 OK",
            json,
            r#"{"RequestId":"6B4A1F2C","AccessKeyId":"LTAI5tAsk"#,
        ),
        Fault::JsonArray => respond(&mut stream, "200 OK", json, "[]"),
        Fault::RedirectTo(port) => {
            let _ = write!(
                stream,
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{port}/?moved=1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
        Fault::SlowBody => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"RequestId\":",
            );
            let _ = stream.flush();
            // The rest of the body never comes: the connection stays open until the
            // client gives up on it, however long a loaded machine makes that take.
            let mut rest = [0u8; 64];
            while matches!(stream.read(&mut rest), Ok(n) if n > 0) {}
        }
        Fault::StsBrokenShape => {
            let body = format!(
                r#"{{"RequestId":"sts-1","Credentials":{{"AccessKeyId":"STS.NTfault","AccessKeySecret":"{PLANTED_STS_SECRET}","SecurityToken":"{PLANTED_STS_TOKEN}","Expiration":{{"at":"{PLANTED_STS_SECRET}"}}}}}}"#
            );
            respond(&mut stream, "200 OK", json, &body)
        }
        Fault::InfoAboutAnotherKey => respond(
            &mut stream,
            "200 OK",
            json,
            r#"{"RequestId":"6B4A1F2C-0000","AccessKeyId":"LTAI5tSomeoneElse0000001","AccountId":"1","AccountType":"ram-user"}"#,
        ),
        Fault::ResetMidBody => {}
    }
    let _ = stream.shutdown(Shutdown::Write);
}

/// The provider's per-try timeout for `fault`. Only the body that never ends is meant to
/// time out, and it does whatever the timeout; every other answer arrives at once, so its
/// timeout is the longest allowed, and a machine busy with 18 plans cannot turn its
/// diagnostic into a timeout.
fn timeout_for(fault: Fault) -> &'static str {
    match fault {
        Fault::SlowBody => "2s",
        _ => "1h",
    }
}

fn config(provider_extra: &str, timeout: &str) -> String {
    format!(
        r#"{}
provider "actiontrail" {{
  max_retries = 1
  timeout     = "{timeout}"
{provider_extra}}}

data "actiontrail_accesskey_last_used" "k" {{
  access_key_id       = "{ASKED}"
  fail_if_used_within = "90d"
}}

output "used" {{
  value = data.actiontrail_accesskey_last_used.k.used
}}
"#,
        terraform_block()
    )
}

/// Terraform's output with its box-drawing margin removed and whitespace collapsed, so a
/// wrapped diagnostic reads as one line.
fn flat(text: &str) -> String {
    text.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

struct Case {
    name: &'static str,
    fault: Fault,
    /// What the diagnostic must say, besides the endpoint.
    says: &'static [&'static str],
}

/// One plan against `case`; returns a row of the outcome table.
fn run(tf: Tf, case: &Case) -> String {
    let second = TcpListener::bind("127.0.0.1:0").unwrap();
    let second_port = second.local_addr().unwrap().port();
    second.set_nonblocking(true).unwrap();
    let fault = match case.fault {
        Fault::RedirectTo(_) => Fault::RedirectTo(second_port),
        f => f,
    };
    let hostile = Hostile::start(fault);
    let sts = matches!(fault, Fault::StsBrokenShape);
    let extra = if sts {
        format!(
            "  endpoint     = \"{url}\"\n  sts_endpoint = \"{url}\"\n  assume_role {{\n    role_arn = \"acs:ram::1:role/audit\"\n  }}\n",
            url = hostile.url()
        )
    } else {
        format!("  endpoint = \"{}\"\n", hostile.url())
    };
    let mut ws = Workspace::new(tf, &config(&extra, timeout_for(fault)));
    ws.env("ALIBABA_CLOUD_ACCESS_KEY_ID", CALLER)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", PLANTED_SECRET)
        .env("ALIBABA_CLOUD_SECURITY_TOKEN", PLANTED_TOKEN);
    ws.init();
    let trace = ws.dir.path().join("trace.log");
    ws.env("TF_LOG", "trace")
        .env("TF_LOG_PATH", &trace.display().to_string());
    let out = ws.run(&["plan", "-input=false", "-no-color"]);
    let output = output_text(&out);
    let log = std::fs::read_to_string(&trace).expect("Terraform wrote its trace log");
    assert!(
        log.contains("GetAccessKeyLastUsedInfo") || log.contains("AssumeRole"),
        "the trace log holds no provider line"
    );
    let all = format!("{output}{log}");
    let ui = flat(&output);
    let why = format!("{tf:?} {}:\n{ui}", case.name);
    assert!(!out.status.success(), "the plan passed: {why}");
    assert!(ui.contains("Error:"), "no error diagnostic: {why}");
    assert!(
        !ui.contains("Changes to Outputs") && !ui.contains("used = false"),
        "the gate passed: {why}"
    );
    assert!(
        ui.contains(&hostile.url()),
        "the endpoint is not named: {why}"
    );
    for needle in case.says {
        assert!(ui.contains(needle), "{needle:?} missing: {why}");
    }
    for secret in [
        PLANTED_SECRET,
        PLANTED_TOKEN,
        PLANTED_STS_SECRET,
        PLANTED_STS_TOKEN,
    ] {
        assert!(
            !all.contains(secret),
            "{secret} leaked into the output or the trace log: {tf:?} {}",
            case.name
        );
    }
    assert!(
        hostile.requests() > 0,
        "the endpoint was never asked: {why}"
    );
    let second_heard = second.accept().is_ok();
    assert!(
        !second_heard,
        "the redirect target received a connection: {why}"
    );
    let summary = ui
        .split("Error: ")
        .nth(1)
        .map(|s| s.chars().take(90).collect::<String>())
        .unwrap_or_default();
    format!(
        "| {:?} | {} | fails | {} | {} | {summary} |",
        tf,
        case.name,
        hostile.requests(),
        if matches!(fault, Fault::RedirectTo(_)) {
            "0 connections"
        } else {
            "-"
        }
    )
}

const CASES: &[Case] = &[
    Case {
        name: "200 {}",
        fault: Fault::EmptyObject,
        says: &[
            "was not an ActionTrail answer",
            "HTTP 200",
            "it has no RequestId",
        ],
    },
    Case {
        name: "HTML page with 200, echoing the signed URL",
        fault: Fault::HtmlEchoingTheUrl,
        says: &[
            "was not an ActionTrail answer",
            "HTTP 200",
            "it is not JSON",
            "<html>",
        ],
    },
    Case {
        name: "truncated JSON",
        fault: Fault::TruncatedJson,
        says: &["was not an ActionTrail answer", "cut off"],
    },
    Case {
        name: "JSON array",
        fault: Fault::JsonArray,
        says: &["was not an ActionTrail answer", "it is a JSON array"],
    },
    Case {
        name: "307 to another local port",
        fault: Fault::RedirectTo(0),
        says: &[
            "redirect (HTTP 307) to 127.0.0.1:",
            "nothing was sent there",
        ],
    },
    Case {
        name: "slow body past the timeout",
        fault: Fault::SlowBody,
        says: &["timed out"],
    },
    Case {
        name: "reset mid-body",
        fault: Fault::ResetMidBody,
        says: &["GetAccessKeyLastUsedInfo"],
    },
    Case {
        name: "STS 2xx with a broken shape",
        fault: Fault::StsBrokenShape,
        says: &["was not an STS AssumeRole answer", "wrong type"],
    },
    Case {
        name: "Info about another key",
        fault: Fault::InfoAboutAnotherKey,
        says: &[
            "was not an ActionTrail answer",
            "another AccessKey (LTAI5tSomeoneElse0000001)",
        ],
    },
];

#[test]
fn every_hostile_answer_fails_the_plan_names_the_fault_and_leaks_no_secret() {
    // The oldest release the provider supports and what users run today.
    let releases = [Tf::V1_0_3, Tf::V1_15_5];
    let runs: Vec<(Tf, &Case)> = releases
        .iter()
        .flat_map(|tf| CASES.iter().map(move |c| (*tf, c)))
        .collect();
    let rows: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .iter()
            .map(|(tf, case)| s.spawn(move || run(*tf, case)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a fault case failed"))
            .collect()
    });
    // The outcome table, for the record (`cargo test -- --nocapture` shows it).
    println!("| terraform | case | plan | requests | redirect target | diagnostic |");
    for row in rows {
        println!("{row}");
    }
}
