//! The two credentials files: the aliyun CLI's `~/.aliyun/config.json` and the SDKs'
//! INI file `~/.alibabacloud/credentials`.
//!
//! An absent file or profile is skipped (noted in the "looked in" list); a file that is
//! there but unreadable, malformed, or whose chosen profile is incomplete is an error,
//! because silently falling through to other credentials would act as someone else.

use super::found::{shown, Found};
use super::{AssumeRoleConfig, Credentials, CredentialsError, OidcConfig};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CliConfig {
    current: Option<String>,
    profiles: Vec<CliProfile>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CliProfile {
    name: String,
    mode: String,
    access_key_id: String,
    access_key_secret: String,
    sts_token: String,
    ram_role_name: String,
    ram_role_arn: String,
    ram_session_name: String,
    external_id: String,
    expired_seconds: u32,
    policy: String,
    source_profile: String,
    oidc_provider_arn: String,
    oidc_token_file: String,
    role_session_name: String,
    process_command: String,
}

impl std::fmt::Debug for CliProfile {
    // The profile holds an AccessKey secret and maybe an STS token: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |v: &str| if v.is_empty() { "" } else { "<redacted>" };
        f.debug_struct("CliProfile")
            .field("name", &self.name)
            .field("mode", &self.mode)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &shown(&self.access_key_secret))
            .field("sts_token", &shown(&self.sts_token))
            .field("ram_role_name", &self.ram_role_name)
            .field("ram_role_arn", &self.ram_role_arn)
            .field("ram_session_name", &self.ram_session_name)
            .field("external_id", &self.external_id)
            .field("expired_seconds", &self.expired_seconds)
            .field("policy", &self.policy)
            .field("source_profile", &self.source_profile)
            .field("oidc_provider_arn", &self.oidc_provider_arn)
            .field("oidc_token_file", &self.oidc_token_file)
            .field("role_session_name", &self.role_session_name)
            // A command line may carry a token among its arguments.
            .field("process_command", &shown(&self.process_command))
            .finish()
    }
}

/// How many ChainableRamRoleArn profiles may stand on one another; a longer chain is
/// surely a loop the visited list missed, and each link is one STS call per refresh.
const MAX_CHAIN: usize = 8;

/// The largest credentials file read: a profile is a few hundred bytes, so this holds
/// thousands of them, and a path such as `/dev/zero` costs no more.
pub(super) const CREDENTIALS_FILE_BYTES: usize = 1024 * 1024;

/// Reads `path`, at most [`CREDENTIALS_FILE_BYTES`]; `Ok(None)` when it does not exist.
fn read(
    path: &Path,
    looked: &mut Vec<String>,
    what: &str,
) -> Result<Option<String>, CredentialsError> {
    use crate::alibaba::capped::{text_file, CappedError};
    match text_file(path, CREDENTIALS_FILE_BYTES) {
        Ok(text) => Ok(Some(text)),
        Err(CappedError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            looked.push(format!("{what} {} (absent)", shown(path)));
            Ok(None)
        }
        Err(e) => Err(CredentialsError::Invalid {
            source_name: shown(path),
            reason: e.to_string(),
        }),
    }
}

fn require(
    value: &str,
    field: &str,
    source_name: &str,
    mode: &str,
) -> Result<String, CredentialsError> {
    if value.trim().is_empty() {
        Err(CredentialsError::Invalid {
            source_name: source_name.to_owned(),
            reason: format!("mode {mode} needs {field}"),
        })
    } else {
        Ok(value.to_owned())
    }
}

fn key(id: String, secret: String, token: Option<String>) -> Credentials {
    Credentials {
        access_key_id: id,
        access_key_secret: secret.into(),
        security_token: token.map(Into::into),
        expiration: None,
    }
}

fn nonempty(s: &str) -> Option<String> {
    Some(s.to_owned()).filter(|s| !s.trim().is_empty())
}

/// The chosen profile of the aliyun CLI file at `path`: `profile`, else the file's
/// `current`, else `default`.
pub(super) fn aliyun_profile(
    path: &Path,
    profile: Option<&str>,
    looked: &mut Vec<String>,
) -> Result<Option<(Found, String)>, CredentialsError> {
    let what = "the aliyun CLI profile file";
    let Some(text) = read(path, looked, what)? else {
        return Ok(None);
    };
    let cfg: CliConfig = serde_json::from_str(&text).map_err(|e| CredentialsError::Invalid {
        source_name: shown(path),
        // serde's message for a wrong type quotes the value, which may be the secret.
        reason: format!(
            "not a valid aliyun CLI config: {}",
            crate::alibaba::redact::json_shape(&e)
        ),
    })?;
    let name = profile
        .map(str::to_owned)
        .or(cfg.current.clone().filter(|c| !c.is_empty()))
        .unwrap_or_else(|| "default".into());
    if !cfg.profiles.iter().any(|p| p.name == name) {
        looked.push(format!("{what} {} (no profile {name:?})", shown(path)));
        return Ok(None);
    }
    let source_name = format!("profile {name:?} in {}", shown(path));
    let found = cli_profile(&cfg, &name, path, &mut Vec::new())?;
    Ok(Some((found, source_name)))
}

/// The profile `name` of `cfg`; `chain` holds the ChainableRamRoleArn profiles above it.
fn cli_profile(
    cfg: &CliConfig,
    name: &str,
    path: &Path,
    chain: &mut Vec<String>,
) -> Result<Found, CredentialsError> {
    let source_name = format!("profile {name:?} in {}", shown(path));
    let invalid = |reason: String| CredentialsError::Invalid {
        source_name: source_name.clone(),
        reason,
    };
    let Some(p) = cfg.profiles.iter().find(|p| p.name == name) else {
        return Err(invalid("no such profile".into()));
    };
    let mode = if p.mode.is_empty() {
        "AK"
    } else {
        p.mode.as_str()
    };
    let need = |value: &str, field: &str| require(value, field, &source_name, mode);
    let base_key = || -> Result<Credentials, CredentialsError> {
        Ok(key(
            need(&p.access_key_id, "access_key_id")?,
            need(&p.access_key_secret, "access_key_secret")?,
            None,
        ))
    };
    let role = || -> Result<AssumeRoleConfig, CredentialsError> {
        Ok(AssumeRoleConfig {
            role_arn: need(&p.ram_role_arn, "ram_role_arn")?,
            session_name: nonempty(&p.ram_session_name),
            policy: nonempty(&p.policy),
            session_expiration: Some(p.expired_seconds).filter(|s| *s > 0),
            external_id: nonempty(&p.external_id),
        })
    };
    Ok(match mode {
        "AK" => Found::Key(base_key()?),
        "StsToken" => {
            let mut c = base_key()?;
            c.security_token = Some(need(&p.sts_token, "sts_token")?.into());
            Found::Key(c)
        }
        "RamRoleArn" => Found::RamRoleArn {
            base: Box::new(Found::Key(base_key()?)),
            role: role()?,
        },
        "ChainableRamRoleArn" => {
            let source = need(&p.source_profile, "source_profile")?;
            chain.push(name.to_owned());
            if chain.contains(&source) || chain.len() > MAX_CHAIN {
                return Err(invalid(format!(
                    "source_profile makes a loop: {} -> {source}",
                    chain.join(" -> ")
                )));
            }
            let base = cli_profile(cfg, &source, path, chain)?;
            Found::RamRoleArn {
                base: Box::new(base),
                role: role()?,
            }
        }
        "EcsRamRole" => Found::EcsRamRole {
            role: nonempty(&p.ram_role_name),
        },
        "OIDC" => Found::Oidc(OidcConfig {
            role_arn: need(&p.ram_role_arn, "ram_role_arn")?,
            oidc_provider_arn: need(&p.oidc_provider_arn, "oidc_provider_arn")?,
            oidc_token: None,
            oidc_token_file: Some(
                need(&p.oidc_token_file, "oidc_token_file")?.into(),
            ),
            role_session_name: nonempty(&p.role_session_name),
            session_expiration: Some(p.expired_seconds).filter(|s| *s > 0),
            policy: nonempty(&p.policy),
        }),
        // Both hold a sign-in token that is only worth something once exchanged with the
        // CloudSSO portal or the OAuth service for STS credentials: online, interactive
        // when it lapses, and not offered by the emulator to prove against.
        "CloudSSO" | "OAuth" => {
            return Err(invalid(format!(
                "mode {mode} is not supported: its token must be exchanged with the sign-in service; run `aliyun configure` with mode StsToken, RamRoleArn or OIDC, or use a credentials_uri"
            )))
        }
        "External" => Found::External(need(&p.process_command, "process_command")?),
        other => {
            return Err(invalid(format!(
                "mode {other} is not supported; use AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC or External"
            )))
        }
    })
}

/// The chosen section of the INI file at `path`: `profile`, else `[default]`.
pub(super) fn ini_profile(
    path: &Path,
    profile: Option<&str>,
    looked: &mut Vec<String>,
) -> Result<Option<(Found, String)>, CredentialsError> {
    let what = "the credentials file";
    let Some(text) = read(path, looked, what)? else {
        return Ok(None);
    };
    let ini = ini::Ini::load_from_str(&text).map_err(|e| CredentialsError::Invalid {
        source_name: shown(path),
        reason: format!("not a valid INI file: {e}"),
    })?;
    let name = profile.unwrap_or("default");
    let Some(section) = ini.section(Some(name)) else {
        looked.push(format!("{what} {} (no section [{name}])", shown(path)));
        return Ok(None);
    };
    let source_name = format!("section [{name}] of {}", shown(path));
    if section
        .get("enable")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"))
    {
        looked.push(format!("{source_name} (enable = false)"));
        return Ok(None);
    }
    let get = |k: &str| section.get(k).map(str::trim).unwrap_or("");
    let kind = get("type");
    let kind = if kind.is_empty() { "access_key" } else { kind };
    let need = |field: &str| require(get(field), field, &source_name, kind);
    let access_key = |token: Option<String>| -> Result<Credentials, CredentialsError> {
        Ok(key(
            need("access_key_id")?,
            need("access_key_secret")?,
            token,
        ))
    };
    let found = match kind {
        "access_key" => Found::Key(access_key(None)?),
        "sts" => Found::Key(access_key(Some(need("security_token")?))?),
        "ram_role_arn" => Found::RamRoleArn {
            base: Box::new(Found::Key(access_key(None)?)),
            role: AssumeRoleConfig {
                role_arn: need("role_arn")?,
                session_name: nonempty(get("role_session_name")),
                policy: nonempty(get("policy")),
                session_expiration: get("duration_seconds").parse().ok(),
                external_id: nonempty(get("external_id")),
            },
        },
        "ecs_ram_role" => Found::EcsRamRole {
            role: nonempty(get("role_name")),
        },
        "oidc_role_arn" => Found::Oidc(OidcConfig {
            role_arn: need("role_arn")?,
            oidc_provider_arn: need("oidc_provider_arn")?,
            oidc_token: None,
            oidc_token_file: Some(need("oidc_token_file_path")?.into()),
            role_session_name: nonempty(get("role_session_name")),
            session_expiration: get("duration_seconds").parse().ok(),
            policy: nonempty(get("policy")),
        }),
        other => {
            return Err(CredentialsError::Invalid {
                source_name,
                reason: format!(
                    "type {other} is not supported; use access_key, sts, ram_role_arn, ecs_ram_role or oidc_role_arn"
                ),
            })
        }
    };
    Ok(Some((found, source_name)))
}

#[cfg(test)]
mod debug_tests {
    use super::CliProfile;

    #[test]
    fn a_cli_profile_debug_prints_no_secret() {
        let p = CliProfile {
            access_key_id: "LTAI5tShown".into(),
            access_key_secret: "planted-secret".into(),
            sts_token: "planted-token".into(),
            ..Default::default()
        };
        let d = format!("{p:?}");
        assert!(d.contains("LTAI5tShown"), "{d}");
        assert!(
            !d.contains("planted-secret") && !d.contains("planted-token"),
            "{d}"
        );
    }
}
