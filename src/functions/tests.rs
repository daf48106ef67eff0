use crate::functions::*;
use crate::model::msgpack;

fn s(v: &str) -> Value {
    Value::string(v)
}

#[test]
fn every_function_is_listed_sorted_and_documented() {
    let fs = functions();
    let names: Vec<&str> = fs.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, [DURATION_SECONDS, PARSE_EVENT, USED_WITHIN]);
    for f in &fs {
        assert!(
            !f.summary.is_empty() && !f.description.is_empty(),
            "{}",
            f.name
        );
        for p in &f.parameters {
            assert!(!p.description.is_empty(), "{}.{}", f.name, p.name);
        }
    }
}

#[test]
fn duration_seconds_reads_what_the_gate_reads() {
    for (text, secs) in [
        ("30d", 2_592_000),
        ("720h", 2_592_000),
        ("2w", 1_209_600),
        ("30", 2_592_000),
        ("1h 30m", 5400),
    ] {
        assert_eq!(
            call(DURATION_SECONDS, &[s(text)]),
            Ok(Value::int(secs)),
            "{text}"
        );
    }
    assert_eq!(
        call(DURATION_SECONDS, &[s("1500ms")]),
        Ok(Value::Number(Number::Float(1.5)))
    );
}

#[test]
fn a_bad_duration_names_the_argument_and_shows_a_good_value() {
    for bad in ["soon", "", "0", "0d"] {
        let e = call(DURATION_SECONDS, &[s(bad)]).unwrap_err();
        assert_eq!(e.argument, Some(0), "{bad}");
        assert!(e.text.contains("\"30d\""), "{bad}: {}", e.text);
    }
}

#[test]
fn used_within_measures_from_the_given_now() {
    let now = s("2024-05-31T08:30:00Z");
    let yes = |at: &str, w: &str| call(USED_WITHIN, &[s(at), s(w), now.clone()]);
    assert_eq!(yes("2024-05-01T08:30:00Z", "31d"), Ok(Value::Bool(true)));
    assert_eq!(
        yes("2024-05-01T08:30:00Z", "30d"),
        Ok(Value::Bool(false)),
        "exactly the window is idle, as for the gate"
    );
    assert_eq!(
        yes("2024-05-01T08:30:00.500+08:00", "30"),
        Ok(Value::Bool(false))
    );
    assert_eq!(
        yes("2024-06-01T00:00:00Z", "1h"),
        Ok(Value::Bool(true)),
        "a use after now is recent"
    );
    assert_eq!(
        call(USED_WITHIN, &[Value::Null, s("30d"), now.clone()]),
        Ok(Value::Bool(false)),
        "never used"
    );
}

#[test]
fn used_within_is_pure() {
    let args = [
        s("2024-05-01T08:30:00Z"),
        s("30d"),
        s("2024-05-02T00:00:00Z"),
    ];
    let first = call(USED_WITHIN, &args);
    for _ in 0..3 {
        assert_eq!(call(USED_WITHIN, &args), first);
    }
}

#[test]
fn used_within_names_each_bad_argument() {
    let now = s("2024-05-31T08:30:00Z");
    let e = call(USED_WITHIN, &[s("yesterday"), s("30d"), now.clone()]).unwrap_err();
    assert_eq!(e.argument, Some(0));
    assert!(
        e.text
            .starts_with("\"yesterday\" is not an RFC 3339 timestamp"),
        "{}",
        e.text
    );
    assert!(e.text.contains(TIMESTAMP_EXAMPLE), "{}", e.text);
    let e = call(USED_WITHIN, &[Value::Null, s("a month"), now]).unwrap_err();
    assert_eq!(e.argument, Some(1));
    assert!(
        e.text.contains("\"a month\" is not a duration") && e.text.contains("\"30d\""),
        "{}",
        e.text
    );
    let e = call(USED_WITHIN, &[Value::Null, s("30d"), s("2024-05-31")]).unwrap_err();
    assert_eq!(e.argument, Some(2));
    assert!(e.text.contains("plantimestamp()"), "{}", e.text);
}

#[test]
fn parse_event_is_the_data_sources_event_object() {
    let detail = r#"{"eventName":"DescribeInstances","sourceIpAddress":"203.0.113.7","acsRegion":"cn-shanghai","isGlobal":false,"userIdentity":{"type":"ram-user","userName":"deployer"}}"#;
    let v = call(PARSE_EVENT, &[s(detail)]).unwrap();
    assert_eq!(
        v,
        usage::event_value(usage::parse_event(Some(detail)).as_ref())
    );
    assert_eq!(v.get("event_name"), Some(&s("DescribeInstances")));
    assert_eq!(v.get("is_global"), Some(&Value::Bool(false)));
    // It encodes as the declared return type, which is the data sources' event type.
    let f = functions()
        .into_iter()
        .find(|f| f.name == PARSE_EVENT)
        .unwrap();
    assert_eq!(f.return_type, usage::event_type());
    msgpack::encode(&v, &f.return_type).expect("conforms to the return type");
    for nothing in [Value::Null, s(""), s("not json"), s("[1,2]")] {
        assert_eq!(
            call(PARSE_EVENT, std::slice::from_ref(&nothing)),
            Ok(Value::Null),
            "{nothing:?}"
        );
    }
}

#[test]
fn an_unknown_function_or_missing_argument_is_an_error_not_a_panic() {
    assert!(call("nope", &[]).unwrap_err().argument.is_none());
    assert!(call(USED_WITHIN, &[Value::Null]).is_err());
}
