//! The pieces of a registry documentation page, rendered from a schema: front matter, the
//! example block, the argument and attribute references. The provider's generator
//! (`crate::provider::docs`) puts them together for every data source, ephemeral resource
//! and action.

use crate::model::{Attribute, Block, Nesting, Type};

fn type_name(ty: &Type) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(t) => format!("List of {}", type_name(t)),
        Type::Set(t) => format!("Set of {}", type_name(t)),
        Type::Map(t) => format!("Map of {}", type_name(t)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

fn attribute_line(a: &Attribute) -> String {
    let mut flags = vec![type_name(&a.ty)];
    if a.required {
        flags.push("Required".into());
    } else if a.optional {
        flags.push("Optional".into());
    }
    if a.sensitive {
        flags.push("Sensitive".into());
    }
    format!("- `{}` ({}) {}\n", a.name, flags.join(", "), a.description)
}

/// The registry page's front matter.
pub fn front_matter(title: &str, description: &str) -> String {
    format!("---\npage_title: \"{title}\"\nsubcategory: \"\"\ndescription: |-\n  {description}\n---\n\n")
}

/// `## Example Usage`'s fenced block.
pub fn example_block(tf: &str) -> String {
    format!("```terraform\n{}\n```\n", tf.trim_end())
}

/// `## Argument Reference`: the arguments and nested blocks of `block`.
pub fn arguments(block: &Block) -> String {
    let mut out = String::from("## Argument Reference\n\n");
    for a in block.attributes.iter().filter(|a| a.required || a.optional) {
        out.push_str(&attribute_line(a));
    }
    for nb in &block.block_types {
        let how = match nb.nesting {
            Nesting::Single | Nesting::Group => "Block, Optional, at most one",
            _ => "Block, Optional",
        };
        out.push_str(&format!(
            "- `{}` ({how}) {} See [below](#nested-schema-for-{}).\n",
            nb.type_name, nb.block.description, nb.type_name
        ));
    }
    for nb in &block.block_types {
        out.push_str(&format!("\n### Nested Schema for `{}`\n\n", nb.type_name));
        for a in &nb.block.attributes {
            out.push_str(&attribute_line(a));
        }
    }
    out
}

/// `## Attributes Reference`: the computed attributes of `block`.
pub fn attributes(block: &Block) -> String {
    let mut out = String::from("## Attributes Reference\n\nIn addition to the arguments above, these attributes are exported:\n\n");
    for a in block
        .attributes
        .iter()
        .filter(|a| a.computed && !a.optional)
    {
        out.push_str(&attribute_line(a));
    }
    out
}
