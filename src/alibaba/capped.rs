//! The one way the provider reads a file or a pipe it did not write (a credentials file,
//! an OIDC token file, a credential helper's stdout and stderr): at most the cap and one
//! byte more, so a file such as `/dev/zero`, a FIFO that never ends or a helper that
//! never stops printing costs the cap, not all memory. Past the cap is an error naming
//! the cap, never a cut value: a cut credential is a wrong credential.

use crate::alibaba::decode::human_bytes;
use std::io::Read;
use tokio::io::AsyncReadExt as _;

/// Why a capped read gave nothing.
#[derive(Debug)]
pub enum CappedError {
    /// The source said more than the cap.
    TooLarge {
        /// The cap, in bytes.
        cap: usize,
    },
    /// The source could not be read.
    Io(std::io::Error),
}

impl std::fmt::Display for CappedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CappedError::TooLarge { cap } => write!(
                f,
                "it is larger than the {} cap ({cap} bytes), so nothing of it was used",
                human_bytes(*cap)
            ),
            CappedError::Io(e) => write!(f, "cannot read it: {e}"),
        }
    }
}

fn checked(bytes: Vec<u8>, cap: usize) -> Result<Vec<u8>, CappedError> {
    if bytes.len() > cap {
        return Err(CappedError::TooLarge { cap });
    }
    Ok(bytes)
}

/// Everything `reader` holds, when that is at most `cap` bytes.
pub fn read(reader: impl Read, cap: usize) -> Result<Vec<u8>, CappedError> {
    let mut bytes = Vec::new();
    reader
        .take(cap as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(CappedError::Io)?;
    checked(bytes, cap)
}

/// The file at `path`, when it holds at most `cap` bytes. A file that is absent is
/// `Io` with [`std::io::ErrorKind::NotFound`].
pub fn file(path: &std::path::Path, cap: usize) -> Result<Vec<u8>, CappedError> {
    read(std::fs::File::open(path).map_err(CappedError::Io)?, cap)
}

/// [`file`] as UTF-8 text.
pub fn text_file(path: &std::path::Path, cap: usize) -> Result<String, CappedError> {
    String::from_utf8(file(path, cap)?).map_err(|_| {
        CappedError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is not UTF-8 text",
        ))
    })
}

/// Everything `reader` (a pipe) says until it closes, when that is at most `cap` bytes;
/// past the cap it returns at once, without waiting for the end.
pub async fn read_async(
    reader: impl tokio::io::AsyncRead + Unpin,
    cap: usize,
) -> Result<Vec<u8>, CappedError> {
    let mut bytes = Vec::new();
    reader
        .take(cap as u64 + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(CappedError::Io)?;
    checked(bytes, cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_without_end_costs_the_cap_and_is_an_error_naming_it() {
        let endless = std::io::repeat(b'x');
        let e = read(endless, 1024).unwrap_err();
        assert!(e.to_string().contains("1 KiB cap (1024 bytes)"), "{e}");
        assert_eq!(read(&b"abc"[..], 3).unwrap(), b"abc");
        assert!(matches!(
            read(&b"abcd"[..], 3),
            Err(CappedError::TooLarge { cap: 3 })
        ));
    }
}
