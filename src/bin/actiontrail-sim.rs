//! `actiontrail-sim`: a local emulator of Alibaba Cloud ActionTrail's AccessKey last-used
//! API, with RAM, STS, ResourceManager's ListAccounts and the ECS metadata service, for the demo, the tests and trying
//! policies offline.
//!
//! The first stdout line is `actiontrail-sim listening on http://HOST:PORT`; everything else
//! goes to stderr, so a parent may read that line and close the pipe.
#![forbid(unsafe_code)]

use actiontrail_provider::sim::{self, dataset, SimConfig};
use clap::Parser;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Local emulator of Alibaba Cloud ActionTrail's GetAccessKeyLastUsed* API (2020-07-06).
#[derive(Debug, Parser)]
#[command(name = "actiontrail-sim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 9510)]
    port: u16,
    /// Load the data set from this JSON file instead of the built-in demo set.
    #[arg(long, value_name = "FILE", conflicts_with = "organization")]
    data: Option<PathBuf>,
    /// Serve a generated Resource Directory instead: ACCOUNTS members of USERS RAM users
    /// with one key each, plus the management account and its caller (mixed by --seed).
    #[arg(long, value_name = "ACCOUNTS:USERS", value_parser = organization)]
    organization: Option<(usize, usize)>,
    /// Calls a second allowed per caller account and Action; above it, Throttling.User.
    /// 0 is no limit.
    #[arg(long, value_name = "N", default_value_t = 0)]
    rate_limit: u32,
    /// Print the data set (built-in, or --data) as JSON and exit.
    #[arg(long)]
    dump_data: bool,
    /// Milliseconds added before answering each ActionTrail or RAM request.
    #[arg(long, value_name = "N", default_value_t = 0)]
    latency_ms: u64,
    /// Fraction (0-1) of ActionTrail and RAM requests answered Throttling.User.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = fraction)]
    throttle_rate: f64,
    /// Fraction (0-1) of ActionTrail and RAM requests answered ServiceUnavailable or InternalError.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = fraction)]
    error_rate: f64,
    /// Seed for the fault draws, so a run of faults repeats.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// The metadata service answers only with an IMDSv2 session token.
    #[arg(long)]
    imds_require_token: bool,
    /// The RAM role attached to the emulated ECS instance.
    #[arg(long, value_name = "NAME", default_value = "EcsAuditRole")]
    imds_role: String,
}

/// The most accounts and users per account `--organization` makes: 10 million keys would
/// already take gigabytes.
const MAX_ORGANIZATION_KEYS: usize = 1_000_000;

fn organization(s: &str) -> Result<(usize, usize), String> {
    let (a, u) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?} is not ACCOUNTS:USERS"))?;
    let a: usize = a
        .parse()
        .map_err(|e| format!("ACCOUNTS {a:?} is not a count: {e}"))?;
    let u: usize = u
        .parse()
        .map_err(|e| format!("USERS {u:?} is not a count: {e}"))?;
    if a == 0 || a > 9999 || u > 999_999 || a.saturating_mul(u) > MAX_ORGANIZATION_KEYS {
        return Err(format!(
            "{s}: ACCOUNTS must be 1 to 9999, USERS at most 999999, and their product at most {MAX_ORGANIZATION_KEYS}"
        ));
    }
    Ok((a, u))
}

fn fraction(s: &str) -> Result<f64, String> {
    let f: f64 = s
        .parse()
        .map_err(|e| format!("{s:?} is not a number: {e}"))?;
    if (0.0..=1.0).contains(&f) {
        Ok(f)
    } else {
        Err(format!("{s} is not between 0 and 1"))
    }
}

/// Writes to stderr, ignoring failures: a closed stderr must not stop the emulator.
macro_rules! say {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

fn load(args: &Args) -> Result<dataset::DataSet, String> {
    if let Some((accounts, users)) = args.organization {
        return Ok(dataset::DataSet::organization(
            accounts,
            users,
            args.seed.unwrap_or(0),
        ));
    }
    match &args.data {
        None => Ok(dataset::DataSet::demo()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            dataset::DataSet::from_json(&text)
                .map_err(|e| format!("{} is not a valid data set: {e}", path.display()))
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let data = match load(&args) {
        Ok(d) => d,
        Err(e) => {
            say!("actiontrail-sim: {e}");
            return ExitCode::from(2);
        }
    };
    if args.dump_data {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", data.to_json());
        return ExitCode::SUCCESS;
    }
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ACTIONTRAIL_SIM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            say!("actiontrail-sim: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args, data)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say!("actiontrail-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args, data: dataset::DataSet) -> Result<(), String> {
    let shutdown = shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let shown_host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        addr.ip().to_string()
    };
    let url = format!("http://{shown_host}:{}", addr.port());
    {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "actiontrail-sim listening on {url}");
        let _ = out.flush();
    }
    let (caller_id, caller_secret) = if let Some((accounts, users)) = args.organization {
        say!(
            "organization {}: management account {} and {accounts} members of {users} users each\n\
             management caller (lists the directory, assumes {} in every member): {} / {}",
            sim::organization::ORG_DIRECTORY_ID,
            sim::organization::ORG_MANAGEMENT_ACCOUNT,
            sim::directory::ACCESS_ROLE,
            sim::organization::ORG_CALLER_ID,
            sim::organization::ORG_CALLER_SECRET
        );
        (
            sim::organization::ORG_CALLER_ID,
            sim::organization::ORG_CALLER_SECRET,
        )
    } else {
        (dataset::DEMO_CALLER_ID, dataset::DEMO_CALLER_SECRET)
    };
    if args.data.is_none() && args.organization.is_none() {
        say!(
            "demo caller: {} / {}\ndenied caller (Forbidden.RAM): LTAI5tDeniedCaller00001 / denied-secret\n\
             keys: LTAI5tRecentUse000000001 (used 2 days ago), LTAI5tIdleKey0000000001 (200 days), \
             LTAI5tNeverUsed00000001 (never), LTAI5tManyIps0000000001 (1,000 IPs)",
            dataset::DEMO_CALLER_ID,
            dataset::DEMO_CALLER_SECRET
        );
    }
    say!(
        "for Terraform:\n  export ACTIONTRAIL_ENDPOINT={url}\n  export ACTIONTRAIL_RAM_ENDPOINT={url}\n  export ALIBABA_CLOUD_ACCESS_KEY_ID={}\n  export ALIBABA_CLOUD_ACCESS_KEY_SECRET={}\nstats: GET {url}/__sim/stats (POST {url}/__sim/reset zeroes them); Ctrl-C stops",
        caller_id,
        caller_secret
    );
    let config = SimConfig {
        latency: Duration::from_millis(args.latency_ms),
        throttle_rate: args.throttle_rate,
        error_rate: args.error_rate,
        seed: args.seed,
        imds_require_token: args.imds_require_token,
        imds_role: args.imds_role,
        rate_limit: args.rate_limit,
    };
    sim::serve(listener, config, data, shutdown)
        .await
        .map_err(|e| format!("server failed: {e}"))
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called, not when
/// first polled, so a signal sent right after the address line is printed is not fatal.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt()).map_err(|e| format!("SIGINT handler: {e}"))?;
    let mut term = signal(SignalKind::terminate()).map_err(|e| format!("SIGTERM handler: {e}"))?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {},
            _ = term.recv() => {},
        }
    })
}

/// Resolves on Ctrl-C (the console's interrupt, where there are no unix signals).
#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
