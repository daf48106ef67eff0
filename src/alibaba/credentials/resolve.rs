//! Walking the chain in the order it is documented, without network: the first complete
//! source wins, and a chain that finds nothing names every place it looked.

use super::files;
use super::found::{Env, Found};
use super::{AssumeRoleConfig, Credentials, CredentialsConfig, CredentialsError, OidcConfig};
use crate::alibaba::secret::Secret;
use std::path::PathBuf;

/// `ALIBABA_CLOUD_CREDENTIALS_FILE`: the INI file to Alibaba's credentials libraries, the
/// aliyun CLI's `config.json` to the alicloud provider. Both are accepted, told apart by
/// their content.
pub(super) const CREDENTIALS_FILE_ENV: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";

/// The home directory `~/.aliyun` and `~/.alibabacloud` are under: `HOME`, or on Windows
/// `USERPROFILE`, where the aliyun CLI (Go's `os.UserHomeDir`) looks.
fn home_dir(config: &CredentialsConfig, env: &Env<'_>) -> Option<PathBuf> {
    let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    config
        .home
        .clone()
        .or_else(|| env.get(var).map(PathBuf::from))
}

fn credentials_from(id: String, secret: Secret, token: Option<Secret>) -> Credentials {
    Credentials {
        access_key_id: id,
        access_key_secret: secret,
        security_token: token,
        expiration: None,
    }
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.trim().is_empty())
}

fn nonempty_secret(v: &Option<Secret>) -> Option<Secret> {
    v.clone().filter(|s| !s.expose().trim().is_empty())
}

/// Whether the file at `path` is JSON (the aliyun CLI's format) rather than INI. A file
/// that cannot be read counts as INI: the INI reader then reports it.
fn is_json_file(path: &std::path::Path) -> bool {
    crate::alibaba::capped::file(path, super::files::CREDENTIALS_FILE_BYTES)
        .ok()
        .and_then(|bytes| bytes.iter().copied().find(|b| !b.is_ascii_whitespace()))
        == Some(b'{')
}

/// The chain: the source found, wrapped in STS AssumeRole when `assume_role` (or its
/// environment variables) asks for it. Returns it and a description of where it came from.
pub(super) fn resolve(
    config: &CredentialsConfig,
    env: &Env<'_>,
) -> Result<(Found, String), CredentialsError> {
    let (found, origin, oidc_took_role) = resolve_source(config, env)?;
    // With any OIDC variable set, ALIBABA_CLOUD_ROLE_ARN was meant for OIDC: a half-made
    // OIDC setup must not turn into an AssumeRole with whatever key was found instead.
    let role_arn_used = oidc_took_role
        || [
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
        ]
        .iter()
        .any(|v| env.get(v).is_some());
    let role = match &config.assume_role {
        Some(role) => {
            if role.role_arn.trim().is_empty() {
                return Err(CredentialsError::Invalid {
                    source_name: "assume_role".into(),
                    reason: "role_arn is empty".into(),
                });
            }
            Some((role.clone(), "assume_role".to_owned()))
        }
        None => role_from_env(env, role_arn_used),
    };
    Ok(match role {
        Some((role, why)) => {
            let origin = format!("{why} {} with {origin}", role.role_arn);
            let found = Found::RamRoleArn {
                base: Box::new(found),
                role,
            };
            (found, origin)
        }
        None => (found, origin),
    })
}

/// `assume_role` from the environment, as the alicloud provider reads it. When the OIDC
/// source took `ALIBABA_CLOUD_ROLE_ARN`, that variable is not assumed a second time.
fn role_from_env(env: &Env<'_>, role_arn_used: bool) -> Option<(AssumeRoleConfig, String)> {
    let (var, arn) = [
        ("ALICLOUD_ASSUME_ROLE_ARN", false),
        ("ALIBABA_CLOUD_ROLE_ARN", true),
    ]
    .into_iter()
    .filter(|(_, is_oidc_name)| !(role_arn_used && *is_oidc_name))
    .find_map(|(var, _)| env.get(var).map(|v| (var, v)))?;
    let session_name = env
        .get("ALICLOUD_ASSUME_ROLE_SESSION_NAME")
        .or_else(|| env.get("ALIBABA_CLOUD_ROLE_SESSION_NAME"));
    Some((
        AssumeRoleConfig {
            role_arn: arn,
            session_name,
            ..Default::default()
        },
        format!("environment variable {var}:"),
    ))
}

/// The first complete source, its origin, and whether it consumed `ALIBABA_CLOUD_ROLE_ARN`.
fn resolve_source(
    config: &CredentialsConfig,
    env: &Env<'_>,
) -> Result<(Found, String, bool), CredentialsError> {
    let mut looked = Vec::new();

    // 1. Provider arguments.
    match (
        nonempty(&config.access_key),
        nonempty_secret(&config.secret_key),
    ) {
        (Some(id), Some(secret)) => {
            let c = credentials_from(id, secret, nonempty_secret(&config.security_token));
            return Ok((
                Found::Key(c),
                "the provider's access_key and secret_key".into(),
                false,
            ));
        }
        (Some(_), None) => {
            looked.push("provider argument access_key (set, but secret_key is not)".into())
        }
        (None, Some(_)) => {
            looked.push("provider argument secret_key (set, but access_key is not)".into())
        }
        (None, None) => looked.push("provider arguments access_key and secret_key".into()),
    }
    if let Some(role) = nonempty(&config.ecs_role_name) {
        return Ok((
            Found::EcsRamRole {
                role: Some(role.clone()),
            },
            format!("the ECS RAM role {role} (provider argument ecs_role_name)"),
            false,
        ));
    }
    looked.push("provider argument ecs_role_name".into());
    if let Some(oidc) = &config.assume_role_with_oidc {
        check_oidc(oidc, "assume_role_with_oidc")?;
        let origin = format!(
            "assume_role_with_oidc {} (provider block assume_role_with_oidc)",
            oidc.role_arn
        );
        return Ok((Found::Oidc(oidc.clone()), origin, false));
    }
    looked.push("provider block assume_role_with_oidc".into());
    if let Some(uri) = nonempty_secret(&config.credentials_uri) {
        let shown = super::uri::shown(uri.expose());
        return Ok((
            Found::Uri(uri, "credentials_uri".into()),
            format!("the credentials URI {shown} (provider argument credentials_uri)"),
            false,
        ));
    }
    looked.push("provider argument credentials_uri".into());

    // 2. Environment: an AccessKey.
    for (id_var, secret_var, token_var) in [
        (
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            "ALIBABA_CLOUD_SECURITY_TOKEN",
        ),
        (
            "ALICLOUD_ACCESS_KEY",
            "ALICLOUD_SECRET_KEY",
            "ALICLOUD_SECURITY_TOKEN",
        ),
    ] {
        match (env.get(id_var), env.get(secret_var)) {
            (Some(id), Some(secret)) => {
                let c = credentials_from(id, secret.into(), env.get(token_var).map(Into::into));
                return Ok((
                    Found::Key(c),
                    format!("environment variables {id_var} and {secret_var}"),
                    false,
                ));
            }
            (Some(_), None) => looked.push(format!(
                "environment variable {id_var} (set, but {secret_var} is not)"
            )),
            (None, Some(_)) => looked.push(format!(
                "environment variable {secret_var} (set, but {id_var} is not)"
            )),
            (None, None) => looked.push(format!("environment variables {id_var} and {secret_var}")),
        }
    }

    // 3. Environment: an OIDC token (GitHub Actions, ACK RRSA).
    if let Some(found) = oidc_from_env(env, &mut looked) {
        return Ok(found);
    }

    let profile = nonempty(&config.profile)
        .or_else(|| env.get("ALIBABA_CLOUD_PROFILE"))
        .or_else(|| env.get("ALICLOUD_PROFILE"));
    let home = home_dir(config, env);
    let env_file = env.get(CREDENTIALS_FILE_ENV).map(PathBuf::from);
    let env_file_is_json = env_file.as_deref().is_some_and(is_json_file);

    // 4. The aliyun CLI profile file.
    let cli_disabled = env
        .get("ALIBABA_CLOUD_CLI_PROFILE_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let cli_file = config
        .shared_credentials_file
        .clone()
        .or_else(|| env_file.clone().filter(|_| env_file_is_json))
        .or_else(|| home.as_ref().map(|h| h.join(".aliyun").join("config.json")));
    match &cli_file {
        _ if cli_disabled && config.shared_credentials_file.is_none() => looked.push(
            "the aliyun CLI profile file (ALIBABA_CLOUD_CLI_PROFILE_DISABLED is true)".into(),
        ),
        Some(path) => {
            if let Some((found, origin)) =
                files::aliyun_profile(path, profile.as_deref(), &mut looked)?
            {
                return Ok((found, origin, false));
            }
        }
        None => looked
            .push("the aliyun CLI profile file ~/.aliyun/config.json (HOME is not set)".into()),
    }

    // 5. The INI credentials file: `credentials`, then `credentials.ini` (the name the
    // Python credentials library looks for).
    let ini_files: Vec<PathBuf> = match config
        .credentials_file
        .clone()
        .or_else(|| env_file.clone().filter(|_| !env_file_is_json))
    {
        Some(path) => vec![path],
        None => home
            .as_ref()
            .map(|h| {
                let dir = h.join(".alibabacloud");
                vec![dir.join("credentials"), dir.join("credentials.ini")]
            })
            .unwrap_or_default(),
    };
    if ini_files.is_empty() {
        looked.push(format!(
            "the credentials file ~/.alibabacloud/credentials (HOME is not set; see {CREDENTIALS_FILE_ENV})"
        ));
    }
    for path in &ini_files {
        if let Some((found, origin)) = files::ini_profile(path, profile.as_deref(), &mut looked)? {
            return Ok((found, origin, false));
        }
    }

    // 6. The ECS metadata service, only when asked for.
    let disabled = env
        .get("ALIBABA_CLOUD_ECS_METADATA_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    match env.get("ALIBABA_CLOUD_ECS_METADATA") {
        Some(role) if !disabled => {
            return Ok((
                Found::EcsRamRole { role: Some(role.clone()) },
                format!("the ECS RAM role {role} (environment variable ALIBABA_CLOUD_ECS_METADATA)"),
                false,
            ));
        }
        _ => looked.push(
            "environment variable ALIBABA_CLOUD_ECS_METADATA (the ECS metadata service is not probed unless it or ecs_role_name names a role)".into(),
        ),
    }

    // 7. A local credentials endpoint.
    if let Some(uri) = env.get("ALIBABA_CLOUD_CREDENTIALS_URI") {
        let shown = super::uri::shown(&uri);
        return Ok((
            Found::Uri(uri.into(), "ALIBABA_CLOUD_CREDENTIALS_URI".into()),
            format!(
                "the credentials URI {shown} (environment variable ALIBABA_CLOUD_CREDENTIALS_URI)"
            ),
            false,
        ));
    }
    looked.push("environment variable ALIBABA_CLOUD_CREDENTIALS_URI".into());
    Err(CredentialsError::NotFound { looked })
}

/// The OIDC source from `ALIBABA_CLOUD_ROLE_ARN`, `_OIDC_PROVIDER_ARN` and
/// `_OIDC_TOKEN_FILE` (all three needed; the role ARN alone means assume_role).
fn oidc_from_env(env: &Env<'_>, looked: &mut Vec<String>) -> Option<(Found, String, bool)> {
    const VARS: [&str; 3] = [
        "ALIBABA_CLOUD_ROLE_ARN",
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    ];
    let [role_arn, provider_arn, token_file] = VARS.map(|v| env.get(v));
    if let (Some(role_arn), Some(oidc_provider_arn), Some(token_file)) =
        (&role_arn, &provider_arn, &token_file)
    {
        let oidc = OidcConfig {
            role_arn: role_arn.clone(),
            oidc_provider_arn: oidc_provider_arn.clone(),
            oidc_token: None,
            oidc_token_file: Some(PathBuf::from(token_file)),
            role_session_name: env.get("ALIBABA_CLOUD_ROLE_SESSION_NAME"),
            session_expiration: None,
            policy: None,
        };
        let origin = format!(
            "assume_role_with_oidc {role_arn} (environment variables {})",
            VARS.join(", ")
        );
        return Some((Found::Oidc(oidc), origin, true));
    }
    let set: Vec<&str> = VARS
        .iter()
        .zip([&role_arn, &provider_arn, &token_file])
        .filter(|(_, v)| v.is_some())
        .map(|(n, _)| *n)
        .collect();
    // The role ARN alone is not half an OIDC setup: it also names a role to assume.
    if set.is_empty() || set == ["ALIBABA_CLOUD_ROLE_ARN"] {
        looked.push(format!("environment variables {}", VARS.join(", ")));
    } else {
        looked.push(format!(
            "environment variables {} (only {} set)",
            VARS.join(", "),
            set.join(" and ")
        ));
    }
    None
}

/// An OIDC block needs both ARNs and exactly one of the token and its file.
pub(super) fn check_oidc(oidc: &OidcConfig, source_name: &str) -> Result<(), CredentialsError> {
    let invalid = |reason: &str| CredentialsError::Invalid {
        source_name: source_name.to_owned(),
        reason: reason.to_owned(),
    };
    if oidc.role_arn.trim().is_empty() {
        return Err(invalid("role_arn is empty"));
    }
    if oidc.oidc_provider_arn.trim().is_empty() {
        return Err(invalid("oidc_provider_arn is empty"));
    }
    let token = oidc
        .oidc_token
        .as_ref()
        .map(Secret::expose)
        .is_some_and(|t| !t.trim().is_empty());
    let file = oidc
        .oidc_token_file
        .as_ref()
        .is_some_and(|f| !f.as_os_str().is_empty());
    match (token, file) {
        (true, true) => Err(invalid("set oidc_token or oidc_token_file, not both")),
        (false, false) => Err(invalid("needs oidc_token or oidc_token_file")),
        _ => Ok(()),
    }
}
