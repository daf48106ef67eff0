//! The cost of one ReadDataSource round: decode the config, encode the state.
//!
//! The object is shaped like the `actiontrail_access_key_last_used_ips` state: about 25
//! attributes and a list of 100 small per-IP objects.

use std::hint::black_box;

use actiontrail_provider::model::msgpack::{decode, encode, encode_into};
use actiontrail_provider::model::{Type, Value};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn row_type() -> Type {
    Type::object([
        ("ip", Type::String),
        ("used_timestamp", Type::Number),
        ("last_used_at", Type::String),
        ("source", Type::String),
        ("detail", Type::String),
    ])
}

fn state_type() -> Type {
    let mut attrs: Vec<(String, Type)> = (0..22)
        .map(|i| {
            let ty = match i % 3 {
                0 => Type::String,
                1 => Type::Number,
                _ => Type::Bool,
            };
            (format!("attribute_{i:02}"), ty)
        })
        .collect();
    attrs.push(("tags".into(), Type::map(Type::String)));
    attrs.push(("service_names".into(), Type::list(Type::String)));
    attrs.push(("ips".into(), Type::list(row_type())));
    Type::object(attrs)
}

fn state_value() -> Value {
    let row = |i: i64| {
        Value::object([
            ("ip", Value::string(format!("10.0.{}.{}", i / 256, i % 256))),
            ("used_timestamp", Value::int(1_700_000_000_000 + i * 60_000)),
            ("last_used_at", Value::string("2023-11-14T22:13:20Z")),
            ("source", Value::string("ManagementEvent")),
            (
                "detail",
                Value::string(r#"{"eventName":"DescribeInstances","acsRegion":"cn-hangzhou"}"#),
            ),
        ])
    };
    let mut attrs: Vec<(String, Value)> = (0..22)
        .map(|i| {
            let v = match i % 3 {
                0 => Value::string(format!("value {i}")),
                1 => Value::int(i),
                _ => Value::Bool(i % 2 == 0),
            };
            (format!("attribute_{i:02}"), v)
        })
        .collect();
    attrs.push((
        "tags".into(),
        Value::Map(
            [("env", "prod"), ("team", "security")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Value::string(v)))
                .collect(),
        ),
    ));
    attrs.push((
        "service_names".into(),
        Value::List(vec![Value::string("ecs"), Value::string("oss")]),
    ));
    attrs.push(("ips".into(), Value::List((0..100).map(row).collect())));
    Value::object(attrs)
}

fn codec(c: &mut Criterion) {
    let ty = state_type();
    let value = state_value();
    let bytes = encode(&value, &ty).expect("the benchmark state conforms to its type");

    let mut group = c.benchmark_group("read_data_source_state");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("encode", |b| {
        b.iter(|| encode(black_box(&value), black_box(&ty)).expect("encodes"))
    });
    let mut out = Vec::with_capacity(bytes.len());
    group.bench_function("encode_into_reused_buffer", |b| {
        b.iter(|| {
            out.clear();
            encode_into(black_box(&value), black_box(&ty), &mut out).expect("encodes");
        })
    });
    group.bench_function("decode", |b| {
        b.iter(|| decode(black_box(&bytes), black_box(&ty)).expect("decodes"))
    });
    group.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
