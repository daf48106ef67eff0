//! `docs/functions/<name>.md`, in the registry's layout, generated from the functions'
//! signatures and their example files (drift-checked by `tests/it/docs_up_to_date.rs`).

use crate::framework::docs::{type_spelled, Spelling};
use crate::model::{Function, Type};

fn hcl_type(ty: &Type) -> String {
    type_spelled(ty, Spelling::Hcl)
}

/// The page for `f`, quoting `example` (a whole configuration).
pub fn page(f: &Function, example: &str) -> String {
    let params: Vec<String> = f
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, hcl_type(&p.ty)))
        .collect();
    let mut args = String::from("## Argument Reference\n\n");
    for (i, p) in f.parameters.iter().enumerate() {
        let null = if p.allow_null { ", Nullable" } else { "" };
        args.push_str(&format!(
            "{}. `{}` ({}{null}) {}\n",
            i + 1,
            p.name,
            hcl_type(&p.ty).replace('(', " of ").replace(')', ""),
            p.description
        ));
    }
    format!(
        "---\npage_title: \"{name} function - actiontrail\"\nsubcategory: \"\"\ndescription: |-\n  {summary}\n---\n\n\
         # function: {name}\n\n{description}\n\nProvider functions need Terraform 1.8 or later.\n\n\
         ## Example Usage\n\n```terraform\n{example}\n```\n\n\
         ## Signature\n\n```text\n{name}({params}) {ret}\n```\n\n{args}",
        name = f.name,
        summary = f.summary,
        description = f.description,
        example = example.trim_end(),
        params = params.join(", "),
        ret = hcl_type(&f.return_type),
    )
}
