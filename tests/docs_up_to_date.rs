//! The registry docs are generated from the schemas and the examples: the committed files
//! must be what the generator writes now. `UPDATE_DOCS=1 cargo test --test docs_up_to_date`
//! rewrites them.

use actiontrail_provider::data_sources::{docs, type_names};
use std::path::Path;

#[test]
fn committed_docs_match_the_schemas_and_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = docs::generate(root).expect("examples/ holds every example the docs quote");
    assert_eq!(
        files.len(),
        1 + type_names().len() + 1 + actiontrail_provider::actions::registry().len() + 3,
        "the index and one page per data source, ephemeral resource, action and function"
    );
    let update = std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (rel, want) in &files {
        let path = root.join(rel);
        if update {
            std::fs::create_dir_all(path.parent().expect("docs live in a directory")).unwrap();
            std::fs::write(&path, want).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(got) if &got == want => {}
            _ => stale.push(rel.display().to_string()),
        }
    }
    assert!(
        stale.is_empty(),
        "these docs differ from what the schemas and examples generate: {stale:?}; run `UPDATE_DOCS=1 cargo test --test docs_up_to_date` and commit the result"
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
            // Every data source names its key, but the fleet, which selects its keys.
            let argument = if rel.ends_with("accesskeys.md") {
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
