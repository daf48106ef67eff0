//! GetAccessKeyLastUsedEvents (2020-07-06): the API actions a key most recently called on
//! one service, paged like the IPs and resources. The shape is the official SDK's
//! (`alibabacloud-actiontrail20200706` 2.6.0): `RequestId`, `NextToken`,
//! `Events[EventName, UsedTimestamp, Source, Detail]`.

use super::answer;
use super::client::{erase, Client};
use super::error::Error;
use super::pagination::{paginate, Listing, Page, PageOptions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One API action a key called (GetAccessKeyLastUsedEvents). An entry without its name or
/// time is refused, not defaulted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventUsage {
    /// The API action, e.g. `DescribeInstances`.
    pub event_name: String,
    /// When the key last called it, epoch milliseconds.
    pub used_timestamp: crate::alibaba::decode::UsedTimestamp,
    /// How the use was recorded.
    pub source: Option<String>,
    /// The ActionTrail event, as a JSON string.
    pub detail: Option<String>,
}

/// The wire shape of one GetAccessKeyLastUsedEvents page: `RequestId` and `Events` are
/// required.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct EventsPage {
    pub(super) request_id: String,
    pub(super) next_token: Option<String>,
    pub(super) events: Vec<EventUsage>,
}

/// The operation's name.
pub const ACTION: &str = "GetAccessKeyLastUsedEvents";

impl Client {
    /// GetAccessKeyLastUsedEvents across pages: the API actions `access_key_id` called on
    /// `service_name`, in ActionTrail's order.
    pub async fn list_access_key_last_used_events(
        &self,
        access_key_id: &str,
        service_name: &str,
        options: PageOptions,
    ) -> Result<Listing<EventUsage>, Error> {
        paginate(ACTION, options, |token, size| async move {
            let mut params = BTreeMap::from([
                ("AccessKey".to_owned(), access_key_id.to_owned()),
                ("ServiceName".to_owned(), service_name.to_owned()),
                ("PageSize".to_owned(), size.to_string()),
            ]);
            if let Some(t) = token {
                params.insert("NextToken".to_owned(), t);
            }
            let page: EventsPage = self
                .call(ACTION, params, |body, _| {
                    erase(answer::events_at(body, crate::alibaba::decode::now_ms()))
                })
                .await?;
            if page.request_id.trim().is_empty() {
                return Err(Error::Untrusted {
                    operation: ACTION.to_owned(),
                    request_id: String::new(),
                    reason: "RequestId is empty".to_owned(),
                });
            }
            Ok(Page {
                request_id: page.request_id,
                next_token: page.next_token,
                items: page.events,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_needs_its_request_id_events_and_each_events_name_and_time() {
        let ok: EventsPage = serde_json::from_str(
            r#"{"RequestId":"R","NextToken":"","Events":[{"EventName":"DescribeInstances","UsedTimestamp":1,"Source":"ManagementEvent"}]}"#,
        )
        .unwrap();
        assert_eq!(ok.events[0].event_name, "DescribeInstances");
        assert_eq!(ok.events[0].detail, None);
        for bad in [
            r#"{"Events":[]}"#,
            r#"{"RequestId":"R"}"#,
            r#"{"RequestId":"R","Events":[{"UsedTimestamp":1}]}"#,
            r#"{"RequestId":"R","Events":[{"EventName":"X"}]}"#,
            r#"{"RequestId":"R","Events":[{"EventName":"X","UsedTimestamp":"soon"}]}"#,
        ] {
            let err = serde_json::from_str::<EventsPage>(bad).unwrap_err();
            assert!(
                err.to_string().contains("missing field")
                    || err.to_string().contains("invalid type"),
                "{bad}: {err}"
            );
        }
    }
}
