//! The rotation gate at apply time, end to end: Terraform 1.15.5 runs the
//! `actiontrail_accesskey_gate` action against `actiontrail-sim`, with the plugin over real
//! mTLS. A `terraform_data` resource stands in for the key (an `alicloud_ram_access_key`
//! whose `status` goes from Active to Inactive is the same in-place update).

use crate::support;

use crate::support::{terraform_block, Sim, Tf, Workspace};
use serde_json::Value as J;

/// Last used six months ago in the demo data: idle for a 30-day gate.
const IDLE: &str = "LTAI5tIdleKey0000000001";
/// Never used in the demo data.
const NEVER: &str = "LTAI5tNeverUsed00000001";

/// The key resource's stand-in, its change gated by the action on `before_update`.
fn config(input: &str, window: &str) -> String {
    format!(
        r#"{}
provider "actiontrail" {{}}

action "actiontrail_accesskey_gate" "retiring" {{
  config {{
    access_key_ids      = ["{IDLE}", "{NEVER}"]
    fail_if_used_within = "{window}"
  }}
}}

resource "terraform_data" "key" {{
  input = "{input}"

  lifecycle {{
    action_trigger {{
      events  = [before_update]
      actions = [action.actiontrail_accesskey_gate.retiring]
    }}
  }}
}}
"#,
        terraform_block()
    )
}

fn workspace(sim: &Sim, hcl: &str) -> Workspace {
    let mut ws = Workspace::new(Tf::V1_15_5, hcl);
    ws.use_sim(sim);
    ws.init();
    ws
}

fn rewrite(ws: &Workspace, hcl: &str) {
    std::fs::write(ws.work().join("main.tf"), hcl).unwrap();
}

/// The stand-in's `input` as the state holds it.
fn state_input(ws: &Workspace) -> String {
    input_of(ws, "terraform_data.key")
}

/// The `input` of the `terraform_data` at `address`, as the state holds it.
fn input_of(ws: &Workspace, address: &str) -> String {
    let state: J = serde_json::from_str(&ws.ok(&["show", "-json"])).expect("state is JSON");
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .expect("the state lists resources");
    let key = resources
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} is in the state"));
    key["values"]["input"]
        .as_str()
        .expect("input is a string")
        .to_owned()
}

/// GetAccessKeyLastUsedInfo calls the emulator has answered so far.
fn info_calls(sim: &Sim) -> u64 {
    sim.stats()["requests"]["GetAccessKeyLastUsedInfo"]
        .as_u64()
        .unwrap_or(0)
}

const APPLY: [&str; 4] = ["apply", "-auto-approve", "-input=false", "-no-color"];

#[test]
fn the_action_is_in_the_schema_and_a_bad_duration_fails_validate_at_its_line() {
    let sim = Sim::start(&[]);
    let ws = workspace(&sim, &config("v1", "30d"));
    let schema: J = serde_json::from_str(&ws.ok(&["providers", "schema", "-json"]))
        .expect("the schema is JSON");
    let action = &schema["provider_schemas"]["registry.terraform.io/actiontrail/actiontrail"]
        ["action_schemas"]["actiontrail_accesskey_gate"];
    let attrs = &action["block"]["attributes"];
    assert_eq!(
        attrs["access_key_ids"]["type"],
        serde_json::json!(["list", "string"]),
        "{action}"
    );
    assert_eq!(attrs["access_key_ids"]["required"], J::Bool(true));
    assert_eq!(attrs["fail_if_used_within"]["type"], "string");
    assert_eq!(attrs["fail_if_used_within"]["required"], J::Bool(true));
    ws.ok(&["validate", "-no-color"]);

    rewrite(&ws, &config("v1", "a fortnight"));
    let out = ws.fails(&["validate", "-no-color"]);
    // fail_if_used_within is on line 16 of the configuration (terraform_block() is 8).
    let line = config("v1", "a fortnight")
        .lines()
        .position(|l| l.contains("fail_if_used_within"))
        .unwrap()
        + 1;
    assert!(out.contains(&format!("on main.tf line {line}")), "{out}");
    assert!(
        out.contains("fail_if_used_within = \"a fortnight\""),
        "{out}"
    );
    assert!(out.contains("fail_if_used_within"), "{out}");
    assert_eq!(info_calls(&sim), 0, "validation reads nothing");
}

#[test]
fn before_update_applies_while_the_keys_are_idle_and_fails_once_one_is_used() {
    let sim = Sim::start(&[]);
    let ws = workspace(&sim, &config("v1", "30d"));
    // Creating the stand-in is no update: the action does not run.
    ws.ok(&APPLY);
    assert_eq!(info_calls(&sim), 0, "before_update does not fire on create");

    rewrite(&ws, &config("v2", "30d"));
    let out = ws.ok(&APPLY);
    assert!(
        out.contains(&format!("{IDLE} last used 200 days")),
        "a progress line for the idle key:\n{out}"
    );
    assert!(out.contains("ago: idle enough"), "{out}");
    assert!(
        out.contains(&format!("{NEVER} has no recorded use: idle enough")),
        "{out}"
    );
    assert_eq!(state_input(&ws), "v2");
    assert_eq!(info_calls(&sim), 2, "one read per key, at apply");

    sim.record_use(IDLE);
    rewrite(&ws, &config("v3", "30d"));
    let out = ws.fails(&APPLY);
    assert!(
        out.contains(&format!("AccessKey {IDLE} was used")),
        "the error names the key:\n{out}"
    );
    assert!(out.contains("service Oss"), "{out}");
    assert!(out.contains("from IP 198.51.100.23"), "{out}");
    assert!(out.contains("in region cn-shanghai"), "{out}");
    assert!(
        out.contains("within fail_if_used_within = \"30d\""),
        "{out}"
    );
    assert!(
        out.contains("still in use"),
        "the progress line says so:\n{out}"
    );
    assert!(!out.contains("terraform_data.key: Modifying"), "{out}");
    assert_eq!(state_input(&ws), "v2", "the change did not happen");
}

#[test]
fn a_saved_plan_applied_after_the_key_was_used_fails_at_the_action_before_the_change() {
    let sim = Sim::start(&[]);
    let ws = workspace(&sim, &config("v1", "30d"));
    ws.ok(&APPLY);

    rewrite(&ws, &config("v2", "30d"));
    let plan = ws.ok(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
    assert!(
        plan.contains("# Actions to be invoked before this change in order:")
            && plan.contains(r#"action "actiontrail_accesskey_gate" "retiring""#),
        "{plan}"
    );
    assert_eq!(info_calls(&sim), 0, "planning the action reads nothing");

    // Between the plan and its apply, something uses the key.
    sim.record_use(IDLE);
    let out = ws.fails(&["apply", "-input=false", "-no-color", "tfplan"]);
    assert!(out.contains(&format!("AccessKey {IDLE} was used")), "{out}");
    assert!(!out.contains("terraform_data.key: Modifying"), "{out}");
    assert!(out.contains("service Oss"), "{out}");
    assert_eq!(info_calls(&sim), 2, "the apply read both keys afresh");
    assert_eq!(
        state_input(&ws),
        "v1",
        "the saved plan's change was not made"
    );
}

#[test]
fn invoke_runs_the_check_alone() {
    let sim = Sim::start(&[]);
    let ws = workspace(&sim, &config("v1", "30d"));
    ws.ok(&APPLY);
    let invoke = [
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-invoke=action.actiontrail_accesskey_gate.retiring",
    ];
    let out = ws.ok(&invoke);
    assert!(out.contains("ago: idle enough"), "{out}");
    assert!(
        out.contains(&format!("{NEVER} has no recorded use: idle enough")),
        "{out}"
    );
    assert_eq!(info_calls(&sim), 2);
    assert_eq!(state_input(&ws), "v1", "nothing else ran");

    sim.record_use(NEVER);
    // At trace level, so that the plugin's own log of the failing invoke is in the output
    // too: the caller's secret is in neither.
    let mut ws = ws;
    ws.env("TF_LOG", "trace");
    let out = ws.fails(&invoke);
    assert!(
        out.contains(&format!("AccessKey {NEVER} was used")),
        "{out}"
    );
    assert!(out.contains("InvokeAction"), "the trace log is there");
    assert!(
        !out.contains(support::DEMO_ACCESS_KEY_SECRET),
        "the secret leaked"
    );
    assert_eq!(info_calls(&sim), 4, "every invoke reads afresh");
}

#[test]
fn the_example_disables_an_idle_key_and_refuses_once_it_is_used() {
    let sim = Sim::start(&[]);
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/action/main.tf");
    let ws = workspace(&sim, &std::fs::read_to_string(example).unwrap());
    ws.ok(&APPLY);
    let inactive = [
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-var=retiring_key_status=Inactive",
    ];
    let out = ws.ok(&inactive);
    assert!(out.contains(&format!("{IDLE} last used 200 days")), "{out}");
    assert_eq!(input_of(&ws, "terraform_data.retiring_key"), "Inactive");

    sim.record_use(IDLE);
    let out = ws.fails(&APPLY);
    assert!(out.contains(&format!("AccessKey {IDLE} was used")), "{out}");
    assert_eq!(
        input_of(&ws, "terraform_data.retiring_key"),
        "Inactive",
        "the change back was refused"
    );
}

/// An object of `ty` (a block's type) with every attribute null but those in `set`, as
/// Terraform sends a configuration.
fn with_nulls(
    ty: &actiontrail_provider::model::Type,
    set: &[(&str, actiontrail_provider::model::Value)],
) -> actiontrail_provider::model::Value {
    use actiontrail_provider::model::{Type, Value};
    let Type::Object(attrs) = ty else {
        unreachable!("a block is an object")
    };
    let mut block: std::collections::BTreeMap<String, Value> =
        attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
    for (k, v) in set {
        block.insert((*k).to_owned(), v.clone());
    }
    Value::Object(block)
}

#[test]
fn over_tfplugin5_the_action_streams_progress_then_completed_and_reads_afresh() {
    use actiontrail_provider::model::{msgpack, Value};
    use actiontrail_provider::tfproto::proto::tfplugin5 as v5;
    use support::plugin::{ClientIdentity, Plugin};
    use v5::invoke_action::event::Type as Event;

    let sim = Sim::start(&[]);
    let identity = ClientIdentity::generate();
    // Terraform 0.13.5 speaks 5 only; a plugin offered only 5 answers in 5.
    let plugin = Plugin::start("5", Some(&identity));
    assert_eq!(plugin.fields()[1], "5");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut p = v5::provider_client::ProviderClient::new(
        rt.block_on(plugin.connect(Some(&identity))).unwrap(),
    );
    let provider = actiontrail_provider::provider::provider();
    let dv = |v: &Value, ty: &actiontrail_provider::model::Type| v5::DynamicValue {
        msgpack: msgpack::encode(v, ty).unwrap(),
        json: vec![],
    };

    let meta = rt
        .block_on(p.get_metadata(v5::get_metadata::Request {}))
        .unwrap()
        .into_inner();
    let actions: Vec<_> = meta.actions.iter().map(|a| a.type_name.as_str()).collect();
    assert_eq!(actions, ["actiontrail_accesskey_gate"]);
    let schema = rt
        .block_on(p.get_schema(v5::get_provider_schema::Request {}))
        .unwrap()
        .into_inner();
    let action_schema = schema.action_schemas["actiontrail_accesskey_gate"]
        .schema
        .as_ref()
        .unwrap();
    let names: Vec<_> = action_schema
        .block
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["access_key_ids", "fail_if_used_within"]);

    let action_ty = provider.action_schemas()[0].1.value_type().clone();
    let gate = |window: &str| {
        Value::object([
            ("access_key_ids", Value::List(vec![Value::string(IDLE)])),
            ("fail_if_used_within", Value::string(window)),
        ])
    };
    let bad = rt
        .block_on(
            p.validate_action_config(v5::validate_action_config::Request {
                type_name: "actiontrail_accesskey_gate".into(),
                config: Some(dv(&gate("yesterday"), &action_ty)),
            }),
        )
        .unwrap()
        .into_inner();
    assert_eq!(bad.diagnostics.len(), 1, "{:?}", bad.diagnostics);
    let steps = &bad.diagnostics[0].attribute.as_ref().unwrap().steps;
    assert_eq!(
        steps[0].selector,
        Some(v5::attribute_path::step::Selector::AttributeName(
            "fail_if_used_within".into()
        ))
    );

    let provider_ty = provider.provider_schema().value_type().clone();
    let configured = rt
        .block_on(p.configure(v5::configure::Request {
            terraform_version: "0.13.5".into(),
            config: Some(dv(
                &with_nulls(
                    &provider_ty,
                    &[
                        ("endpoint", Value::string(&sim.url)),
                        ("access_key", Value::string(support::DEMO_ACCESS_KEY_ID)),
                        ("secret_key", Value::string(support::DEMO_ACCESS_KEY_SECRET)),
                    ],
                ),
                &provider_ty,
            )),
            client_capabilities: None,
        }))
        .unwrap()
        .into_inner();
    assert!(
        configured.diagnostics.iter().all(|d| d.severity != 1),
        "{:?}",
        configured.diagnostics
    );

    // A plan-time read of the key: the process now holds an answer saying it is idle.
    let ds_ty = provider
        .data_source_schemas()
        .iter()
        .find(|(name, _)| name == "actiontrail_accesskey_last_used")
        .map(|(_, s)| s.value_type().clone())
        .unwrap();
    let read = rt
        .block_on(p.read_data_source(v5::read_data_source::Request {
            type_name: "actiontrail_accesskey_last_used".into(),
            config: Some(dv(
                &with_nulls(
                    &ds_ty,
                    &[
                        ("access_key_id", Value::string(IDLE)),
                        ("fail_if_used_within", Value::string("30d")),
                    ],
                ),
                &ds_ty,
            )),
            ..Default::default()
        }))
        .unwrap()
        .into_inner();
    assert!(
        read.diagnostics.iter().all(|d| d.severity != 1),
        "{:?}",
        read.diagnostics
    );
    assert_eq!(info_calls(&sim), 1);

    let planned = rt
        .block_on(p.plan_action(v5::plan_action::Request {
            action_type: "actiontrail_accesskey_gate".into(),
            config: Some(dv(&gate("30d"), &action_ty)),
            client_capabilities: None,
        }))
        .unwrap()
        .into_inner();
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    assert_eq!(info_calls(&sim), 1, "PlanAction reads nothing");

    // Then the key is used, and the action runs in the same process.
    sim.record_use(IDLE);
    let events: Vec<Event> = rt.block_on(async {
        let mut stream = p
            .invoke_action(v5::invoke_action::Request {
                action_type: "actiontrail_accesskey_gate".into(),
                config: Some(dv(&gate("30d"), &action_ty)),
                client_capabilities: None,
            })
            .await
            .unwrap()
            .into_inner();
        let mut events = Vec::new();
        while let Some(e) = stream.message().await.unwrap() {
            events.push(e.r#type.expect("every event has a type"));
        }
        events
    });
    assert_eq!(info_calls(&sim), 2, "the action asked ActionTrail again");
    assert_eq!(events.len(), 2, "{events:?}");
    let Event::Progress(progress) = &events[0] else {
        panic!("progress first: {events:?}")
    };
    assert!(
        progress.message.starts_with(&format!("{IDLE} last used"))
            && progress.message.ends_with("within 30d: still in use"),
        "{progress:?}"
    );
    let Event::Completed(done) = &events[1] else {
        panic!("completed last: {events:?}")
    };
    assert_eq!(done.diagnostics.len(), 1, "{:?}", done.diagnostics);
    assert_eq!(done.diagnostics[0].severity, 1);
    assert!(
        done.diagnostics[0]
            .summary
            .starts_with(&format!("AccessKey {IDLE} was used")),
        "{:?}",
        done.diagnostics
    );
    assert!(!done.diagnostics[0]
        .detail
        .contains(support::DEMO_ACCESS_KEY_SECRET));
}

#[test]
fn tfplugin6_answers_each_new_call_with_a_diagnostic_naming_what_it_lacks() {
    use actiontrail_provider::tfproto::proto::tfplugin6 as v6;
    use support::plugin::{ClientIdentity, Plugin};

    let identity = ClientIdentity::generate();
    let plugin = Plugin::start("5,6", Some(&identity));
    assert_eq!(plugin.fields()[1], "6");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut p = v6::provider_client::ProviderClient::new(
        rt.block_on(plugin.connect(Some(&identity))).unwrap(),
    );
    let one_error = |diags: &[v6::Diagnostic], what: &str| {
        assert_eq!(diags.len(), 1, "{what}: {diags:?}");
        assert_eq!(diags[0].severity, 1, "{what}: {diags:?}");
        assert!(diags[0].detail.contains("\"nope\""), "{what}: {diags:?}");
    };
    rt.block_on(async {
        let meta = p
            .get_metadata(v6::get_metadata::Request {})
            .await
            .unwrap()
            .into_inner();
        let actions: Vec<_> = meta.actions.iter().map(|a| a.type_name.as_str()).collect();
        assert_eq!(actions, ["actiontrail_accesskey_gate"]);
        assert!(meta.list_resources.is_empty() && meta.state_stores.is_empty());

        let r = p
            .validate_action_config(v6::validate_action_config::Request {
                type_name: "nope".into(),
                config: None,
            })
            .await
            .unwrap()
            .into_inner();
        one_error(&r.diagnostics, "ValidateActionConfig");
        assert_eq!(r.diagnostics[0].summary, "Unknown action");
        let mut events = p
            .invoke_action(v6::invoke_action::Request {
                action_type: "nope".into(),
                config: None,
                client_capabilities: None,
            })
            .await
            .unwrap()
            .into_inner();
        let Some(v6::invoke_action::event::Type::Completed(done)) =
            events.message().await.unwrap().and_then(|e| e.r#type)
        else {
            panic!("an unknown action completes at once, with its error")
        };
        one_error(&done.diagnostics, "InvokeAction");
        assert!(events.message().await.unwrap().is_none(), "one event only");

        let r = p
            .generate_resource_config(v6::generate_resource_config::Request {
                type_name: "nope".into(),
                state: None,
            })
            .await
            .unwrap()
            .into_inner();
        one_error(&r.diagnostics, "GenerateResourceConfig");
        let r = p
            .validate_list_resource_config(v6::validate_list_resource_config::Request {
                type_name: "nope".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        one_error(&r.diagnostics, "ValidateListResourceConfig");
        let mut list = p
            .list_resource(v6::list_resource::Request {
                type_name: "nope".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let first = list.message().await.unwrap().expect("one event");
        one_error(&first.diagnostic, "ListResource");
        assert!(list.message().await.unwrap().is_none());

        let r = p
            .validate_state_store_config(v6::validate_state_store::Request {
                type_name: "nope".into(),
                config: None,
            })
            .await
            .unwrap()
            .into_inner();
        one_error(&r.diagnostics, "ValidateStateStoreConfig");
        let r = p
            .configure_state_store(v6::configure_state_store::Request {
                type_name: "nope".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        one_error(&r.diagnostics, "ConfigureStateStore");
        let mut read = p
            .read_state_bytes(v6::read_state_bytes::Request {
                type_name: "nope".into(),
                state_id: "default".into(),
            })
            .await
            .unwrap()
            .into_inner();
        let first = read.message().await.unwrap().expect("one chunk");
        one_error(&first.diagnostics, "ReadStateBytes");
        let r = p
            .lock_state(v6::lock_state::Request {
                type_name: "nope".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        one_error(&r.diagnostics, "LockState");
        let r = p
            .unlock_state(v6::unlock_state::Request {
                type_name: "nope".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        one_error(&r.diagnostics, "UnlockState");
        let r = p
            .get_states(v6::get_states::Request {
                type_name: "nope".into(),
            })
            .await
            .unwrap()
            .into_inner();
        one_error(&r.diagnostics, "GetStates");
        let r = p
            .delete_state(v6::delete_state::Request {
                type_name: "nope".into(),
                state_id: "default".into(),
            })
            .await
            .unwrap()
            .into_inner();
        one_error(&r.diagnostics, "DeleteState");
        let chunk = v6::write_state_bytes::RequestChunk {
            meta: Some(v6::RequestChunkMeta {
                type_name: "nope".into(),
                state_id: "default".into(),
            }),
            ..Default::default()
        };
        let r = p
            .write_state_bytes(futures::stream::iter([chunk]))
            .await
            .unwrap()
            .into_inner();
        one_error(&r.diagnostics, "WriteStateBytes");
    });
}
