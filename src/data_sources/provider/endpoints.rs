//! The `endpoints` block, as the alicloud provider spells it: `actiontrail`, `sts` and
//! `ram`, beside the single `endpoint`, `sts_endpoint` and `ram_endpoint` arguments (setting both ways for one
//! service is an error, not a silent choice).

use super::super::args::{self, Arg};
use super::validate::{parse_endpoint, root, string_arg};
use crate::actiontrail::Protocol;
use crate::model::{Attribute, Block, Diagnostic, Value};

/// The services whose endpoint the block sets, and the single argument each mirrors.
pub const SERVICES: [(&str, &str); 3] = [
    ("actiontrail", "endpoint"),
    ("sts", "sts_endpoint"),
    ("ram", "ram_endpoint"),
];

/// The block's schema.
pub fn block() -> Block {
    Block {
        attributes: vec![
            Attribute::optional("actiontrail", crate::model::Type::String, "ActionTrail endpoint, as `endpoint` (which it may not be set with)."),
            Attribute::optional("sts", crate::model::Type::String, "STS endpoint for assume_role and assume_role_with_oidc, as `sts_endpoint` (which it may not be set with)."),
            Attribute::optional("ram", crate::model::Type::String, "RAM endpoint for `actiontrail_accesskeys`, as `ram_endpoint` (which it may not be set with)."),
        ],
        block_types: vec![],
        description: "Endpoints by service, as the alicloud provider names them.".to_owned(),
        deprecated: false,
    }
}

/// What the block sets: the ActionTrail endpoint with the scheme it names, and STS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Endpoints {
    /// `actiontrail`.
    pub actiontrail: Option<(String, Option<Protocol>)>,
    /// `sts`.
    pub sts: Option<String>,
    /// `ram`.
    pub ram: Option<String>,
}

/// Checks the block against the provider block `config` it sits in.
pub fn parse(config: &Value, block: &Value, diags: &mut Vec<Diagnostic>) -> Endpoints {
    let mut out = Endpoints::default();
    for (service, single) in SERVICES {
        let path = root("endpoints").attr(service);
        let Arg::Known(e) = string_arg(block, service, path.clone(), diags) else {
            continue;
        };
        if args::string(config, single, &root(single)).is_ok_and(|a| a != Arg::Absent) {
            diags.push(args::invalid(
                service,
                &path,
                format!(
                    "endpoints.{service} and {single} both set the {service} endpoint; keep one."
                ),
            ));
            continue;
        }
        match parse_endpoint(e) {
            Ok(scheme) if service == "actiontrail" => {
                out.actiontrail = Some((e.to_owned(), scheme))
            }
            Ok(_) if service == "sts" => out.sts = Some(e.to_owned()),
            Ok(_) => out.ram = Some(e.to_owned()),
            Err(why) => diags.push(args::invalid(
                service,
                &path,
                format!("endpoints.{service} {why}."),
            )),
        }
    }
    out
}
