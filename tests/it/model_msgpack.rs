//! The msgpack rules of go-cty's `cty/msgpack`, pinned byte for byte.
//!
//! Byte sequences follow the msgpack specification and the values in go-cty's round-trip
//! table (`cty/msgpack/roundtrip_test.go`): 0.8 and 9223372036854775809 are not floats,
//! 9223372036854775808 is, infinities are floats, nulls and unknowns nest anywhere.

use actiontrail_provider::model::diag::{AttributePath, PathStep};
use actiontrail_provider::model::msgpack::{
    decode, encode, encode_into, DecodeErrorKind, EncodeErrorKind,
};
use actiontrail_provider::model::{Number, Type, Value};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    hex::decode(s).expect("test fixture is valid hex")
}

fn str_bytes(s: &str) -> Vec<u8> {
    let mut out = vec![0xa0 | s.len() as u8];
    out.extend_from_slice(s.as_bytes());
    out
}

fn roundtrips(value: Value, ty: &Type, bytes: &[u8]) {
    let encoded = encode(&value, ty).expect("value encodes");
    assert_eq!(
        hex::encode(&encoded),
        hex::encode(bytes),
        "encoding of {value:?}"
    );
    let decoded = decode(bytes, ty).expect("bytes decode");
    assert_eq!(decoded, value, "decoding of {}", hex::encode(bytes));
}

fn decode_err(bytes: &[u8], ty: &Type) -> DecodeErrorKind {
    match decode(bytes, ty) {
        Ok(v) => panic!("{} decoded as {v:?}, expected an error", hex::encode(bytes)),
        Err(e) => e.kind,
    }
}

fn encode_err(value: &Value, ty: &Type) -> (AttributePath, EncodeErrorKind) {
    match encode(value, ty) {
        Ok(b) => panic!("{value:?} encoded as {}, expected an error", hex::encode(b)),
        Err(e) => (e.path, e.kind),
    }
}

#[test]
fn null_is_nil_for_every_type() {
    for ty in [
        Type::String,
        Type::Number,
        Type::Bool,
        Type::list(Type::String),
        Type::map(Type::Number),
        Type::object([("a", Type::String)]),
        Type::Tuple(vec![Type::Bool]),
        Type::Dynamic,
    ] {
        roundtrips(Value::Null, &ty, &[0xc0]);
    }
}

#[test]
fn unknown_is_written_as_terraforms_fixext1_zero() {
    for ty in [
        Type::String,
        Type::Number,
        Type::list(Type::Bool),
        Type::Dynamic,
    ] {
        roundtrips(Value::Unknown, &ty, &hex("d4 00 00"));
    }
}

#[test]
fn any_extension_reads_as_unknown_including_refinements() {
    // Terraform 1.6+ sends ext type 12 with a msgpack map of refinements (here: not
    // null); other extension shapes must read as unknown too.
    for bytes in [
        "c7 03 0c 81 01 c2",
        "d5 0c 00 00",
        "c7 00 00",
        "d8 05 00000000000000000000000000000000",
    ] {
        assert_eq!(
            decode(&hex(bytes), &Type::String).unwrap(),
            Value::Unknown,
            "{bytes}"
        );
    }
    assert_eq!(
        decode(&hex("91 c7 03 0c 81 01 c2"), &Type::list(Type::Number)).unwrap(),
        Value::List(vec![Value::Unknown])
    );
}

#[test]
fn strings_and_bools() {
    roundtrips(Value::string("hello"), &Type::String, &str_bytes("hello"));
    roundtrips(Value::string(""), &Type::String, &hex("a0"));
    roundtrips(Value::Bool(true), &Type::Bool, &hex("c3"));
    roundtrips(Value::Bool(false), &Type::Bool, &hex("c2"));
    let long = "x".repeat(40);
    let mut bytes = hex("d9 28");
    bytes.extend_from_slice(long.as_bytes());
    roundtrips(Value::string(long), &Type::String, &bytes);
}

#[test]
fn strings_are_also_read_from_bin() {
    assert_eq!(
        decode(&hex("c4 02 6869"), &Type::String).unwrap(),
        Value::string("hi")
    );
}

#[test]
fn rejects_strings_that_are_not_utf8() {
    assert!(matches!(
        decode_err(&hex("a2 c3 28"), &Type::String),
        DecodeErrorKind::InvalidUtf8
    ));
}

#[test]
fn integers_are_written_compactly() {
    roundtrips(Value::int(1), &Type::Number, &hex("01"));
    roundtrips(Value::int(-1), &Type::Number, &hex("ff"));
    roundtrips(Value::int(300), &Type::Number, &hex("cd 01 2c"));
    roundtrips(
        Value::int(1_700_000_000_000),
        &Type::Number,
        &hex("cf 0000018bcfe56800"),
    );
    roundtrips(
        Value::int(i64::MIN),
        &Type::Number,
        &hex("d3 8000000000000000"),
    );
    roundtrips(
        Value::int(i64::MAX),
        &Type::Number,
        &hex("cf 7fffffffffffffff"),
    );
}

#[test]
fn fractions_a_float_holds_exactly_are_float64() {
    roundtrips(
        Value::Number(Number::Float(1.5)),
        &Type::Number,
        &hex("cb 3ff8000000000000"),
    );
    roundtrips(
        Value::Number(Number::Float(f64::INFINITY)),
        &Type::Number,
        &hex("cb 7ff0000000000000"),
    );
    roundtrips(
        Value::Number(Number::Float(f64::NEG_INFINITY)),
        &Type::Number,
        &hex("cb fff0000000000000"),
    );
}

#[test]
fn two_to_the_63_is_a_float_but_one_more_is_text() {
    // go-cty: 9223372036854775808 is exact as float64, 9223372036854775809 is not.
    let two63 = Number::from_decimal("9223372036854775808").unwrap();
    assert_eq!(two63, Number::Float(9_223_372_036_854_775_808.0));
    roundtrips(
        Value::Number(two63),
        &Type::Number,
        &hex("cb 43e0000000000000"),
    );
    roundtrips(
        Value::Number(Number::Big("9223372036854775809".into())),
        &Type::Number,
        &str_bytes("9223372036854775809"),
    );
}

#[test]
fn decimals_a_float_cannot_hold_are_text() {
    // 0.8 is go-cty's "awkward fraction": it has no exact binary form.
    roundtrips(
        Value::Number(Number::Big("0.8".into())),
        &Type::Number,
        &str_bytes("0.8"),
    );
    let huge = "9".repeat(100);
    let mut bytes = hex("d9 64");
    bytes.extend_from_slice(huge.as_bytes());
    roundtrips(Value::Number(Number::Big(huge)), &Type::Number, &bytes);
}

#[test]
fn whole_floats_and_integral_text_encode_as_ints() {
    assert_eq!(
        encode(&Value::Number(Number::Float(42.0)), &Type::Number).unwrap(),
        hex("2a")
    );
    assert_eq!(
        encode(&Value::Number(Number::Big("-7".into())), &Type::Number).unwrap(),
        hex("f9")
    );
}

#[test]
fn decodes_every_msgpack_number_form() {
    let cases: &[(&str, Number)] = &[
        ("7f", Number::Int(127)),
        ("e0", Number::Int(-32)),
        ("cc ff", Number::Int(255)),
        ("d0 80", Number::Int(-128)),
        ("d1 8000", Number::Int(-32768)),
        ("ce ffffffff", Number::Int(4_294_967_295)),
        ("d2 80000000", Number::Int(-2_147_483_648)),
        ("ca 3fc00000", Number::Float(1.5)),
        ("cb 4000000000000000", Number::Int(2)),
        (
            "cf ffffffffffffffff",
            Number::Big("18446744073709551615".into()),
        ),
        ("a2 3132", Number::Int(12)),
        ("a4 2d302e35", Number::Float(-0.5)),
        ("a3 316533", Number::Int(1000)),
    ];
    for (bytes, want) in cases {
        assert_eq!(
            decode(&hex(bytes), &Type::Number).unwrap(),
            Value::Number(want.clone()),
            "{bytes}"
        );
    }
}

#[test]
fn rejects_nan_and_text_that_is_not_a_number() {
    for bytes in ["cb 7ff8000000000000", "a3 616263", "a0", "a3 4e614e", "c3"] {
        assert!(
            matches!(
                decode_err(&hex(bytes), &Type::Number),
                DecodeErrorKind::InvalidNumber | DecodeErrorKind::Expected(_)
            ),
            "{bytes}"
        );
    }
    let (_, kind) = encode_err(&Value::Number(Number::Float(f64::NAN)), &Type::Number);
    assert!(matches!(kind, EncodeErrorKind::InvalidNumber));
    let (_, kind) = encode_err(&Value::Number(Number::Big("12abc".into())), &Type::Number);
    assert!(matches!(kind, EncodeErrorKind::InvalidNumber));
}

#[test]
fn lists_sets_and_tuples_are_arrays() {
    let hello = str_bytes("hello");
    let one = [&[0x91][..], &hello].concat();
    roundtrips(
        Value::List(vec![Value::string("hello")]),
        &Type::list(Type::String),
        &one,
    );
    roundtrips(
        Value::Set(vec![Value::string("hello")]),
        &Type::Set(Box::new(Type::String)),
        &one,
    );
    roundtrips(
        Value::Tuple(vec![Value::string("hello")]),
        &Type::Tuple(vec![Type::String]),
        &one,
    );
    roundtrips(Value::List(vec![]), &Type::list(Type::String), &hex("90"));
    roundtrips(Value::Tuple(vec![]), &Type::Tuple(vec![]), &hex("90"));
    roundtrips(
        Value::List(vec![Value::Null, Value::Unknown]),
        &Type::list(Type::String),
        &hex("92 c0 d40000"),
    );
}

#[test]
fn rejects_tuples_of_the_wrong_length() {
    let ty = Type::Tuple(vec![Type::String, Type::Bool]);
    assert!(matches!(
        decode_err(&hex("91 c3"), &ty),
        DecodeErrorKind::TupleLength {
            expected: 2,
            given: 1
        }
    ));
    // go-cty reads an empty array as an empty tuple whatever the type; we do not.
    assert!(matches!(
        decode_err(&hex("90"), &ty),
        DecodeErrorKind::TupleLength { .. }
    ));
    let (_, kind) = encode_err(&Value::Tuple(vec![Value::Bool(true)]), &ty);
    assert!(matches!(kind, EncodeErrorKind::TupleLength { .. }));
}

#[test]
fn maps_are_msgpack_maps_with_sorted_string_keys() {
    let ty = Type::map(Type::String);
    let value = Value::Map(
        [("greeting", "hello"), ("a", "b")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Value::string(v)))
            .collect(),
    );
    let bytes = [
        &[0x82][..],
        &str_bytes("a"),
        &str_bytes("b"),
        &str_bytes("greeting"),
        &str_bytes("hello"),
    ]
    .concat();
    roundtrips(value, &ty, &bytes);
    roundtrips(Value::Map(Default::default()), &ty, &hex("80"));
}

#[test]
fn rejects_duplicate_map_keys() {
    let bytes = [
        &[0x82][..],
        &str_bytes("k"),
        &str_bytes("1"),
        &str_bytes("k"),
        &str_bytes("2"),
    ]
    .concat();
    assert!(matches!(
        decode_err(&bytes, &Type::map(Type::String)),
        DecodeErrorKind::DuplicateKey(k) if k == "k"
    ));
}

fn greeting_type() -> Type {
    Type::object([("greeting", Type::String), ("count", Type::Number)])
}

#[test]
fn objects_carry_every_attribute_sorted_with_nil_for_null() {
    let value = Value::object([("greeting", Value::string("hi")), ("count", Value::Null)]);
    let bytes = [
        &[0x82][..],
        &str_bytes("count"),
        &[0xc0],
        &str_bytes("greeting"),
        &str_bytes("hi"),
    ]
    .concat();
    roundtrips(value, &greeting_type(), &bytes);
    roundtrips(
        Value::Object(Default::default()),
        &Type::Object(Default::default()),
        &hex("80"),
    );
}

#[test]
fn rejects_objects_missing_an_attribute() {
    let bytes = [&[0x81][..], &str_bytes("greeting"), &str_bytes("hi")].concat();
    assert!(matches!(
        decode_err(&bytes, &greeting_type()),
        DecodeErrorKind::AttributeCount {
            expected: 2,
            given: 1
        }
    ));
    assert!(matches!(
        decode_err(&hex("80"), &greeting_type()),
        DecodeErrorKind::AttributeCount { .. }
    ));
}

#[test]
fn rejects_attributes_the_type_does_not_have() {
    let bytes = [
        &[0x82][..],
        &str_bytes("count"),
        &[0x01],
        &str_bytes("colour"),
        &str_bytes("red"),
    ]
    .concat();
    assert!(matches!(
        decode_err(&bytes, &greeting_type()),
        DecodeErrorKind::UnsupportedAttribute(name) if name == "colour"
    ));
}

#[test]
fn rejects_an_attribute_given_twice_in_place_of_another() {
    let bytes = [
        &[0x82][..],
        &str_bytes("count"),
        &[0x01],
        &str_bytes("count"),
        &[0x02],
    ]
    .concat();
    assert!(matches!(
        decode_err(&bytes, &greeting_type()),
        DecodeErrorKind::DuplicateKey(_)
    ));
}

#[test]
fn objects_decode_the_same_whatever_the_order_of_their_attributes() {
    let sorted = [
        &[0x82][..],
        &str_bytes("count"),
        &[0x01],
        &str_bytes("greeting"),
        &str_bytes("hi"),
    ]
    .concat();
    let reversed = [
        &[0x82][..],
        &str_bytes("greeting"),
        &str_bytes("hi"),
        &str_bytes("count"),
        &[0x01],
    ]
    .concat();
    let want = Value::object([("greeting", Value::string("hi")), ("count", Value::int(1))]);
    assert_eq!(decode(&sorted, &greeting_type()).unwrap(), want);
    assert_eq!(decode(&reversed, &greeting_type()).unwrap(), want);
}

#[test]
fn rejects_an_attribute_given_twice_after_leaving_the_sorted_order() {
    let ty = Type::object([
        ("a", Type::Number),
        ("b", Type::Number),
        ("c", Type::Number),
    ]);
    let bytes = [
        &[0x83][..],
        &str_bytes("b"),
        &[0x01],
        &str_bytes("a"),
        &[0x02],
        &str_bytes("b"),
        &[0x03],
    ]
    .concat();
    assert!(matches!(
        decode_err(&bytes, &ty),
        DecodeErrorKind::DuplicateKey(k) if k == "b"
    ));
}

#[test]
fn dynamic_is_a_pair_of_type_json_bin_and_value() {
    let mut bytes = hex("92 c4 08");
    bytes.extend_from_slice(b"\"string\"");
    bytes.extend_from_slice(&str_bytes("hello"));
    roundtrips(
        Value::Dynamic(Type::String, Box::new(Value::string("hello"))),
        &Type::Dynamic,
        &bytes,
    );

    let list_ty = Type::list(Type::Dynamic);
    let inner = br#"["list","bool"]"#;
    let mut bytes = hex("91 92 c4");
    bytes.push(inner.len() as u8);
    bytes.extend_from_slice(inner);
    bytes.extend_from_slice(&hex("92 c3 c0"));
    roundtrips(
        Value::List(vec![Value::Dynamic(
            Type::list(Type::Bool),
            Box::new(Value::List(vec![Value::Bool(true), Value::Null])),
        )]),
        &list_ty,
        &bytes,
    );
}

#[test]
fn dynamic_typed_null_keeps_its_type() {
    // go-cty writes NullVal(String) in a dynamic slot as ["string", nil].
    let mut bytes = hex("92 c4 08");
    bytes.extend_from_slice(b"\"string\"");
    bytes.push(0xc0);
    roundtrips(
        Value::Dynamic(Type::String, Box::new(Value::Null)),
        &Type::Dynamic,
        &bytes,
    );
}

#[test]
fn dynamic_type_may_arrive_as_str() {
    let mut bytes = hex("92 a8");
    bytes.extend_from_slice(b"\"number\"");
    bytes.push(0x05);
    assert_eq!(
        decode(&bytes, &Type::Dynamic).unwrap(),
        Value::Dynamic(Type::Number, Box::new(Value::int(5)))
    );
}

#[test]
fn rejects_malformed_dynamic_values() {
    assert!(matches!(
        decode_err(&hex("91 c0"), &Type::Dynamic),
        DecodeErrorKind::DynamicShape
    ));
    assert!(matches!(
        decode_err(&hex("a1 61"), &Type::Dynamic),
        DecodeErrorKind::Expected(_)
    ));
    let mut bytes = hex("92 c4 05");
    bytes.extend_from_slice(b"\"str\"");
    bytes.push(0xc0);
    assert!(matches!(
        decode_err(&bytes, &Type::Dynamic),
        DecodeErrorKind::DynamicType(_)
    ));
    let (_, kind) = encode_err(&Value::string("x"), &Type::Dynamic);
    assert!(matches!(kind, EncodeErrorKind::UntypedDynamic));
}

#[test]
fn rejects_wrong_kinds_of_value_on_the_wire() {
    assert!(matches!(
        decode_err(&hex("01"), &Type::String),
        DecodeErrorKind::Expected("a string")
    ));
    assert!(matches!(
        decode_err(&hex("a1 61"), &Type::Bool),
        DecodeErrorKind::Expected("a bool")
    ));
    assert!(matches!(
        decode_err(&hex("80"), &Type::list(Type::String)),
        DecodeErrorKind::Expected("a list")
    ));
    assert!(matches!(
        decode_err(&hex("90"), &greeting_type()),
        DecodeErrorKind::Expected("an object")
    ));
    assert!(matches!(
        decode_err(&hex("81 01 01"), &Type::map(Type::Number)),
        DecodeErrorKind::Expected(_)
    ));
}

#[test]
fn rejects_trailing_bytes_and_empty_input() {
    assert!(matches!(
        decode_err(&hex("c3 c3"), &Type::Bool),
        DecodeErrorKind::TrailingBytes(1)
    ));
    assert!(matches!(
        decode_err(&[], &Type::Bool),
        DecodeErrorKind::Truncated
    ));
}

#[test]
fn huge_wire_lengths_fail_without_allocating() {
    // 4 G elements / entries / bytes announced, none present.
    for (bytes, ty) in [
        ("dd ffffffff", Type::list(Type::String)),
        ("df ffffffff", Type::map(Type::String)),
        ("db ffffffff", Type::String),
        ("c6 ffffffff", Type::String),
        ("c9 ffffffff 00", Type::String),
    ] {
        assert!(
            matches!(decode_err(&hex(bytes), &ty), DecodeErrorKind::Truncated),
            "{bytes}"
        );
    }
}

#[test]
fn hostile_nesting_stops_at_the_depth_limit() {
    let mut ty = Type::String;
    for _ in 0..200 {
        ty = Type::list(ty);
    }
    let mut bytes = vec![0x91; 200];
    bytes.extend_from_slice(&str_bytes("x"));
    assert!(matches!(decode_err(&bytes, &ty), DecodeErrorKind::TooDeep));

    // Nesting through dynamic values builds the types from the wire itself.
    let mut bytes = Vec::new();
    for _ in 0..10_000 {
        bytes.extend_from_slice(&hex("92 c4 09"));
        bytes.extend_from_slice(b"\"dynamic\"");
    }
    bytes.push(0xc0);
    assert!(matches!(
        decode_err(&bytes, &Type::Dynamic),
        DecodeErrorKind::TooDeep
    ));
}

#[test]
fn errors_name_the_path_to_the_fault() {
    let ty = Type::object([("rows", Type::list(Type::object([("ip", Type::String)])))]);
    let bytes = [
        &[0x81][..],
        &str_bytes("rows"),
        &[0x92, 0x81],
        &str_bytes("ip"),
        &str_bytes("10.0.0.1"),
        &[0x81],
        &str_bytes("ip"),
        &[0x07],
    ]
    .concat();
    let err = decode(&bytes, &ty).unwrap_err();
    assert_eq!(
        err.path,
        AttributePath(vec![
            PathStep::Attribute("rows".into()),
            PathStep::ElementKeyInt(1),
            PathStep::Attribute("ip".into()),
        ])
    );
    assert_eq!(err.to_string(), "at rows[1].ip: a string is required");

    let value = Value::object([(
        "rows",
        Value::List(vec![Value::object([("ip", Value::Bool(true))])]),
    )]);
    let err = encode(&value, &ty).unwrap_err();
    assert_eq!(
        err.to_string(),
        "at rows[0].ip: a bool value cannot be encoded as \"string\""
    );
}

#[test]
fn encode_validates_objects_against_their_type() {
    let (_, kind) = encode_err(
        &Value::object([("greeting", Value::string("hi"))]),
        &greeting_type(),
    );
    assert!(matches!(kind, EncodeErrorKind::MissingAttribute(a) if a == "count"));
    let (_, kind) = encode_err(
        &Value::object([
            ("greeting", Value::Null),
            ("count", Value::Null),
            ("extra", Value::Null),
        ]),
        &greeting_type(),
    );
    assert!(matches!(kind, EncodeErrorKind::UnexpectedAttribute(a) if a == "extra"));
    let (_, kind) = encode_err(&Value::List(vec![]), &Type::Set(Box::new(Type::String)));
    assert!(matches!(
        kind,
        EncodeErrorKind::Mismatch { found: "list", .. }
    ));
}

#[test]
fn encode_into_appends_and_leaves_output_alone_on_error() {
    let mut out = vec![0xaa];
    encode_into(&Value::Bool(true), &Type::Bool, &mut out).unwrap();
    assert_eq!(out, hex("aa c3"));
    let bad = Value::List(vec![Value::string("ok"), Value::int(1)]);
    assert!(encode_into(&bad, &Type::list(Type::String), &mut out).is_err());
    assert_eq!(out, hex("aa c3"));
}

#[test]
fn a_value_wrapped_with_its_own_type_encodes_plainly() {
    let v = Value::Dynamic(Type::String, Box::new(Value::string("x")));
    assert_eq!(encode(&v, &Type::String).unwrap(), str_bytes("x"));
}

#[test]
fn error_messages_do_not_echo_string_contents() {
    let secret = "AKIDsecretvalue";
    let (_, kind) = encode_err(&Value::string(secret), &Type::Number);
    assert!(!kind.to_string().contains(secret));
    let err = decode(&str_bytes(secret), &Type::Number).unwrap_err();
    assert!(!err.to_string().contains(secret), "{err}");
}

#[test]
fn paths_into_sets_stop_at_the_set() {
    let ty = Type::object([("ids", Type::Set(Box::new(Type::String)))]);
    let bytes = [&[0x81][..], &str_bytes("ids"), &[0x92, 0xa1, b'a', 0x01]].concat();
    let err = decode(&bytes, &ty).unwrap_err();
    assert_eq!(err.path, AttributePath::root("ids"));
    let value = Value::object([("ids", Value::Set(vec![Value::Bool(true)]))]);
    assert_eq!(
        encode(&value, &ty).unwrap_err().path,
        AttributePath::root("ids")
    );
}
