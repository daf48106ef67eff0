//! What every answer is before it is any one operation's: a 2xx body, a redirect, a
//! service error or something else ([`interpret`]); and a JSON object with a non-empty
//! string `RequestId`, decoded strictly ([`object`]). Each operation's own checks are in
//! its file.
//!
//! The provider exists to say "this key is still in use"; an answer it cannot trust must
//! never read as "never used".

use super::error::Error;
use crate::alibaba::decode;
use crate::alibaba::redact::{self, json_shape};
use crate::alibaba::rpc::{location_host, RawResponse, ServiceError};
use serde::de::DeserializeOwned;

/// Why an answer is not the operation's; quotes no value of the body.
pub type Reason = String;

/// Sorts a response into a 2xx body to validate, a redirect, a service error, or a body
/// that is no ActionTrail answer at all. `secrets` are removed from any excerpt.
pub(crate) fn interpret<'a>(
    action: &str,
    endpoint: &str,
    raw: &'a RawResponse,
    secrets: &[&str],
) -> Result<&'a str, Error> {
    if (200..300).contains(&raw.status) {
        if let Some(reason) = crate::alibaba::rpc::not_text(raw) {
            return Err(Error::not_actiontrail(
                action,
                endpoint,
                raw.status,
                reason,
                String::new(),
            ));
        }
        return Ok(&raw.body);
    }
    if (300..400).contains(&raw.status) {
        return Err(Error::Redirect {
            operation: action.to_owned(),
            endpoint: endpoint.to_owned(),
            http_status: raw.status,
            location_host: location_host(raw.location.as_deref()),
        });
    }
    if let Some(e) = ServiceError::from_response(raw) {
        return Err(Error::Service(e));
    }
    Err(Error::not_actiontrail(
        action,
        endpoint,
        raw.status,
        "an error status without the standard error body (Code, Message, RequestId)".to_owned(),
        redact::excerpt(&raw.body, secrets),
    ))
}

/// A JSON object with a non-empty string RequestId, decoded as `T` by the strict decoder
/// (no duplicate member anywhere).
pub(crate) fn object<T: DeserializeOwned>(body: &str) -> Result<T, Reason> {
    let value: serde_json::Value = decode::strict(body)?;
    let kind = match &value {
        serde_json::Value::Object(o) => {
            match o.get("RequestId") {
                Some(serde_json::Value::String(id)) if !id.trim().is_empty() => {}
                Some(serde_json::Value::String(_)) => return Err("its RequestId is empty".into()),
                Some(_) => return Err("its RequestId is not a string".into()),
                None => return Err("it has no RequestId".into()),
            }
            misnamed::<T>(o)?;
            return serde_json::from_value(value).map_err(|e| json_shape(&e));
        }
        serde_json::Value::Array(_) => "a JSON array",
        serde_json::Value::String(_) => "a JSON string",
        serde_json::Value::Number(_) => "a JSON number",
        serde_json::Value::Bool(_) => "a JSON boolean",
        serde_json::Value::Null => "JSON null",
    };
    Err(format!("it is {kind}, not an object"))
}

/// Refuses what an answer of `T` cannot honestly hold beside its own members: a member
/// named as one of `T`'s apart from case (`usedTimestamp` for `UsedTimestamp`), which the
/// typed decode would pass over, so that a use named so would read as "never used"; and an
/// error's `Code` in a success answer, which no operation here defines.
fn misnamed<T: DeserializeOwned>(
    members: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), Reason> {
    let fields = field_names::<T>();
    for name in members.keys() {
        if fields.contains(&name.as_str()) {
            continue;
        }
        if let Some(field) = fields.iter().find(|f| f.eq_ignore_ascii_case(name)) {
            return Err(format!(
                "it has a member {} where the API defines {field}: a name that differs in case is not the API's",
                redact::clip(name, 64)
            ));
        }
        if name == "Code" {
            return Err("it carries an error's Code in a success answer".into());
        }
    }
    Ok(())
}

/// The member names `T` decodes, as serde declares them for its struct (empty for a type
/// that is not a struct): asked of `T`'s own `Deserialize`, so no list is kept by hand.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Names(Option<&'static [&'static str]>);
    #[derive(Debug)]
    struct Asked;
    impl std::fmt::Display for Asked {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("asked for the field names only")
        }
    }
    impl std::error::Error for Asked {}
    impl serde::de::Error for Asked {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Asked
        }
    }
    impl<'de> serde::Deserializer<'de> for &mut Names {
        type Error = Asked;
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Asked> {
            Err(Asked)
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Asked> {
            self.0 = Some(fields);
            Err(Asked)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut names = Names(None);
    let _ = T::deserialize(&mut names);
    names.0.unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actiontrail::last_used_info::decode as info;
    use crate::actiontrail::last_used_ips::decode as ips;
    use crate::actiontrail::last_used_products::decode as products;
    use crate::actiontrail::last_used_resources::decode as resources;
    use crate::alibaba::decode::UsedTimestamp;
    use proptest::prelude::*;

    const KEY: &str = "LTAI5tAsked";

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            retry_after: None,
            location: None,
            body: body.into(),
            not_utf8_at: None,
        }
    }

    fn sort(r: &RawResponse) -> Result<&str, Error> {
        interpret("Op", "http://127.0.0.1:1", r, &["planted-secret"])
    }

    #[test]
    fn an_html_502_is_retryable_and_quoted_redacted_on_one_line() {
        let r = raw(
            502,
            "<html>\n<body>Bad Gateway planted-secret</body></html>",
        );
        let err = sort(&r).unwrap_err();
        match &err {
            Error::NotActionTrail {
                http_status,
                excerpt,
                endpoint,
                ..
            } => {
                assert_eq!(*http_status, 502);
                assert_eq!(endpoint, "http://127.0.0.1:1");
                assert!(excerpt.contains("Bad Gateway") && !excerpt.contains('\n'));
                assert!(!excerpt.contains("planted-secret"));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.is_retryable());
        assert!(err.to_string().contains("was not an ActionTrail answer"));
    }

    #[test]
    fn a_redirect_is_an_error_naming_the_location_host() {
        let mut r = raw(307, "");
        r.location = Some("http://127.0.0.1:9/?SecurityToken=tok".into());
        let err = sort(&r).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Redirect {
                    http_status: 307,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("127.0.0.1:9") && !err.to_string().contains("tok"));
        assert!(!err.is_retryable());
    }

    #[test]
    fn an_error_body_that_repeats_its_code_is_no_service_error() {
        // Which Code holds is open: a throttle would be retried, a missing key would not.
        let r = raw(
            400,
            r#"{"RequestId":"R1","Code":"Throttling.User","Code":"InvalidAccessKeyId.NotFound","Message":"no"}"#,
        );
        let err = sort(&r).unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotActionTrail {
                    http_status: 400,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.service().is_none());
    }

    #[test]
    fn a_json_error_body_is_a_service_error() {
        let r = raw(
            404,
            r#"{"RequestId":"R1","Code":"InvalidAccessKeyId.NotFound","Message":"no"}"#,
        );
        let err = sort(&r).unwrap_err();
        assert_eq!(err.request_id(), Some("R1"));
        assert_eq!(err.service().unwrap().code, "InvalidAccessKeyId.NotFound");
        assert!(!err.is_retryable());
    }

    #[test]
    fn an_empty_object_is_never_an_answer() {
        assert_eq!(info("{}", KEY).unwrap_err(), "it has no RequestId");
        assert!(products("{}").is_err());
        assert!(ips("{}").is_err());
        assert!(resources("{}").is_err());
        assert!(products(r#"{"RequestId":"r"}"#)
            .unwrap_err()
            .contains("`Products`"));
    }

    #[test]
    fn never_used_is_an_answer_about_the_asked_key_without_a_use() {
        let never = info(r#"{"RequestId":"r","AccessKeyId":"LTAI5tAsked\n"}"#, KEY).unwrap();
        assert_eq!(never.used_timestamp, None);
        assert!(info(
            r#"{"RequestId":"r","AccessKeyId":"LTAI5tAsked","UsedTimestamp":null}"#,
            KEY
        )
        .is_ok());
    }

    #[test]
    fn an_answer_about_another_key_is_refused() {
        let e = info(r#"{"RequestId":"r","AccessKeyId":"LTAI5tOther"}"#, KEY).unwrap_err();
        assert!(e.contains("another AccessKey (LTAI5tOther)"), "{e}");
        assert_eq!(
            info(r#"{"RequestId":"r"}"#, KEY).unwrap_err(),
            "it has no AccessKeyId"
        );
    }

    #[test]
    fn wrong_types_are_refused_without_quoting_values() {
        let e = info(
            r#"{"RequestId":"r","AccessKeyId":"LTAI5tAsked","UsedTimestamp":"planted"}"#,
            KEY,
        )
        .unwrap_err();
        assert!(e.contains("wrong type") && !e.contains("planted"), "{e}");
        assert!(ips(r#"{"RequestId":"r","Ips":{}}"#).is_err());
        assert!(resources(r#"{"RequestId":"r","Resources":[{"ResourceName":7}]}"#).is_err());
        assert!(info(r#"{"RequestId":7,"AccessKeyId":"LTAI5tAsked"}"#, KEY).is_err());
        assert!(info(r#"{"RequestId":" ","AccessKeyId":"LTAI5tAsked"}"#, KEY).is_err());
    }

    #[test]
    fn a_member_named_apart_from_case_or_an_error_code_is_refused_not_passed_over() {
        for (body, why) in [
            (
                r#"{"RequestId":"r","AccessKeyId":"LTAI5tAsked","usedTimestamp":1700000000000,"ServiceName":"Ecs"}"#,
                "usedTimestamp where the API defines UsedTimestamp",
            ),
            (
                r#"{"RequestId":"r","AccessKeyId":"LTAI5tAsked","Code":"InternalError"}"#,
                "error's Code",
            ),
        ] {
            let e = info(body, KEY).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
        let e = products(r#"{"RequestId":"r","NextToken":"","products":[]}"#).unwrap_err();
        assert!(e.contains("products where the API defines Products"), "{e}");
        // A member the API may add later is passed over, as before.
        assert!(info(
            r#"{"RequestId":"r","AccessKeyId":"LTAI5tAsked","Region":"x"}"#,
            KEY
        )
        .is_ok());
    }

    #[test]
    fn display_names_without_a_service_name_are_refused() {
        for name in ["ServiceNameCn", "ServiceNameEn"] {
            let body = format!(
                r#"{{"RequestId":"r","AccessKeyId":"LTAI5tAsked","{name}":"Elastic Compute Service"}}"#
            );
            assert!(info(&body, KEY).unwrap_err().contains(name));
        }
    }

    #[test]
    fn a_use_must_name_its_service() {
        let body = r#"{"RequestId":"r","AccessKeyId":"LTAI5tAsked","UsedTimestamp":1700000000000}"#;
        assert!(info(body, KEY).unwrap_err().contains("ServiceName"));
        let ok = r#"{"RequestId":"r","AccessKeyId":"LTAI5tAsked","UsedTimestamp":1700000000000,"ServiceName":"Ecs"}"#;
        assert_eq!(
            info(ok, KEY).unwrap().used_timestamp.map(UsedTimestamp::ms),
            Some(1_700_000_000_000)
        );
    }

    #[test]
    fn non_objects_say_what_they_are() {
        assert_eq!(
            products("[]").unwrap_err(),
            "it is a JSON array, not an object"
        );
        assert!(ips("<html>").unwrap_err().contains("not JSON"));
        assert!(resources(r#"{"RequestId":"r","Resour"#)
            .unwrap_err()
            .contains("cut off"));
    }

    proptest! {
        #[test]
        fn any_bytes_decode_to_an_error_or_a_valid_answer(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let body = String::from_utf8_lossy(&bytes);
            if let Ok(i) = info(&body, KEY) {
                prop_assert_eq!(i.access_key_id.as_deref().map(str::trim), Some(KEY));
            }
            if let Ok(p) = products(&body) { prop_assert!(!p.request_id.trim().is_empty()); }
            if let Ok(p) = ips(&body) { prop_assert!(!p.request_id.trim().is_empty()); }
            if let Ok(p) = resources(&body) { prop_assert!(!p.request_id.trim().is_empty()); }
        }

        #[test]
        fn json_shaped_noise_decodes_to_an_error_or_a_valid_answer(
            id in prop_oneof![Just("\"r\"".to_owned()), Just("7".to_owned()), Just("\"\"".to_owned()), Just("null".to_owned())],
            key in prop_oneof![Just("\"LTAI5tAsked\"".to_owned()), Just("\"LTAI5tAsked\\n\"".to_owned()), Just("\"other\"".to_owned()), Just("[]".to_owned())],
            ts in prop_oneof![Just("1".to_owned()), Just("-5".to_owned()), Just("1.5".to_owned()), Just("\"x\"".to_owned()), Just("null".to_owned()), Just("99999999999999999999".to_owned())],
            list in prop_oneof![Just("[]".to_owned()), Just("{}".to_owned()), Just("[{}]".to_owned()), Just("[{\"Ip\":\"1.1.1.1\",\"ServiceName\":\"Ecs\",\"ResourceName\":\"r\"}]".to_owned()), Just("[1]".to_owned())],
            cut in 0usize..200,
        ) {
            let body = format!(
                r#"{{"RequestId":{id},"AccessKeyId":{key},"UsedTimestamp":{ts},"ServiceName":"Ecs","Products":{list},"Ips":{list},"Resources":{list},"NextToken":null}}"#
            );
            let body = &body[..body.len().saturating_sub(cut % 3 * cut)];
            if let Ok(i) = info(body, KEY) {
                prop_assert!(i.used_timestamp.is_none_or(|t| t.ms() >= decode::ACTIONTRAIL_FLOOR_MS));
                prop_assert_eq!(i.access_key_id.as_deref().map(str::trim), Some(KEY));
            }
            let ids = [products(body).map(|p| p.request_id), ips(body).map(|p| p.request_id), resources(body).map(|p| p.request_id)];
            for id in ids.into_iter().flatten() {
                prop_assert_eq!(id, "r");
            }
        }
    }
}
