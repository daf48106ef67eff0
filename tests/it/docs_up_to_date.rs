//! The registry docs are generated from the schemas and the examples: the committed files
//! must be what the generator writes now. `UPDATE_DOCS=1 cargo test --test it docs_up_to_date::`
//! rewrites them, and then fails on purpose, naming what it wrote: a run that writes has
//! checked nothing. With `CI` set it refuses to write at all, so a CI job that sets
//! UPDATE_DOCS cannot turn the drift check into a writer.

use actiontrail_provider::provider::{docs, type_names};
use std::path::Path;

#[test]
fn committed_docs_match_the_schemas_and_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = docs::generate(root).expect("examples/ holds every example the docs quote");
    assert_eq!(
        files.len(),
        1 + type_names().len() + 1 + actiontrail_provider::provider::actions().len() + 3,
        "the index and one page per data source, ephemeral resource, action and function"
    );
    let update = std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1");
    assert!(
        !(update && std::env::var_os("CI").is_some()),
        "UPDATE_DOCS=1 with CI set: CI checks the committed docs and never rewrites them"
    );
    let stale: Vec<_> = files
        .iter()
        .filter(|(rel, want)| {
            std::fs::read_to_string(root.join(rel)).map_or(true, |got| got != **want)
        })
        .collect();
    if update {
        for (rel, want) in &stale {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("docs live in a directory")).unwrap();
            std::fs::write(&path, want).unwrap();
            eprintln!("docs_up_to_date: wrote {}", rel.display());
        }
        let names: Vec<String> = stale.iter().map(|(r, _)| r.display().to_string()).collect();
        panic!(
            "UPDATE_DOCS=1: rewrote {} doc file(s) {names:?} and checked nothing; commit them and run the test again without UPDATE_DOCS",
            names.len()
        );
    }
    let names: Vec<String> = stale.iter().map(|(r, _)| r.display().to_string()).collect();
    assert!(
        names.is_empty(),
        "these docs differ from what the schemas and examples generate: {names:?}; run `UPDATE_DOCS=1 cargo test --test it docs_up_to_date::` (it writes them and fails), then commit the result"
    );
}

#[test]
fn every_data_source_page_quotes_its_example_and_lists_its_attributes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (rel, text) in docs::generate(root).unwrap() {
        assert!(text.starts_with("---\npage_title: "), "{}", rel.display());
        assert!(
            text.contains("## Example Usage\n\n```terraform\nterraform {"),
            "{}",
            rel.display()
        );
        assert!(text.contains("## Argument Reference"), "{}", rel.display());
        if rel.starts_with("docs/data-sources") || rel.starts_with("docs/ephemeral-resources") {
            assert!(
                text.contains("## Attributes Reference"),
                "{}",
                rel.display()
            );
            // Every data source names its key, but the fleet, which selects its keys, and
            // the organisation read, which selects accounts.
            let argument = if rel.ends_with("organization_accesskeys.md") {
                "- `account_ids` (List of String, Optional)"
            } else if rel.ends_with("accesskeys.md") {
                "- `access_key_ids` (List of String, Optional)"
            } else {
                "- `access_key_id` (String, Required)"
            };
            assert!(text.contains(argument), "{}", rel.display());
            assert!(text.contains("400 days"), "{}", rel.display());
        }
        if rel.starts_with("docs/actions") {
            assert!(
                text.contains("- `access_key_ids` (List of String, Required)"),
                "{}",
                rel.display()
            );
            assert!(text.contains("Terraform 1.14"), "{}", rel.display());
            assert!(text.contains("before_destroy"), "{}", rel.display());
        }
        if rel.starts_with("docs/functions") {
            assert!(text.contains("## Signature"), "{}", rel.display());
            assert!(text.contains("Terraform 1.8"), "{}", rel.display());
        }
    }
}
