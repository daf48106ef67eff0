//! GetAccessKeyLastUsedEvents (2020-07-06): the API actions a key most recently called on
//! one service, paged like the IPs and resources. The shape is the official SDK's
//! (`alibabacloud-actiontrail20200706` 2.6.0): `RequestId`, `NextToken`,
//! `Events[EventName, UsedTimestamp, Source, Detail]`.

use super::service::{Operation, Service};
use super::record::{usage_listing, Entry, Use};
use crate::alibaba::decode::UsedTimestamp;
use serde::{Deserialize, Serialize};

/// One API action a key called (GetAccessKeyLastUsedEvents). An entry without its name or
/// time is refused, not defaulted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventUsage {
    /// The API action, e.g. `DescribeInstances`.
    pub event_name: String,
    /// When the key last called it, epoch milliseconds.
    pub used_timestamp: UsedTimestamp,
    /// How the use was recorded.
    pub source: Option<String>,
    /// The ActionTrail event, as a JSON string.
    pub detail: Option<String>,
}

/// The operation's name.
pub const ACTION: &str = "GetAccessKeyLastUsedEvents";

/// The operation, as a policy grants it: `actiontrail:GetAccessKeyLastUsedEvents`.
pub(crate) const OPERATION: Operation = Operation::new(Service::ActionTrail, ACTION);

impl Use for EventUsage {
    fn used_timestamp(&self) -> Option<UsedTimestamp> {
        Some(self.used_timestamp)
    }
    fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }
    fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl Entry for EventUsage {
    const WHOSE: &'static str = "an event's ";
    const UNNAMED: &'static str = "an event has an empty EventName";
    fn name(&self) -> &str {
        &self.event_name
    }
    fn set_used_timestamp(&mut self, last: Option<UsedTimestamp>) {
        // An event is a use: its own time stands unless a later sign moves it.
        self.used_timestamp = last.unwrap_or(self.used_timestamp);
    }
}

usage_listing! {
    /// GetAccessKeyLastUsedEvents across pages: the API actions `access_key_id` called on
    /// `service_name`, in ActionTrail's order.
    fn list_access_key_last_used_events -> EventsPage { events: Vec<EventUsage> }
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
