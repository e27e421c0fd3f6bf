//! Secrets never reach a log line: every line is rewritten, just before it is written, with Hub tokens
//! (`hf_…`), `Authorization` values, `Bearer …` credentials, `token=` query parameters, the value of a
//! `--token` argument and passwords in URLs (`://user:password@`) replaced by `***`. This runs on the finished line, so it holds whatever
//! code logged it and whatever format (text or JSON) it is in.

use std::borrow::Cow;
use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;

/// What replaces a secret.
const MASK: &str = "***";

/// `line` with every secret masked; borrowed when there was none.
pub fn redact(line: &str) -> Cow<'_, str> {
    let lower = line.to_ascii_lowercase();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < line.len() {
        if let Some((keep, end)) = secret_at(line.as_bytes(), lower.as_bytes(), i) {
            out.push_str(&line[copied..keep]);
            out.push_str(MASK);
            copied = end;
            i = end;
        } else {
            i += line[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if copied == 0 {
        return Cow::Borrowed(line);
    }
    out.push_str(&line[copied..]);
    Cow::Owned(out)
}

/// A secret starting at `i`: where the kept prefix ends (the secret starts) and where the secret ends.
fn secret_at(bytes: &[u8], lower: &[u8], i: usize) -> Option<(usize, usize)> {
    let rest = &lower[i..];
    if rest.starts_with(b"hf_") && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
        let start = i + 3;
        let end = run(bytes, start, |b| {
            b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
        });
        let word = &bytes[start..end];
        // Hub tokens are long and mixed; `hf_hub_download` or `hf_home` are not secrets.
        let mixed = word
            .iter()
            .any(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        return (end - start >= 8 && mixed).then_some((start, end));
    }
    if rest.starts_with(b"--token")
        && !bytes
            .get(i + 7)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-')
    {
        // `--token VALUE`, `--token=VALUE`, and a debug-printed argument list `"--token", "VALUE"`.
        let start = skip(bytes, i + 7, |b| {
            matches!(b, b' ' | b'=' | b'"' | b'\'' | b',')
        });
        return credential(bytes, start);
    }
    if rest.starts_with(b"bearer ") && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
        return credential(bytes, i + 7);
    }
    if rest.starts_with(b"authorization") {
        let mut j = skip(bytes, i + 13, |b| b == b'"' || b == b'\'' || b == b' ');
        if !matches!(bytes.get(j), Some(b':' | b'=')) {
            return None;
        }
        j = skip(bytes, j + 1, |b| b == b' ' || b == b'"' || b == b'\'');
        // `Basic …`, `Token …`: the scheme word stays, the credential after it goes.
        for scheme in [&b"bearer "[..], b"basic ", b"token "] {
            if lower[j..].starts_with(scheme) {
                return credential(bytes, j + scheme.len());
            }
        }
        return credential(bytes, j);
    }
    if rest.starts_with(b"token=") {
        let start = i + 6;
        let end = run(bytes, start, |b| is_value(b) && b != b'&' && b != b';');
        return (end > start && !bytes[start..].starts_with(MASK.as_bytes()))
            .then_some((start, end));
    }
    if rest.starts_with(b"://") {
        // `scheme://user:password@host`: the userinfo ends at `@` before any `/`.
        let start = i + 3;
        let userinfo_end = run(bytes, start, |b| is_value(b) && b != b'/' && b != b'@');
        if bytes.get(userinfo_end) == Some(&b'@') {
            let colon = bytes[start..userinfo_end].iter().position(|&b| b == b':')?;
            let secret = start + colon + 1;
            return (userinfo_end > secret && &bytes[secret..userinfo_end] != MASK.as_bytes())
                .then_some((secret, userinfo_end));
        }
    }
    None
}

/// The credential starting at `from` (after spaces), unless it is already masked.
fn credential(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let start = skip(bytes, from, |b| b == b' ');
    let end = run(bytes, start, is_value);
    (end > start && !bytes[start..].starts_with(MASK.as_bytes())).then_some((start, end))
}

/// Bytes that can belong to a credential in a log line (stops at spaces, quotes and punctuation that
/// closes a field).
fn is_value(b: u8) -> bool {
    !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\'' | b',' | b')' | b']' | b'}' | b'\\')
}

fn run(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| !keep(b))
        .map_or(bytes.len(), |n| from + n)
}

fn skip(bytes: &[u8], from: usize, skip: impl Fn(u8) -> bool) -> usize {
    run(bytes, from, skip)
}

/// A [`MakeWriter`] whose writers mask secrets in everything written through them. The formatter
/// writes one whole event per call, so a secret is never split between two writes.
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

pub struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn secrets_are_masked() {
        let cases = [
            (
                "using token hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 now",
                "using token hf_*** now",
            ),
            ("t=hf_erin_explicit_0001,", "t=hf_***,"),
            (
                r#"headers: {"authorization": "Bearer hf_secret_Value_1"}"#,
                r#"headers: {"authorization": "Bearer ***"}"#,
            ),
            (
                "Authorization: Basic dXNlcjpwYXNz",
                "Authorization: Basic ***",
            ),
            ("authorization=opaque-secret next", "authorization=*** next"),
            (
                "GET https://cdn.example/x?download=1&token=abc.DEF-123&y=2",
                "GET https://cdn.example/x?download=1&token=***&y=2",
            ),
            (
                "proxy http://bob:s3cret@proxy.local:3128/",
                "proxy http://bob:***@proxy.local:3128/",
            ),
            (
                r#"args ["haul", "--token", "opaque", "-v"]"#,
                r#"args ["haul", "--token", "***", "-v"]"#,
            ),
            ("haul --token=opaque -v", "haul --token=*** -v"),
            ("haul --token opaque", "haul --token ***"),
            (
                r#"{"fields":{"message":"hf_ZZZZZZZZZZZZZZZZ1"}}"#,
                r#"{"fields":{"message":"hf_***"}}"#,
            ),
        ];
        for (line, want) in cases {
            assert_eq!(redact(line), want, "{line}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for line in [
            "wrote /h/.cache/huggingface/hub/models--org--m/blobs/abc",
            "hf_hub_download and HF_HOME and hf_transfer",
            "token source: the OS keyring",
            "haul auth login --token-file",
            "http://127.0.0.1:8080/api/models/org/m",
            "Bearer ***",
            "élan hf_ünïcode 日本語",
        ] {
            assert_eq!(redact(line), line);
        }
    }
}
