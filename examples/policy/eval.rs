//! Loads the Rego policies of a directory into regorus and evaluates their `deny` rules
//! on a plan's JSON, as conftest would. Shared by the `policy` example (what the demo
//! runs) and the policy tests, so what the tests prove is what the demo prints.

use std::path::{Path, PathBuf};

/// One message of one policy's `deny` set.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// The policy's package, e.g. `actiontrail.idle_keys`.
    pub namespace: String,
    /// The message.
    pub message: String,
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

/// An engine holding every `.rego` file under `dir` and the JSON data documents `data`.
pub fn load(dir: &Path, data: &[PathBuf]) -> Result<regorus::Engine, String> {
    let mut engine = regorus::Engine::new();
    let mut files = Vec::new();
    rego_files(dir, &mut files)
        .map_err(|e| format!("cannot read policies in {}: {e}", dir.display()))?;
    files.sort();
    if files.is_empty() {
        return Err(format!("no .rego files in {}", dir.display()));
    }
    for file in &files {
        engine
            .add_policy_from_file(file)
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    for file in data {
        let doc = regorus::Value::from_json_file(file)
            .map_err(|e| format!("data {}: {e}", file.display()))?;
        engine
            .add_data(doc)
            .map_err(|e| format!("data {}: {e}", file.display()))?;
    }
    Ok(engine)
}

/// The `deny` messages of the packages `namespaces` (every package that has a `deny`
/// rule when empty) for `input`, sorted.
pub fn deny(
    engine: &mut regorus::Engine,
    input: &str,
    namespaces: &[String],
) -> Result<Vec<Finding>, String> {
    engine
        .set_input_json(input)
        .map_err(|e| format!("the input is not JSON: {e}"))?;
    let mut packages: Vec<String> = if namespaces.is_empty() {
        engine
            .get_packages()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|p| p.trim_start_matches("data.").to_owned())
            .collect()
    } else {
        namespaces.to_vec()
    };
    packages.sort();
    packages.dedup();

    let mut findings = Vec::new();
    for namespace in packages {
        let rule = format!("data.{namespace}.deny");
        let results = engine
            .eval_query(rule.clone(), false)
            .map_err(|e| format!("{rule}: {e}"))?;
        // A package without a `deny` rule (the shared library) has no result; one with it
        // has a set, empty when nothing is denied.
        let Some(value) = results
            .result
            .first()
            .and_then(|r| r.expressions.first())
            .map(|e| e.value.clone())
        else {
            if namespaces.is_empty() {
                continue;
            }
            return Err(format!("{rule} is not defined: no policy has that package"));
        };
        let messages = serde_json::to_value(&value).map_err(|e| format!("{rule}: {e}"))?;
        let serde_json::Value::Array(items) = messages else {
            return Err(format!("{rule} is not a set of messages: {messages}"));
        };
        for item in items {
            let message = match item {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            findings.push(Finding {
                namespace: namespace.clone(),
                message,
            });
        }
    }
    findings.sort();
    Ok(findings)
}
