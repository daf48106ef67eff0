//! Properties of the strict decoder, from honest answers outwards: an answer saying "used N
//! days ago", one saying "never used", and RAM fleet pages, each distorted the way an
//! attacker on the path or a broken endpoint would (a member repeated at any depth, a time
//! in other units, a field dropped or nulled, whitespace and padding past the body cap, a cut
//! anywhere, a type changed, a paging flag flipped). Whatever comes out, the decoder errs,
//! or reports a use at the true time or later. It never yields "unused", fewer keys, fewer
//! users or an older time.

use super::answer;
use super::list_access_keys::{checked_keys, ListAccessKeysAnswer};
use super::list_users::{list_users_page, ListUsersPage, UserPaging};
use super::{last_used_info, last_used_ips, last_used_products, last_used_resources};
use crate::alibaba::rpc::read_body;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const KEY: &str = "LTAI5tPropertyKey0000001";
const DAY_MS: i64 = 86_400_000;

/// Whole seconds, as the reference's answers carry: an `eventTime` spells no milliseconds.
fn now_s() -> i64 {
    crate::alibaba::decode::EpochMs::now().ms() / 1000
}

fn rfc3339(ms: i64) -> String {
    crate::alibaba::decode::UsedTimestamp::fixture(ms).rfc3339()
}

/// The honest Info answer: used at `used_ms`, or never. Its Detail event carries its time.
fn honest_info(used_ms: Option<i64>) -> Value {
    honest_info_with(used_ms, true)
}

/// The honest Info answer, its Detail event with or without an `eventTime` (the reference
/// does not promise one, so no rule may lean on it).
fn honest_info_with(used_ms: Option<i64>, event_time: bool) -> Value {
    let mut a = json!({
        "RequestId": "6B4A1F2C-honest",
        "AccessKeyId": KEY,
        "AccountId": "1234567890",
        "AccountType": "ram-user",
        "UserName": "deployer",
    });
    if let Some(ms) = used_ms {
        let detail = json!({
            "eventId": "e-1",
            "eventName": "DescribeInstances",
            "eventTime": rfc3339(ms),
            "sourceIpAddress": "203.0.113.7",
            "userIdentity": {"type": "ram-user", "userName": "deployer", "accessKeyId": KEY},
        });
        let mut detail = detail;
        if !event_time {
            detail.as_object_mut().unwrap().remove("eventTime");
        }
        let o = a.as_object_mut().unwrap();
        o.insert("ServiceName".into(), json!("Ecs"));
        o.insert("ServiceNameEn".into(), json!("Elastic Compute Service"));
        o.insert("Source".into(), json!("ManagementEvent"));
        o.insert("Detail".into(), json!(detail.to_string()));
        o.insert("UsedTimestamp".into(), json!(ms));
    }
    a
}

/// One way to distort an answer's JSON.
#[derive(Clone, Debug)]
enum Mutation {
    /// Nothing: the honest answer.
    None,
    /// The `n`th member of the `k`th object (depth first, Detail's event included) repeated
    /// with `value`, before or after the original.
    Duplicate {
        object: usize,
        member: usize,
        value: Value,
        before: bool,
    },
    /// UsedTimestamp changed in units or made absurd.
    Unit(i64, i64),
    /// UsedTimestamp set to this.
    Time(Value),
    /// The `n`th top-level member dropped.
    Drop(usize),
    /// The `n`th top-level member set to `value` (null, a string, a number, a list...).
    Retype(usize, Value),
    /// Detail's event has its time moved by this many milliseconds.
    EventShift(i64),
}

fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(0)),
        Just(json!(1)),
        Just(json!("")),
        Just(json!("x")),
        Just(json!([])),
        Just(json!({})),
        Just(json!(true)),
        Just(json!(1.5)),
        Just(json!(-1)),
        Just(json!(1_643_673_599_999_i64)),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => Just(Mutation::None),
        4 => (0usize..8, 0usize..12, odd_value(), any::<bool>()).prop_map(|(object, member, value, before)| Mutation::Duplicate { object, member, value, before }),
        2 => prop_oneof![Just((1, 1000)), Just((1000, 1)), Just((1, 60_000)), Just((1, 1_000_000)), Just((0, 1))].prop_map(|(m, d)| Mutation::Unit(m, d)),
        2 => prop_oneof![Just(json!(1)), Just(json!(0)), Just(Value::Null), Just(json!(-1)), Just(json!(4_102_444_800_000_i64)), Just(json!("1700000000000")), Just(json!(1.7e12))].prop_map(Mutation::Time),
        2 => (0usize..12).prop_map(Mutation::Drop),
        2 => (0usize..12, odd_value()).prop_map(|(n, v)| Mutation::Retype(n, v)),
        1 => prop_oneof![Just(-400 * DAY_MS), Just(-DAY_MS), Just(DAY_MS), Just(3_000), Just(400 * DAY_MS)].prop_map(Mutation::EventShift),
    ]
}

/// JSON text of `v`, with `dup` repeating one member (by depth-first object index).
fn write(
    v: &Value,
    dup: &Option<(usize, usize, Value, bool)>,
    objects: &mut usize,
    out: &mut String,
) {
    match v {
        Value::Object(o) => {
            let me = *objects;
            *objects += 1;
            out.push('{');
            let mut first = true;
            let mut member = |out: &mut String, k: &str, v: &Value, objects: &mut usize| {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(&Value::String(k.to_owned()).to_string());
                out.push(':');
                write(v, dup, objects, out);
            };
            for (i, (k, val)) in o.iter().enumerate() {
                let here = dup
                    .as_ref()
                    .filter(|(obj, m, _, _)| *obj == me && *m % o.len().max(1) == i);
                if let Some((_, _, d, true)) = here {
                    member(out, k, d, objects);
                }
                member(out, k, val, objects);
                if let Some((_, _, d, false)) = here {
                    member(out, k, d, objects);
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(x, dup, objects, out);
            }
            out.push(']');
        }
        // Detail: a JSON document inside a string, where a duplicate may hide too.
        Value::String(s) if s.starts_with('{') => {
            let inner: Value = serde_json::from_str(s).unwrap();
            let mut text = String::new();
            write(&inner, dup, objects, &mut text);
            out.push_str(&Value::String(text).to_string());
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `honest` distorted by `m`, as text.
fn distort(honest: &Value, m: &Mutation) -> String {
    let mut v = honest.clone();
    let o = v.as_object_mut().unwrap();
    let nth = |o: &serde_json::Map<String, Value>, n: usize| {
        o.keys()
            .nth(n % o.len().max(1))
            .cloned()
            .unwrap_or_default()
    };
    let mut dup = None;
    match m {
        Mutation::None => {}
        Mutation::Duplicate {
            object,
            member,
            value,
            before,
        } => dup = Some((*object, *member, value.clone(), *before)),
        Mutation::Unit(mul, div) => {
            if let Some(t) = o.get("UsedTimestamp").and_then(Value::as_i64) {
                o.insert("UsedTimestamp".into(), json!(t.saturating_mul(*mul) / div));
            }
        }
        Mutation::Time(t) => {
            o.insert("UsedTimestamp".into(), t.clone());
        }
        Mutation::Drop(n) => {
            let k = nth(o, *n);
            o.remove(&k);
        }
        Mutation::Retype(n, value) => {
            let k = nth(o, *n);
            o.insert(k, value.clone());
        }
        Mutation::EventShift(by) => {
            if let Some(Value::String(d)) = o.get("Detail") {
                let mut e: Value = serde_json::from_str(d).unwrap();
                let Some(t) = e["eventTime"]
                    .as_str()
                    .and_then(crate::alibaba::decode::EpochMs::parse_rfc3339)
                    .map(crate::alibaba::decode::EpochMs::ms)
                else {
                    return honest.to_string();
                };
                e["eventTime"] = json!(rfc3339(t + by));
                o.insert("Detail".into(), json!(e.to_string()));
            }
        }
    }
    let mut out = String::new();
    write(&v, &dup, &mut 0, &mut out);
    out
}

/// How the body travels: whitespace around it, padding and a second answer after it, or a
/// cut; then read under `cap` as the client reads every answer.
#[derive(Clone, Debug)]
enum Transit {
    Whole,
    /// A never-used answer first, this much padding, then the answer: the cap must not
    /// cut inside the padding and leave the never-used answer.
    NeverFirst(usize),
    Spaces(usize, usize),
    PaddedThen(usize, bool),
    Cut(usize),
}

fn transit() -> impl Strategy<Value = Transit> {
    prop_oneof![
        3 => Just(Transit::Whole),
        1 => (0usize..64, 0usize..64).prop_map(|(a, b)| Transit::Spaces(a, b)),
        2 => (0usize..2048, any::<bool>()).prop_map(|(n, then)| Transit::PaddedThen(n, then)),
        2 => (0usize..2048).prop_map(Transit::NeverFirst),
        2 => (0usize..4096).prop_map(Transit::Cut),
    ]
}

/// The body as read by the client's own reader, with a cap just above the honest answer's
/// length, so padding crosses it in some cases and not in others.
fn carry(body: &str, honest_len: usize, t: &Transit, later: &str) -> Result<String, String> {
    let sent = match t {
        Transit::Whole => body.to_owned(),
        Transit::NeverFirst(n) => format!("{}{}{body}", honest_info(None), " ".repeat(*n)),
        Transit::Spaces(a, b) => format!("{}{body}{}", " ".repeat(*a), "\n".repeat(*b)),
        Transit::PaddedThen(n, then) => {
            format!("{body}{}{}", " ".repeat(*n), if *then { later } else { "" })
        }
        Transit::Cut(at) => {
            let mut at = at % (body.len() + 1);
            while !body.is_char_boundary(at) {
                at -= 1;
            }
            body[..at].to_owned()
        }
    };
    let cap = honest_len + 1024;
    let response = reqwest::Response::from(hyper::Response::new(sent.into_bytes()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    match rt.block_on(read_body(response, cap)) {
        Ok((text, None)) => Ok(text),
        Ok((_, Some(at))) => Err(format!("not UTF-8 at {at}")),
        Err(f) => Err(format!("{f:?}")),
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_used_key_decodes_to_an_error_or_a_use_no_older_than_the_truth(
        days in 0i64..400,
        secs in 0i64..86_400,
        event_time in any::<bool>(),
        m in mutation(),
        t in transit(),
    ) {
        let used = (now_s() - days * 86_400 - secs) * 1000;
        let honest = honest_info_with(Some(used), event_time);
        let honest_text = honest.to_string();
        let body = distort(&honest, &m);
        let never = honest_info(None).to_string();
        let Ok(read) = carry(&body, honest_text.len(), &t, &never) else { return Ok(()) };
        if let Ok(info) = last_used_info::decode(&read, KEY) {
            let got = info.used_timestamp.map(|t| t.ms());
            prop_assert!(
                got.is_some_and(|ms| ms >= used),
                "{m:?} {t:?} read as {got:?}, the truth being {used}:\n{read}"
            );
        }
    }

    #[test]
    fn a_never_used_key_decodes_to_never_or_an_error_or_a_use(
        m in mutation(),
        t in transit(),
    ) {
        let used = (now_s() - 2 * 86_400) * 1000;
        let honest = honest_info(None);
        let body = distort(&honest, &m);
        let later = honest_info(Some(used)).to_string();
        let Ok(read) = carry(&body, honest.to_string().len(), &t, &later) else { return Ok(()) };
        if let Ok(info) = last_used_info::decode(&read, KEY) {
            // Never used may stay never used; a use, if one is read, is in the window.
            prop_assert!(info.used_timestamp.is_none_or(|t| t.ms() >= crate::alibaba::decode::ACTIONTRAIL_FLOOR_MS));
        }
    }

    #[test]
    fn list_entries_decode_to_an_error_or_uses_no_older_than_the_truth(
        days in 0i64..400,
        event_time in any::<bool>(),
        m in mutation(),
        which in 0usize..3,
    ) {
        let used = (now_s() - days * 86_400) * 1000;
        let info = honest_info_with(Some(used), event_time);
        let mut entry = serde_json::Map::new();
        for k in ["Source", "Detail", "UsedTimestamp"] {
            entry.insert(k.into(), info[k].clone());
        }
        let (list, name, value) = [("Products", "ServiceName", "Ecs"), ("Ips", "Ip", "203.0.113.7"), ("Resources", "ResourceName", "i-1")][which];
        entry.insert(name.into(), json!(value));
        let entry = Value::Object(entry);
        let entry_text = distort(&entry, &m);
        let body = format!(r#"{{"RequestId":"r","NextToken":"","{list}":[{entry_text}]}}"#);
        let times: Result<Vec<Option<i64>>, String> = match which {
            0 => last_used_products::decode(&body).map(|p| p.products.iter().map(|x| x.used_timestamp.map(|t| t.ms())).collect()),
            1 => last_used_ips::decode(&body).map(|p| p.ips.iter().map(|x| x.used_timestamp.map(|t| t.ms())).collect()),
            _ => last_used_resources::decode(&body).map(|p| p.resources.iter().map(|x| x.used_timestamp.map(|t| t.ms())).collect()),
        };
        if let Ok(times) = times {
            prop_assert_eq!(times.len(), 1, "{}", body);
            prop_assert!(times[0].is_some_and(|ms| ms >= used), "{m:?}: {times:?} for {used}:\n{body}");
        }
    }

    #[test]
    fn a_user_listing_decodes_to_an_error_or_every_user(
        pages in 1usize..5,
        per_page in 1usize..4,
        flip in proptest::option::of((0usize..5, 0usize..4)),
        m in mutation(),
        page_mutated in 0usize..5,
    ) {
        let users: Vec<String> = (0..pages * per_page).map(|i| format!("user-{i}")).collect();
        let honest: Vec<Value> = (0..pages).map(|p| {
            let last = p + 1 == pages;
            let mut page = json!({
                "RequestId": format!("users-{p}"),
                "IsTruncated": !last,
                "Users": {"User": users[p * per_page..(p + 1) * per_page].iter().map(|u| json!({"UserName": u, "UserId": format!("id-{u}")})).collect::<Vec<_>>()},
            });
            if !last {
                page["Marker"] = json!(format!("marker-{}", p + 1));
            }
            page
        }).collect();
        let mut paging = UserPaging::default();
        let mut p = 0;
        let outcome: Result<(), String> = loop {
            if paging.may_ask().is_err() { break Err("cap".into()) }
            let Some(page) = honest.get(p) else { break Err("asked past the last page".into()) };
            let mut page = page.clone();
            // Paging flags flipped: IsTruncated inverted, Marker dropped, or repeated.
            match flip {
                Some((at, how)) if at == p => match how {
                    0 => page["IsTruncated"] = json!(!page["IsTruncated"].as_bool().unwrap()),
                    1 => { page.as_object_mut().unwrap().remove("Marker"); }
                    2 => page["Marker"] = json!("marker-1"),
                    _ => page["IsTruncated"] = json!(false),
                },
                _ => {}
            }
            // One distortion per listing: a flag flipped, or one page's JSON distorted. Both
            // at once can make a consistent lie (a last page that says so), which no
            // decoder can tell from the truth.
            let text = if flip.is_none() && p == page_mutated { distort(&page, &m) } else { page.to_string() };
            let decoded = list_users_page(&text, &BTreeMap::new()).map(|a| a.downcast_ref::<ListUsersPage>().cloned().unwrap());
            let Ok(decoded) = decoded else { break Err("undecodable".into()) };
            match paging.take(decoded) {
                Err(e) => break Err(e.to_string()),
                Ok(None) => break Ok(()),
                Ok(Some(marker)) => {
                    let Some(n) = marker.strip_prefix("marker-").and_then(|n| n.parse::<usize>().ok()) else { break Err("unknown marker".into()) };
                    p = n;
                }
            }
        };
        if outcome.is_ok() {
            let got: Vec<&str> = paging.out.users.iter().map(|u| u.user_name.as_str()).collect();
            for u in &users {
                prop_assert!(got.contains(&u.as_str()), "{flip:?} {m:?}: {u} missing from {got:?}");
            }
        }
    }

    #[test]
    fn an_access_key_listing_decodes_to_an_error_or_every_key(
        keys in 1usize..3,
        m in mutation(),
    ) {
        let honest = json!({
            "RequestId": "keys-1",
            "AccessKeys": {"AccessKey": (0..keys).map(|i| json!({
                "AccessKeyId": format!("LTAI5tKey{i}"),
                "Status": "Active",
                "CreateDate": "2024-03-01T08:00:00Z",
            })).collect::<Vec<_>>()},
        });
        let text = distort(&honest, &m);
        let listing = answer::object::<ListAccessKeysAnswer>(&text)
            .map_err(|e| e.to_string())
            .and_then(|a| checked_keys(a).map_err(|e| e.to_string()));
        if let Ok(listing) = listing {
            prop_assert_eq!(listing.keys.len(), keys, "{:?}: {}", m, text);
        }
    }
}

#[test]
fn the_references_sample_answer_decodes() {
    // GetAccessKeyLastUsedInfo's sample in the API reference (its AccessKeyId ends in a
    // newline there too): a 2022 UsedTimestamp beside a 2021 eventTime.
    let sample = r#"{
  "RequestId": "6B4A1F2C-7D5E-4F8A-9C3B-2E1D0F9A8B7C",
  "AccessKeyId": "LTAI5tAsked\n",
  "AccountId": "1234567890",
  "AccountType": "ram-user",
  "OwnerId": "1234567890",
  "UserName": "user1",
  "ServiceName": "Ecs",
  "ServiceNameCn": "云服务器",
  "ServiceNameEn": "Elastic Compute Service",
  "Source": "Internal",
  "Detail": "{\"eventTime\":\"2021-08-05T09:21:32Z\",\"eventName\":\"DescribeRegions\"}",
  "UsedTimestamp": 1657247532000
}"#;
    let info = last_used_info::decode(sample, "LTAI5tAsked").unwrap();
    assert_eq!(info.used_timestamp.map(|t| t.ms()), Some(1_657_247_532_000));
}

#[test]
fn a_body_over_the_cap_is_an_error_naming_it_not_a_cut_answer() {
    let never = honest_info(None).to_string();
    let body = format!("{never}{}", " ".repeat(4096));
    let got = carry(&body, never.len(), &Transit::Whole, "").unwrap_err();
    assert!(got.contains("TooLarge"), "{got}");
}
