//! Reading arguments: unknown, null and known apart, and each declaration's schema entry,
//! value and diagnostics.

use super::*;

fn config() -> Value {
    Value::object([
        ("s", Value::string("x")),
        ("n", Value::int(3)),
        ("f", Value::Number(crate::model::Number::Float(2.5))),
        ("u", Value::Unknown),
        ("z", Value::Null),
    ])
}

#[test]
fn unknown_and_null_are_distinct_from_values() {
    let c = config();
    assert_eq!(raw(&c, "s"), Arg::Known(&Value::string("x")));
    assert_eq!(raw(&c, "u"), Arg::Unknown);
    assert_eq!(raw(&c, "z"), Arg::Absent);
    assert_eq!(raw(&c, "missing"), Arg::Absent);
    assert!(!Arg::<i64>::Unknown.is_known_set());
}

#[test]
fn fractions_are_refused_at_their_path() {
    let c = config();
    let p = AttributePath::root("f");
    assert_eq!(whole_number(&c, "n", &p), Ok(Arg::Known(3)));
    let d = whole_number(&c, "f", &p).unwrap_err();
    assert_eq!(d.attribute, Some(p));
    assert!(d.detail.contains("whole number"));
}

/// A list argument whose items must be short, for the tests below.
const SHORT: Argument<Vec<String>> = Argument::new(
    "short",
    "Short words.",
    Reads::TextList(|items, at| {
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(s) if s.len() <= 3 => out.push(s.to_owned()),
                _ => at.invalid_item(i, "too long"),
            }
        }
        Some(out)
    }),
);

/// A string argument that refuses "bad" and warns on "odd".
const WORD: Argument<String> = Argument::new(
    "s",
    "A word.",
    Reads::Text(|s, at| match s {
        "bad" => at.invalid("s is bad."),
        "odd" => {
            at.warn("Odd s", "s is odd.");
            Some(s.to_owned())
        }
        _ => Some(s.to_owned()),
    }),
);

#[test]
fn a_declared_argument_gives_its_schema_entry_and_its_checked_value() {
    let attr = WORD.field::<()>().attribute();
    assert!(attr.optional && !attr.required);
    assert_eq!(
        (attr.name.as_str(), attr.description.as_str()),
        ("s", "A word.")
    );
    assert_eq!(attr.ty, Type::String);
    assert!(WORD.required().field::<()>().attribute().required);
    assert_eq!(SHORT.field::<()>().attribute().ty, Type::list(Type::String));

    let mut diags = Vec::new();
    assert_eq!(
        WORD.optional(&config(), &mut diags),
        Some(Some("x".to_owned()))
    );
    let absent = Value::object([("s", Value::Null)]);
    assert_eq!(WORD.optional(&absent, &mut diags), Some(None));
    assert_eq!(
        WORD.or(&absent, &mut diags, "d".to_owned()),
        Some("d".to_owned())
    );
    let unknown = Value::object([("s", Value::Unknown)]);
    assert_eq!(WORD.optional(&unknown, &mut diags), None);
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn what_a_check_reports_lands_at_the_argument_and_its_items() {
    let mut diags = Vec::new();
    let bad = Value::object([("s", Value::string("bad"))]);
    assert_eq!(WORD.get(&bad, &mut diags), None);
    let odd = Value::object([("s", Value::string("odd"))]);
    assert_eq!(WORD.get(&odd, &mut diags), Some("odd".to_owned()));
    let number = Value::object([("s", Value::int(1))]);
    assert_eq!(WORD.get(&number, &mut diags), None);
    let path = Some(AttributePath::root("s"));
    let at: Vec<_> = diags
        .iter()
        .map(|d| (d.severity, d.attribute.clone(), d.detail.as_str()))
        .collect();
    assert_eq!(
        at,
        [
            (crate::model::Severity::Error, path.clone(), "s is bad."),
            (crate::model::Severity::Warning, path.clone(), "s is odd."),
            (
                crate::model::Severity::Error,
                path,
                "s must be a string, but Terraform sent a number."
            ),
        ]
    );

    let mut diags = Vec::new();
    let list = Value::object([(
        "short",
        Value::List(vec![Value::string("ab"), Value::string("abcd")]),
    )]);
    assert_eq!(SHORT.get(&list, &mut diags), Some(vec!["ab".to_owned()]));
    assert_eq!(diags.len(), 1);
    assert_eq!(
        diags[0].attribute,
        Some(AttributePath::root("short").index(1))
    );
    let not_a_list = Value::object([("short", Value::string("ab"))]);
    assert_eq!(SHORT.get(&not_a_list, &mut diags), None);
    assert_eq!(diags.len(), 2);
    assert_eq!(diags[1].attribute, Some(AttributePath::root("short")));
}

#[test]
fn a_number_where_a_string_belongs_is_reported_not_panicked() {
    let c = Value::object([("s", Value::int(3))]);
    let mut diags = Vec::new();
    assert_eq!(WORD.optional(&c, &mut diags), None);
    assert_eq!(diags.len(), 1);
    assert!(diags[0].detail.contains("must be a string"), "{diags:?}");
}

/// A fraction more than one, as the tests below read it.
const RATE: Argument<f64> = Argument::new(
    "rate",
    "A rate.",
    Reads::Number(|n, at| {
        let detail = format!("{} must be more than 1, not {n}.", at.label());
        at.check(n > 1.0, n, detail)
    }),
)
.sensitive();

#[test]
fn an_argument_in_a_block_reports_at_its_path_within_the_block() {
    let attr = RATE.attribute();
    assert!(attr.sensitive && attr.optional);
    assert_eq!(attr.ty, Type::Number);
    assert_eq!(RATE.attribute_described("Other.").description, "Other.");
    assert!(RATE.field::<()>().attribute().sensitive);

    let block = Value::object([("rate", Value::Number(crate::model::Number::Float(0.5)))]);
    let outer = AttributePath::root("limits");
    let mut diags = Vec::new();
    assert_eq!(RATE.get_in(&block, &outer, &mut diags), None);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].attribute, Some(outer.clone().attr("rate")));
    assert_eq!(diags[0].detail, "limits.rate must be more than 1, not 0.5.");

    let fine = Value::object([("rate", Value::Number(crate::model::Number::Float(2.5)))]);
    assert_eq!(RATE.get_in(&fine, &outer, &mut diags), Some(2.5));
    let word = Value::object([("rate", Value::string("fast"))]);
    assert_eq!(RATE.get(&word, &mut diags), None);
    assert_eq!(diags.len(), 2);
    assert_eq!(diags[1].attribute, Some(AttributePath::root("rate")));
}

#[test]
fn set_tells_absent_unknown_and_known_apart_whatever_the_check_says() {
    assert_eq!(
        RATE.set(&Value::object([("rate", Value::Null)])),
        Arg::Absent
    );
    assert_eq!(
        RATE.set(&Value::object([("rate", Value::Unknown)])),
        Arg::Unknown
    );
    // Refused by its check, and set all the same.
    assert_eq!(
        RATE.set(&Value::object([("rate", Value::int(0))])),
        Arg::Known(())
    );
}

#[test]
fn filled_refuses_blank_text_saying_what_to_do() {
    const NOTE: Argument<String> = Argument::new(
        "note",
        "A note.",
        Reads::Text(|s, at| at.filled(s, "remove it").map(str::to_owned)),
    );
    const TAG: Argument<String> = Argument::new(
        "tag",
        "A tag.",
        Reads::Text(|s, at| at.filled(s, "").map(str::to_owned)),
    );
    let mut diags = Vec::new();
    let set = |name: &str, v: &str| Value::object([(name, Value::string(v))]);
    assert_eq!(
        NOTE.get(&set("note", "x"), &mut diags),
        Some("x".to_owned())
    );
    assert_eq!(NOTE.get(&set("note", " \t"), &mut diags), None);
    assert_eq!(TAG.get(&set("tag", ""), &mut diags), None);
    let details: Vec<&str> = diags.iter().map(|d| d.detail.as_str()).collect();
    assert_eq!(details, ["note is empty; remove it.", "tag is empty."]);
}
