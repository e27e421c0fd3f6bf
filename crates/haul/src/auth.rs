//! Where the Hub token comes from, in the Python client's order: given explicitly, `HF_TOKEN`, then the
//! token file (`HF_TOKEN_PATH`). The token is wrapped so it cannot reach a log or an error by accident.

use std::fmt;
use std::path::Path;

use serde::Serialize;

/// A Hub access token. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(secret: impl Into<String>) -> Option<Token> {
        let secret = secret.into().trim().to_string();
        (!secret.is_empty()).then_some(Token(secret))
    }

    /// The secret itself, only for the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Which source supplied the token in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenSource {
    Explicit,
    Environment,
    TokenFile,
}

/// Picks the token by precedence. `env_token` is `HF_TOKEN` as read by the caller.
pub fn resolve_token(
    explicit: Option<&str>,
    env_token: Option<&str>,
    token_path: &Path,
) -> Option<(Token, TokenSource)> {
    if let Some(t) = explicit.and_then(Token::new) {
        return Some((t, TokenSource::Explicit));
    }
    if let Some(t) = env_token.and_then(Token::new) {
        return Some((t, TokenSource::Environment));
    }
    let text = std::fs::read_to_string(token_path).ok()?;
    Token::new(text).map(|t| (t, TokenSource::TokenFile))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_redaction() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "hf_file\n").unwrap();
        assert_eq!(
            resolve_token(Some("hf_x"), Some("hf_env"), &file)
                .unwrap()
                .1,
            TokenSource::Explicit
        );
        assert_eq!(
            resolve_token(None, Some("hf_env"), &file).unwrap().1,
            TokenSource::Environment
        );
        let (token, source) = resolve_token(None, None, &file).unwrap();
        assert_eq!(
            (token.expose(), source),
            ("hf_file", TokenSource::TokenFile)
        );
        assert_eq!(format!("{token:?} {token}"), "Token(***) ***");
        assert!(resolve_token(None, Some("  "), &dir.path().join("none")).is_none());
    }
}
