//! The aliyun CLI's `External` profile mode: a process, named by `process_command`, that
//! prints credentials as JSON (`{"mode": "AK"|"StsToken", "access_key_id",
//! "access_key_secret", "sts_token", "expiration"}`), as a password manager or a company's
//! sign-in tool does. The command is split at whitespace, as the aliyun CLI splits it; no
//! shell runs it. Its output holds secrets, so errors never quote it.

use super::answer::MAX_ANSWER_BYTES;
use super::{Credentials, CredentialsError};
use crate::alibaba::capped::CappedError;
use serde::Deserialize;
use std::time::Duration;

/// The most a helper may print on stderr: only its first line is quoted, so this is
/// room for chatter, not a limit any sign-in tool meets.
const STDERR_BYTES: usize = 256 * 1024;

#[derive(Deserialize)]
struct Output {
    mode: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    sts_token: Option<String>,
    expiration: Option<String>,
}

/// The command's words; an empty command is refused when the profile is read.
pub(super) fn words(command: &str) -> Vec<String> {
    command.split_whitespace().map(str::to_owned).collect()
}

/// The name caches, pacing and logs know this source by: the program and a short hash of
/// the whole command line, never its arguments, which may hold a token.
pub(super) fn identity(command: &str) -> String {
    use sha2::Digest as _;
    let words = words(command);
    let program = words.first().map(String::as_str).unwrap_or("");
    let digest = sha2::Sha256::digest(words.join(" ").as_bytes());
    format!("external:{program}#{}", hex::encode(&digest[..6]))
}

/// Everything a helper's pipe `which` says, at most `cap` bytes; past it, an error.
async fn pipe(
    reader: Option<impl tokio::io::AsyncRead + Unpin>,
    cap: usize,
    which: &str,
) -> Result<Vec<u8>, String> {
    let Some(reader) = reader else {
        return Ok(Vec::new());
    };
    crate::alibaba::capped::read_async(reader, cap)
        .await
        .map_err(|e| match e {
            CappedError::TooLarge { .. } => format!(
                "it printed more than {} ({cap} bytes) on {which}, so not credentials; it was stopped",
                crate::alibaba::decode::human_bytes(cap)
            ),
            CappedError::Io(e) => format!("cannot read its {which}: {e}"),
        })
}

/// Runs `command` and reads the credentials it prints, within `timeout`.
pub(super) async fn run(
    command: &[String],
    timeout: Duration,
) -> Result<Credentials, CredentialsError> {
    let name = command.first().map(String::as_str).unwrap_or("");
    let what = format!("the External profile's process_command {name:?}");
    let invalid = |reason: String| CredentialsError::Invalid {
        source_name: what.clone(),
        reason,
    };
    let mut child = tokio::process::Command::new(name)
        .args(command.get(1..).unwrap_or_default())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| invalid(format!("cannot start it: {e}")))?;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    // Both pipes are read at once, each capped: the first past its cap ends the read, and
    // the process is killed rather than waited for.
    let read = async {
        let (out, err) = tokio::try_join!(
            pipe(stdout, MAX_ANSWER_BYTES, "stdout"),
            pipe(stderr, STDERR_BYTES, "stderr")
        )?;
        let status = child
            .wait()
            .await
            .map_err(|e| format!("cannot wait for it: {e}"))?;
        Ok::<_, String>((status, out, err))
    };
    let outcome = tokio::time::timeout(timeout, read).await;
    let (status, stdout, stderr) = match outcome {
        Ok(Ok(done)) => done,
        Ok(Err(reason)) => {
            let _ = child.kill().await;
            return Err(invalid(reason));
        }
        Err(_) => {
            let _ = child.kill().await;
            return Err(invalid(format!("it did not finish within {timeout:?}")));
        }
    };
    if !status.success() {
        // Its stderr is quoted to say why, but a sign-in tool may echo what it holds
        // there: the known secrets, the secret-bearing shapes and any opaque token-like
        // word are removed first.
        let stderr = String::from_utf8_lossy(&stderr);
        let first = stderr.lines().next().unwrap_or("");
        let said = crate::alibaba::redact::clip(&crate::alibaba::redact::opaque(first), 200);
        return Err(invalid(format!("it failed ({status}): {said}")));
    }
    let parsed: Output = crate::alibaba::decode::strict_slice(&stdout)
        .map_err(|why| invalid(format!("it did not print credentials JSON: {why}")))?;
    let need = |v: Option<String>, field: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| invalid(format!("its output has no {field}")))
    };
    let token = match parsed.mode.as_deref() {
        Some("StsToken") => Some(need(parsed.sts_token, "sts_token")?),
        Some("AK") | None => None,
        Some(other) => {
            return Err(invalid(format!(
                "its output's mode {other:?} is neither AK nor StsToken"
            )))
        }
    };
    let expiration = parsed
        .expiration
        .filter(|e| !e.trim().is_empty())
        .map(|e| super::answer::parse_expiration(&e, &what))
        .transpose()?;
    // What expires is temporary; what does not lasts as a configured key does.
    let secret = |v: String| match expiration {
        Some(_) => crate::alibaba::secret::Secret::temporary(v),
        None => v.into(),
    };
    Ok(Credentials {
        access_key_id: need(parsed.access_key_id, "access_key_id")?,
        access_key_secret: secret(need(parsed.access_key_secret, "access_key_secret")?),
        security_token: token.map(secret),
        expiration,
    })
}
