//! Evaluates the Rego policies of `examples/policy/` on `terraform show -json` of a saved
//! plan, with regorus (a Rego interpreter in Rust), and prints each policy's findings the
//! way conftest does. The demo and the tests use it, so neither needs OPA installed.
//!
//! ```text
//! cargo run --example policy -- [--policy DIR] [--data FILE]... [--namespace PKG]... PLAN_JSON
//! ```
//!
//! Exits 0 when no policy denies, 1 when one does, 2 when the policies or the input cannot
//! be read.

use clap::Parser;
use std::path::{Path, PathBuf};
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

fn rego_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rego_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
    Ok(())
}

fn run(args: &Args) -> Result<Vec<(String, String)>, String> {
    let mut engine = regorus::Engine::new();
    let mut files = Vec::new();
    rego_files(&args.policy, &mut files)
        .map_err(|e| format!("cannot read policies in {}: {e}", args.policy.display()))?;
    files.sort();
    if files.is_empty() {
        return Err(format!("no .rego files in {}", args.policy.display()));
    }
    for file in &files {
        engine
            .add_policy_from_file(file)
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    for file in &args.data {
        let data = regorus::Value::from_json_file(file)
            .map_err(|e| format!("data {}: {e}", file.display()))?;
        engine
            .add_data(data)
            .map_err(|e| format!("data {}: {e}", file.display()))?;
    }
    let input = std::fs::read_to_string(&args.input)
        .map_err(|e| format!("cannot read {}: {e}", args.input.display()))?;
    engine
        .set_input_json(&input)
        .map_err(|e| format!("{} is not JSON: {e}", args.input.display()))?;

    // A package without a `deny` rule (the shared library) answers no result; one with
    // it answers a set, empty when nothing is denied.
    let mut packages: Vec<String> = if args.namespace.is_empty() {
        let mut all: Vec<String> = engine
            .get_packages()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|p| p.trim_start_matches("data.").to_owned())
            .collect();
        all.dedup();
        all
    } else {
        args.namespace.clone()
    };
    packages.sort();
    packages.dedup();

    let mut findings = Vec::new();
    for name in packages {
        let rule = format!("data.{name}.deny");
        let results = engine
            .eval_query(rule.clone(), false)
            .map_err(|e| format!("{rule}: {e}"))?;
        let Some(value) = results
            .result
            .first()
            .and_then(|r| r.expressions.first())
            .map(|e| e.value.clone())
        else {
            if args.namespace.is_empty() {
                continue;
            }
            return Err(format!("{rule} is not defined: no policy has that package"));
        };
        let messages = serde_json::to_value(&value).map_err(|e| format!("{rule}: {e}"))?;
        let serde_json::Value::Array(items) = messages else {
            return Err(format!("{rule} is not a set of messages: {messages}"));
        };
        for item in items {
            let text = item
                .as_str()
                .map_or_else(|| item.to_string(), str::to_owned);
            findings.push((name.clone(), text));
        }
    }
    Ok(findings)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(findings) if findings.is_empty() => {
            println!("{}: no policy denies", args.input.display());
            ExitCode::SUCCESS
        }
        Ok(findings) => {
            for (namespace, message) in &findings {
                println!("FAIL - {} - {namespace} - {message}", args.input.display());
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
