//! `docs/actions/<name>.md`, in the registry's layout, generated from the action's schema
//! and its example (drift-checked by `tests/it/docs_up_to_date.rs`).

use crate::actions::Action;
use crate::framework::docs::{arguments, example_block, front_matter};

/// The page for `action`, quoting `example` (a whole configuration).
pub fn page(action: &dyn Action, example: &str) -> String {
    let name = action.type_name();
    let block = &action.schema().block;
    format!(
        "{}# {name} (Action)\n\n{}\n\nActions need Terraform 1.14 or later; older Terraform cannot read an `action` block. There, the `actiontrail_accesskey_last_used` data source (and, on 1.10 and later, the ephemeral resource of the same name) gates at plan time.\n\n## Example Usage\n\n{}{}\n{}",
        front_matter(&format!("{name} Action - actiontrail"), &block.description),
        block.description,
        example_block(example),
        action.guide(),
        arguments(block),
    )
}
