//! cty's JSON forms: types as Terraform reads them in schemas, and DynamicValue.json.

use actiontrail_provider::model::cty::TypeError;
use actiontrail_provider::model::msgpack::{decode_json, DecodeErrorKind};
use actiontrail_provider::model::{Number, Type, Value};
use serde_json::json;

fn ty(text: &str) -> Type {
    Type::from_json_bytes(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn reads_every_kind_of_type() {
    assert_eq!(ty(r#""string""#), Type::String);
    assert_eq!(ty(r#""number""#), Type::Number);
    assert_eq!(ty(r#""bool""#), Type::Bool);
    assert_eq!(ty(r#""dynamic""#), Type::Dynamic);
    assert_eq!(ty(r#"["list","string"]"#), Type::list(Type::String));
    assert_eq!(ty(r#"["set","number"]"#), Type::Set(Box::new(Type::Number)));
    assert_eq!(
        ty(r#"["map",["list","bool"]]"#),
        Type::map(Type::list(Type::Bool))
    );
    assert_eq!(
        ty(r#"["object",{"b":"number","a":["set","string"]}]"#),
        Type::object([
            ("a", Type::Set(Box::new(Type::String))),
            ("b", Type::Number)
        ])
    );
    assert_eq!(
        ty(r#"["tuple",["string","dynamic"]]"#),
        Type::Tuple(vec![Type::String, Type::Dynamic])
    );
    assert_eq!(ty(r#"["tuple",[]]"#), Type::Tuple(vec![]));
}

#[test]
fn accepts_the_optional_attributes_list_of_terraform_1_3() {
    assert_eq!(
        ty(r#"["object",{"a":"string","b":"number"},["b"]]"#),
        Type::object([("a", Type::String), ("b", Type::Number)])
    );
    assert!(Type::from_json(&json!(["object", {"a": "string"}, ["zzz"]])).is_err());
}

#[test]
fn type_json_round_trips_through_to_json() {
    let t = Type::object([
        (
            "rows",
            Type::list(Type::object([("ip", Type::String), ("at", Type::Number)])),
        ),
        ("tags", Type::map(Type::String)),
        ("pair", Type::Tuple(vec![Type::Bool, Type::Dynamic])),
    ]);
    assert_eq!(Type::from_json(&t.to_json()).unwrap(), t);
    assert_eq!(
        Type::from_json_bytes(t.to_json_string().as_bytes()).unwrap(),
        t
    );
    assert_eq!(Type::list(Type::String).to_string(), r#"["list","string"]"#);
}

#[test]
fn rejects_what_is_not_a_cty_type() {
    for bad in [
        r#""str""#,
        r#"["list"]"#,
        r#"["list","string","extra"]"#,
        r#"["object",["a"]]"#,
        r#"["tuple","string"]"#,
        r#"["capsule","x"]"#,
        r#"[]"#,
        r#"42"#,
        r#"{"type":"string"}"#,
    ] {
        assert!(
            matches!(
                Type::from_json_bytes(bad.as_bytes()),
                Err(TypeError::Invalid(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        Type::from_json_bytes(b"[\"list\""),
        Err(TypeError::Json(_))
    ));
}

#[test]
fn deeply_nested_type_json_is_refused() {
    let text = format!("{}\"string\"{}", r#"["list","#.repeat(100), "]".repeat(100));
    assert!(matches!(
        Type::from_json_bytes(text.as_bytes()),
        Err(TypeError::TooDeep)
    ));
}

#[test]
fn json_values_read_against_their_type() {
    let t = Type::object([
        ("name", Type::String),
        ("count", Type::Number),
        ("on", Type::Bool),
        ("tags", Type::map(Type::String)),
        ("ips", Type::list(Type::String)),
        ("pair", Type::Tuple(vec![Type::Number, Type::Bool])),
    ]);
    let v = decode_json(
        br#"{"name":"k","count":3,"on":true,"tags":{"env":"prod"},"ips":["a","b"],"pair":[1.5,false]}"#,
        &t,
    )
    .unwrap();
    assert_eq!(v.get("name"), Some(&Value::string("k")));
    assert_eq!(v.get("count"), Some(&Value::int(3)));
    assert_eq!(v.get("on"), Some(&Value::Bool(true)));
    assert_eq!(
        v.get("tags").and_then(|m| m.get("env")),
        Some(&Value::string("prod"))
    );
    assert_eq!(
        v.get("ips"),
        Some(&Value::List(vec![Value::string("a"), Value::string("b")]))
    );
    assert_eq!(
        v.get("pair"),
        Some(&Value::Tuple(vec![
            Value::Number(Number::Float(1.5)),
            Value::Bool(false)
        ]))
    );
}

#[test]
fn json_objects_may_omit_attributes_which_read_as_null() {
    let t = Type::object([("a", Type::String), ("b", Type::Number)]);
    assert_eq!(
        decode_json(br#"{"a":"x"}"#, &t).unwrap(),
        Value::object([("a", Value::string("x")), ("b", Value::Null)])
    );
    assert_eq!(decode_json(b"null", &t).unwrap(), Value::Null);
}

#[test]
fn json_objects_may_not_carry_unknown_attributes() {
    let t = Type::object([("a", Type::String)]);
    let err = decode_json(br#"{"a":"x","b":1}"#, &t).unwrap_err();
    assert!(matches!(err.kind, DecodeErrorKind::UnsupportedAttribute(ref b) if b == "b"));
}

#[test]
fn json_primitives_convert_the_way_cty_does() {
    assert_eq!(
        decode_json(b"12", &Type::String).unwrap(),
        Value::string("12")
    );
    assert_eq!(
        decode_json(b"true", &Type::String).unwrap(),
        Value::string("true")
    );
    assert_eq!(
        decode_json(br#""42""#, &Type::Number).unwrap(),
        Value::int(42)
    );
    assert_eq!(
        decode_json(br#""0.8""#, &Type::Number).unwrap(),
        Value::Number(Number::Big("0.8".into()))
    );
    assert_eq!(
        decode_json(br#""false""#, &Type::Bool).unwrap(),
        Value::Bool(false)
    );
    assert_eq!(
        decode_json(b"18446744073709551615", &Type::Number).unwrap(),
        Value::Number(Number::Big("18446744073709551615".into()))
    );
    assert!(decode_json(br#""yes""#, &Type::Bool).is_err());
    assert!(decode_json(br#""ten""#, &Type::Number).is_err());
    assert!(decode_json(b"[]", &Type::String).is_err());
}

#[test]
fn json_dynamic_values_carry_type_and_value() {
    assert_eq!(
        decode_json(
            br#"{"value":["a"],"type":["list","string"]}"#,
            &Type::Dynamic
        )
        .unwrap(),
        Value::Dynamic(
            Type::list(Type::String),
            Box::new(Value::List(vec![Value::string("a")]))
        )
    );
    for bad in [
        r#"{"value":1}"#,
        r#"{"type":"number"}"#,
        r#"{"type":"number","value":1,"x":0}"#,
        r#"1"#,
    ] {
        assert!(
            decode_json(bad.as_bytes(), &Type::Dynamic).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn json_errors_name_the_path() {
    let t = Type::object([("rows", Type::list(Type::object([("n", Type::Number)])))]);
    let err = decode_json(br#"{"rows":[{"n":1},{"n":"x"}]}"#, &t).unwrap_err();
    assert_eq!(err.to_string(), "at rows[1].n: invalid number");
    assert!(matches!(
        decode_json(b"{", &t).unwrap_err().kind,
        DecodeErrorKind::Json(_)
    ));
}

#[test]
fn json_tuples_must_have_their_length() {
    let t = Type::Tuple(vec![Type::String]);
    assert!(decode_json(br#"["a","b"]"#, &t).is_err());
    assert!(decode_json(br#"[]"#, &t).is_err());
}
