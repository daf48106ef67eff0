//! Schemas: the attributes and blocks of the provider and of each data source.

use super::cty::Type;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A versioned schema, as Terraform stores it with state.
#[derive(Clone, Debug)]
pub struct Schema {
    /// Schema version (0 for data sources, which keep no state).
    pub version: i64,
    /// The top-level block. Not to be changed once [`Schema::value_type`] was asked for.
    pub block: Block,
    /// The block's object type, worked out on first use: every validate and read call
    /// decodes its configuration against it, and building it anew allocated a map per
    /// attribute each time.
    ty: OnceLock<Type>,
}

impl Schema {
    /// A schema of `version` whose top-level block is `block`.
    pub fn new(version: i64, block: Block) -> Schema {
        Schema {
            version,
            block,
            ty: OnceLock::new(),
        }
    }

    /// The object type of a value conforming to the top-level block, built once.
    pub fn value_type(&self) -> &Type {
        self.ty.get_or_init(|| self.block.value_type())
    }
}

impl PartialEq for Schema {
    /// Schemas are equal when their versions and blocks are; the cached type follows.
    fn eq(&self, other: &Schema) -> bool {
        self.version == other.version && self.block == other.block
    }
}

/// A block: attributes and nested blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    /// Attributes, in declaration order.
    pub attributes: Vec<Attribute>,
    /// Nested block types.
    pub block_types: Vec<NestedBlock>,
    /// One paragraph about the block (markdown).
    pub description: String,
    /// Whether the block is deprecated.
    pub deprecated: bool,
}

/// One attribute of a block.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// snake_case name.
    pub name: String,
    /// Its cty type.
    pub ty: Type,
    /// One line about it (markdown).
    pub description: String,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider (alone, or when not configured if also optional).
    pub computed: bool,
    /// Hidden in plan output and logs.
    pub sensitive: bool,
    /// Deprecated.
    pub deprecated: bool,
}

impl Attribute {
    fn new(name: &str, ty: Type, description: &str) -> Self {
        Attribute {
            name: name.to_owned(),
            ty,
            description: description.to_owned(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
        }
    }

    /// An argument the configuration must set.
    pub fn required(name: &str, ty: Type, description: &str) -> Self {
        Attribute {
            required: true,
            ..Self::new(name, ty, description)
        }
    }

    /// An argument the configuration may set.
    pub fn optional(name: &str, ty: Type, description: &str) -> Self {
        Attribute {
            optional: true,
            ..Self::new(name, ty, description)
        }
    }

    /// An attribute only the provider sets.
    pub fn computed(name: &str, ty: Type, description: &str) -> Self {
        Attribute {
            computed: true,
            ..Self::new(name, ty, description)
        }
    }

    /// This attribute, marked sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one; null when absent.
    Single,
    /// A list of blocks.
    List,
    /// A set of blocks.
    Set,
    /// A map of labelled blocks.
    Map,
    /// Exactly one, never null.
    Group,
}

/// A nested block type.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    /// The block's name in HCL.
    pub type_name: String,
    /// Its contents.
    pub block: Block,
    /// How it repeats.
    pub nesting: Nesting,
    /// Fewest allowed (list/set).
    pub min_items: i64,
    /// Most allowed (list/set); 0 for no limit.
    pub max_items: i64,
}

impl NestedBlock {
    /// `block` under `type_name`, written once or not at all (`assume_role { ... }`).
    pub fn at_most_one(type_name: &str, block: Block) -> NestedBlock {
        NestedBlock {
            type_name: type_name.to_owned(),
            block,
            nesting: Nesting::Single,
            min_items: 0,
            max_items: 1,
        }
    }
}

impl Block {
    /// A block of `attributes` alone, not deprecated, described by `description`.
    pub fn of(attributes: Vec<Attribute>, description: &str) -> Block {
        Block {
            attributes,
            block_types: vec![],
            description: description.to_owned(),
            deprecated: false,
        }
    }

    /// The object type of a value conforming to this block.
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()))
            .collect();
        for nb in &self.block_types {
            let inner = nb.block.value_type();
            let ty = match nb.nesting {
                Nesting::Single | Nesting::Group => inner,
                Nesting::List => Type::List(Box::new(inner)),
                Nesting::Set => Type::Set(Box::new(inner)),
                Nesting::Map => Type::Map(Box::new(inner)),
            };
            attrs.insert(nb.type_name.clone(), ty);
        }
        Type::Object(attrs)
    }

    /// The attribute called `name`, if any.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(names: &[&str]) -> Block {
        Block {
            attributes: names
                .iter()
                .map(|n| Attribute::optional(n, Type::String, "An argument."))
                .collect(),
            ..Block::default()
        }
    }

    #[test]
    fn the_kept_type_is_the_blocks_type_built_once() {
        let schema = Schema::new(0, block(&["a", "b"]));
        let first: *const Type = schema.value_type();
        assert_eq!(schema.value_type(), &schema.block.value_type());
        assert!(std::ptr::eq(first, schema.value_type()));
    }

    #[test]
    fn equality_ignores_whether_the_type_was_asked_for() {
        let (asked, fresh) = (Schema::new(0, block(&["a"])), Schema::new(0, block(&["a"])));
        asked.value_type();
        assert_eq!(asked, fresh);
        assert_ne!(asked, Schema::new(0, block(&["b"])));
        assert_ne!(asked, Schema::new(1, block(&["a"])));
    }
}
