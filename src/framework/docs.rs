//! The pieces of a registry documentation page, rendered from a schema: front matter, the
//! example block, the argument and attribute references. The provider's generator
//! (`crate::provider::docs`) puts them together for every data source, ephemeral resource
//! and action.

use crate::model::{Attribute, Block, Nesting, Type};

/// How a page spells a type: in the registry's words (`List of String`), for attribute
/// references, or as HCL writes it (`list(string)`), for function signatures.
#[derive(Clone, Copy)]
pub enum Spelling {
    /// `String`, `List of String`.
    Registry,
    /// `string`, `list(string)`.
    Hcl,
}

/// `ty`, spelled as `spelling` says.
pub fn type_spelled(ty: &Type, spelling: Spelling) -> String {
    let word = |registry: &str, hcl: &str| match spelling {
        Spelling::Registry => registry.to_owned(),
        Spelling::Hcl => hcl.to_owned(),
    };
    let of = |kind: &str, inner: &Type| {
        let inner = type_spelled(inner, spelling);
        match spelling {
            Spelling::Registry => format!("{kind} of {inner}"),
            Spelling::Hcl => format!("{}({inner})", kind.to_lowercase()),
        }
    };
    match ty {
        Type::String => word("String", "string"),
        Type::Number => word("Number", "number"),
        Type::Bool => word("Boolean", "bool"),
        Type::Dynamic => word("Dynamic", "any"),
        Type::List(t) => of("List", t),
        Type::Set(t) => of("Set", t),
        Type::Map(t) => of("Map", t),
        Type::Object(_) => word("Object", "object"),
        Type::Tuple(_) => word("Tuple", "tuple"),
    }
}

fn attribute_line(a: &Attribute) -> String {
    let mut flags = vec![type_spelled(&a.ty, Spelling::Registry)];
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
