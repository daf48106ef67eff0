//! Attributes declared once: each [`Field`] is an attribute's name, type, description and
//! mode together with the way its value in state is found, so a data source's schema and
//! its state are both walked from one table and cannot name an attribute differently.
//!
//! Arguments (required or optional) echo their configured value into state; computed
//! attributes read the data source's answer, the value its read produced. Shared pieces
//! (the access key, the listing arguments, the freshness note, a use's item fields) are
//! functions returning fields, generic over the answer they read, so every data source
//! includes the same declaration instead of a copy.

use crate::model::{Attribute, Type, Value};
use std::borrow::Cow;

/// Who sets an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The configuration must set it.
    Required,
    /// The configuration may set it.
    Optional,
    /// The provider sets it.
    Computed,
}

type Getter<A> = Box<dyn Fn(&A) -> Value + Send + Sync>;

/// One attribute: its schema entry and, for a computed one, how the answer `A` yields it.
pub struct Field<A> {
    name: &'static str,
    ty: Type,
    description: Cow<'static, str>,
    mode: Mode,
    sensitive: bool,
    value: Option<Getter<A>>,
}

impl<A> Field<A> {
    fn argument(
        name: &'static str,
        ty: Type,
        description: impl Into<Cow<'static, str>>,
        mode: Mode,
    ) -> Self {
        Field {
            name,
            ty,
            description: description.into(),
            mode,
            sensitive: false,
            value: None,
        }
    }

    /// An argument the configuration must set; state repeats it.
    pub fn required(
        name: &'static str,
        ty: Type,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::argument(name, ty, description, Mode::Required)
    }

    /// An argument the configuration may set; state repeats it (null when unset).
    pub fn optional(
        name: &'static str,
        ty: Type,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::argument(name, ty, description, Mode::Optional)
    }

    /// An attribute the provider sets to `value(answer)`.
    pub fn computed(
        name: &'static str,
        ty: Type,
        description: impl Into<Cow<'static, str>>,
        value: impl Fn(&A) -> Value + Send + Sync + 'static,
    ) -> Self {
        Field {
            name,
            ty,
            description: description.into(),
            mode: Mode::Computed,
            sensitive: false,
            value: Some(Box::new(value)),
        }
    }

    /// A computed string the answer holds as `member(answer)`.
    pub fn text(
        name: &'static str,
        description: impl Into<Cow<'static, str>>,
        member: fn(&A) -> &String,
    ) -> Self
    where
        A: 'static,
    {
        Self::computed(name, Type::String, description, move |a| {
            Value::string(member(a).clone())
        })
    }

    /// A computed string the answer may lack: `member(answer)`, null when absent.
    pub fn opt_text(
        name: &'static str,
        description: impl Into<Cow<'static, str>>,
        member: fn(&A) -> &Option<String>,
    ) -> Self
    where
        A: 'static,
    {
        Self::computed(name, Type::String, description, move |a| {
            Value::opt_string(member(a).clone())
        })
    }

    /// A computed count: `how_many(answer)`.
    pub fn count(
        name: &'static str,
        description: impl Into<Cow<'static, str>>,
        how_many: fn(&A) -> usize,
    ) -> Self
    where
        A: 'static,
    {
        Self::computed(name, Type::Number, description, move |a| {
            Value::int(i64::try_from(how_many(a)).unwrap_or(i64::MAX))
        })
    }

    /// A computed list of objects, one per item of `items(answer)`, whose fields are
    /// `item`. The description is `lead`, then the item fields, so docs list them.
    pub fn list<I: 'static>(
        name: &'static str,
        lead: &str,
        item: Fields<I>,
        items: impl Fn(&A) -> &[I] + Send + Sync + 'static,
    ) -> Self {
        // An item's fields become an object type, whose names are a map: a name declared
        // twice would lose one field silently, so building the table refuses it.
        if let Some(twice) = item.duplicate() {
            panic!("{name}: item field {twice} is declared twice");
        }
        let description = format!("{lead}, each with {}.", item.doc());
        Self::computed(name, Type::list(item.ty()), description, move |a| {
            Value::List(items(a).iter().map(|i| item.value(i)).collect())
        })
    }

    /// This attribute, marked sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Who sets it.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Its schema entry.
    pub fn attribute(&self) -> Attribute {
        let a = match self.mode {
            Mode::Required => Attribute::required,
            Mode::Optional => Attribute::optional,
            Mode::Computed => Attribute::computed,
        }(self.name, self.ty.clone(), &self.description);
        if self.sensitive {
            a.sensitive()
        } else {
            a
        }
    }

    /// Its value in state: the configured value of an argument, the answer's of a
    /// computed attribute.
    fn value(&self, config: &Value, answer: &A) -> Value {
        match &self.value {
            Some(get) => get(answer),
            None => config.get(self.name).cloned().unwrap_or(Value::Null),
        }
    }
}

/// The attributes of a data source (or of the objects in a list), in declaration order:
/// the order the docs list them in.
pub struct Fields<A>(Vec<Field<A>>);

impl<A> Default for Fields<A> {
    fn default() -> Self {
        Fields(Vec::new())
    }
}

impl<A> IntoIterator for Fields<A> {
    type Item = Field<A>;
    type IntoIter = std::vec::IntoIter<Field<A>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<A> Fields<A> {
    /// No fields yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// These fields and `field`.
    pub fn with(mut self, field: Field<A>) -> Self {
        self.0.push(field);
        self
    }

    /// These fields and `more`, in their order.
    pub fn and(mut self, more: impl IntoIterator<Item = Field<A>>) -> Self {
        self.0.extend(more);
        self
    }

    /// The fields.
    pub fn iter(&self) -> impl Iterator<Item = &Field<A>> {
        self.0.iter()
    }

    /// The schema's attributes.
    pub fn attributes(&self) -> Vec<Attribute> {
        self.0.iter().map(Field::attribute).collect()
    }

    /// The object type of a value with these fields.
    pub fn ty(&self) -> Type {
        Type::object(self.0.iter().map(|f| (f.name, f.ty.clone())))
    }

    /// The state: every field, arguments as `config` has them, the rest from `answer`.
    pub fn state(&self, config: &Value, answer: &A) -> Value {
        Value::object(self.0.iter().map(|f| (f.name, f.value(config, answer))))
    }

    /// An item object of a list: every field from `item` (items take no arguments).
    pub fn value(&self, item: &A) -> Value {
        self.state(&Value::Null, item)
    }

    /// The fields for docs: `` `name` (description), ... ``.
    pub fn doc(&self) -> String {
        self.0
            .iter()
            .map(|f| format!("`{}` ({})", f.name, f.description))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The first name declared twice, if any: a table must name each attribute once.
    pub fn duplicate(&self) -> Option<&'static str> {
        let mut seen = std::collections::BTreeSet::new();
        self.0.iter().map(Field::name).find(|n| !seen.insert(*n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Answer {
        n: i64,
        items: Vec<&'static str>,
    }

    fn fields() -> Fields<Answer> {
        let item = Fields::new().with(Field::computed("v", Type::String, "the value", |s| {
            Value::string(*s)
        }));
        Fields::new()
            .with(Field::required("key", Type::String, "The key."))
            .with(Field::optional("secret", Type::String, "A secret.").sensitive())
            .with(Field::computed(
                "n",
                Type::Number,
                "A number.",
                |a: &Answer| Value::int(a.n),
            ))
            .with(Field::list("items", "The items", item, |a: &Answer| {
                a.items.as_slice()
            }))
    }

    #[test]
    fn schema_and_state_come_from_the_same_declaration() {
        let f = fields();
        let attrs = f.attributes();
        let names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["key", "secret", "n", "items"]);
        assert!(attrs[0].required && attrs[1].optional && attrs[1].sensitive);
        assert!(attrs[2].computed && !attrs[2].optional);
        assert_eq!(
            attrs[3].description,
            "The items, each with `v` (the value)."
        );
        let config = Value::object([("key", Value::string("k")), ("secret", Value::Null)]);
        let state = f.state(
            &config,
            &Answer {
                n: 3,
                items: vec!["a"],
            },
        );
        crate::model::msgpack::encode(&state, &f.ty()).expect("state conforms to the schema");
        assert_eq!(state.get("key"), Some(&Value::string("k")));
        assert_eq!(state.get("n"), Some(&Value::int(3)));
        assert_eq!(
            state
                .get("items")
                .and_then(Value::as_elements)
                .map(|i| i[0].get("v").cloned()),
            Some(Some(Value::string("a")))
        );
    }

    #[test]
    #[should_panic(expected = "item field v is declared twice")]
    fn an_item_field_declared_twice_refuses_to_build() {
        let twice = Fields::<&str>::new()
            .with(Field::computed("v", Type::String, "a", |s| {
                Value::string(*s)
            }))
            .with(Field::computed("v", Type::String, "b", |s| {
                Value::string(*s)
            }));
        let _ = Field::list("items", "Items", twice, |a: &Answer| a.items.as_slice());
    }

    #[test]
    fn a_name_declared_twice_is_found() {
        assert_eq!(fields().duplicate(), None);
        let twice = fields().with(Field::required("key", Type::String, "Again."));
        assert_eq!(twice.duplicate(), Some("key"));
    }
}
