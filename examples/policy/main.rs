//! Evaluates the Rego policies of `examples/policy/` on `terraform show -json` of a saved
//! plan, with regorus (a Rego interpreter in Rust), and prints each policy's findings the
//! way conftest does. The demo runs it, so it needs no OPA installed.
//!
//! ```text
//! cargo run --example policy -- [--policy DIR] [--data FILE]... [--namespace PKG]... PLAN_JSON
//! ```
//!
//! Exits 0 when no policy denies, 1 when one does, 2 when the policies or the input cannot
//! be read.

mod eval;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// Command-line arguments, named like conftest's.
#[derive(Parser)]
#[command(about = "Evaluate the example Rego policies on a plan's JSON")]
struct Args {
    /// Directory of `.rego` files, read recursively.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policy"))]
    policy: PathBuf,
    /// JSON documents merged into `data` (the policies' parameters).
    #[arg(long)]
    data: Vec<PathBuf>,
    /// Packages whose `deny` rules to evaluate; default: every package that has one.
    #[arg(long)]
    namespace: Vec<String>,
    /// `terraform show -json` of a saved plan.
    input: PathBuf,
}

fn run(args: &Args) -> Result<Vec<eval::Finding>, String> {
    let mut engine = eval::load(&args.policy, &args.data)?;
    let input = std::fs::read_to_string(&args.input)
        .map_err(|e| format!("cannot read {}: {e}", args.input.display()))?;
    eval::deny(&mut engine, &input, &args.namespace)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(findings) if findings.is_empty() => {
            println!("{}: no policy denies", args.input.display());
            ExitCode::SUCCESS
        }
        Ok(findings) => {
            for f in &findings {
                println!(
                    "FAIL - {} - {} - {}",
                    args.input.display(),
                    f.namespace,
                    f.message
                );
            }
            println!("{} finding(s)", findings.len());
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("policy: {e}");
            ExitCode::from(2)
        }
    }
}
