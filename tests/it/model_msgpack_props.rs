//! Properties of the msgpack codec over random types, values and bytes.

use std::collections::BTreeMap;

use actiontrail_provider::model::msgpack::{decode, decode_json, encode};
use actiontrail_provider::model::{Number, Type, Value};
use proptest::prelude::*;

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(|t| Type::Set(Box::new(t))),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..5).prop_map(Type::Object),
            prop::collection::vec(inner, 0..4).prop_map(Type::Tuple),
        ]
    })
}

/// Numbers in the canonical form the decoder produces, so round trips compare exactly.
fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        any::<f64>().prop_filter_map("cty has no NaN", |f| Number::Float(f).canonical()),
        prop_oneof![Just(f64::INFINITY), Just(f64::NEG_INFINITY)].prop_map(Number::Float),
        "-?[0-9]{1,40}(\\.[0-9]{1,40})?"
            .prop_filter_map("decimal text", |s| Number::from_decimal(&s)),
    ]
}

/// A value conforming to `ty`. `dynamic_budget` bounds how many `dynamic` levels may
/// nest, since each one draws a fresh type.
fn arb_value(ty: &Type, dynamic_budget: u32) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(elem) => prop::collection::vec(arb_value(elem, dynamic_budget), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(elem) => prop::collection::vec(arb_value(elem, dynamic_budget), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(elem) => {
            prop::collection::btree_map(".{0,6}", arb_value(elem, dynamic_budget), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(attrs) => attrs
            .iter()
            .map(|(name, t)| {
                let name = name.clone();
                arb_value(t, dynamic_budget).prop_map(move |v| (name.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<BTreeMap<_, _>>()))
            .boxed(),
        Type::Tuple(elems) => elems
            .iter()
            .map(|t| arb_value(t, dynamic_budget))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Dynamic if dynamic_budget == 0 => Just(Value::Null).boxed(),
        Type::Dynamic => arb_type()
            .prop_filter("a dynamic value has a concrete type", |t| {
                *t != Type::Dynamic
            })
            .prop_flat_map(move |t| {
                arb_value(&t, dynamic_budget - 1)
                    .prop_map(move |v| Value::Dynamic(t.clone(), Box::new(v)))
            })
            .boxed(),
    };
    prop_oneof![
        8 => known,
        1 => Just(Value::Null),
        1 => Just(Value::Unknown),
    ]
    .boxed()
}

fn arb_typed_value() -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(|t| {
        let v = arb_value(&t, 2);
        (Just(t), v)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn conforming_values_round_trip((ty, value) in arb_typed_value()) {
        let bytes = encode(&value, &ty).expect("a conforming value encodes");
        let back = decode(&bytes, &ty).expect("an encoding decodes");
        prop_assert_eq!(back, value);
    }

    #[test]
    fn every_truncation_of_an_encoding_is_an_error((ty, value) in arb_typed_value()) {
        let bytes = encode(&value, &ty).expect("a conforming value encodes");
        for cut in 0..bytes.len() {
            prop_assert!(decode(&bytes[..cut], &ty).is_err(), "prefix of {} bytes decoded", cut);
        }
    }

    #[test]
    fn corrupted_encodings_never_panic(
        (ty, value) in arb_typed_value(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = encode(&value, &ty).expect("a conforming value encodes");
        if !bytes.is_empty() {
            for (at, byte) in flips {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
        }
        // Whatever decodes is a value of the type: it encodes again.
        if let Ok(v) = decode(&bytes, &ty) {
            prop_assert!(encode(&v, &ty).is_ok(), "decoded {:?}, which does not conform to {:?}", v, ty);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(ty in arb_type(), bytes in prop::collection::vec(any::<u8>(), 0..96)) {
        // Whatever decodes is a value of the type: it encodes again.
        if let Ok(v) = decode(&bytes, &ty) {
            prop_assert!(encode(&v, &ty).is_ok(), "decoded {:?}, which does not conform to {:?}", v, ty);
        }
        if let Ok(v) = decode_json(&bytes, &ty) {
            prop_assert!(encode(&v, &ty).is_ok(), "decoded {:?} from JSON, which does not conform to {:?}", v, ty);
        }
    }

    /// Valid type JSON (every type the generator makes, written by `to_json_string`) with
    /// a few edits: bytes replaced, cut or inserted from JSON's own alphabet and the type
    /// keywords, so most inputs get deep into the parser before anything is wrong.
    #[test]
    fn arbitrary_type_json_never_panics(
        ty in arb_type(),
        edits in prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                0u8..3,
                prop::sample::select(vec![
                    "[", "]", "{", "}", "\"", ",", ":", "\"list\"", "\"set\"", "\"map\"",
                    "\"object\"", "\"tuple\"", "\"string\"", "\"dynamic\"", "1", "null", "",
                ]),
            ),
            0..4,
        ),
    ) {
        let valid = ty.to_json_string();
        prop_assert_eq!(Type::from_json_bytes(valid.as_bytes()).ok(), Some(ty.clone()), "{}", valid);
        let mut text = valid.into_bytes();
        for (at, kind, token) in edits {
            let i = at.index(text.len() + 1);
            match kind {
                0 => { text.splice(i..i, token.bytes()); }
                1 if i < text.len() => { text.truncate(i); }
                _ if i < text.len() => { text.splice(i..=i, token.bytes()); }
                _ => {}
            }
        }
        // Whatever parses is a type that writes and parses back to itself.
        if let Ok(parsed) = Type::from_json_bytes(&text) {
            let again = parsed.to_json_string();
            prop_assert_eq!(Type::from_json_bytes(again.as_bytes()).ok(), Some(parsed), "{}", again);
        }
    }
}
