//! Where the Hub token comes from, and where `haul auth login` keeps it. The order of precedence is
//! the Python client's with the OS keyring in between: given explicitly (`--token`), `HF_TOKEN`, the
//! OS keyring (Secret Service, Keychain, Credential Manager; one entry per endpoint host), then the HF
//! token file (`HF_TOKEN_PATH`, by default `$HF_HOME/token`).
//!
//! The token is wrapped in [`Token`] so it cannot reach a log, an error or JSON output by accident.
//! Reading the keyring never hangs and never fails a command: a keyring that cannot be reached counts
//! as "no token there" (logged at debug level); only `haul auth login`/`logout` report it.

mod keyring;
mod token_file;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use self::keyring::{KEYRING_SERVICE, KeyringError, TokenStore};
pub use self::token_file::{read_token_file, remove_token_file, write_token_file};

use crate::config::Config;
use crate::hub::{HubClient, HubError, WhoAmI};

/// A Hub access token. `Debug` and `Display` never show it; it is not `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token from text, trimmed; `None` when it is empty or could not be sent in a header.
    pub fn new(secret: impl Into<String>) -> Option<Token> {
        Token::parse(secret).ok()
    }

    /// Like [`Token::new`], saying what is wrong with the text (without repeating it).
    pub fn parse(secret: impl Into<String>) -> Result<Token, AuthError> {
        let secret = secret.into();
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(AuthError::BadToken("it is empty"));
        }
        if !secret.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AuthError::BadToken(
                "it contains spaces, line breaks or characters other than printable ASCII",
            ));
        }
        Ok(Token(secret.to_string()))
    }

    /// The secret itself, only for the `Authorization` header and the token stores.
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
    /// `--token`.
    Explicit,
    /// `HF_TOKEN`.
    Environment,
    /// The OS keyring entry for the endpoint.
    Keyring,
    /// The HF token file (`HF_TOKEN_PATH`).
    TokenFile,
}

impl TokenSource {
    /// The source in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            TokenSource::Explicit => "--token",
            TokenSource::Environment => "HF_TOKEN",
            TokenSource::Keyring => "the OS keyring",
            TokenSource::TokenFile => "the HF token file",
        }
    }
}

/// What went wrong with a token or a token store. Never carries the token.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "{source}. On a desktop, start and unlock your keyring (GNOME Keyring, KWallet); on a headless machine run `haul auth login --token-file` to keep the token in the HF token file {} (readable only by you) instead, or set HF_TOKEN",
        .token_path.display()
    )]
    NoKeyring {
        source: KeyringError,
        token_path: PathBuf,
    },
    #[error("the OS keyring failed: {0}")]
    Keyring(KeyringError),
    #[error("cannot {action} the token file {}: {reason}", .path.display())]
    TokenFile {
        action: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error(
        "no token: none from --token, HF_TOKEN, the OS keyring or the token file {}; run `haul auth login`",
        .token_path.display()
    )]
    NotLoggedIn { token_path: PathBuf },
    #[error(
        "the Hub at {endpoint} refused this token (invalid credentials), so nothing was stored: copy a token from {endpoint}/settings/tokens and try again"
    )]
    Rejected { endpoint: String },
    #[error("that is not a Hub token: {0}")]
    BadToken(&'static str),
    #[error(
        "HF_HUB_OFFLINE is set, so the token cannot be checked with the Hub: unset it and try again"
    )]
    Offline,
}

impl AuthError {
    /// Whether this is a problem of the input (a malformed token) rather than of authentication.
    pub fn is_input(&self) -> bool {
        matches!(self, AuthError::BadToken(_) | AuthError::Offline)
    }

    /// Whether this is a problem of writing to disk.
    pub fn is_disk(&self) -> bool {
        matches!(self, AuthError::TokenFile { .. })
    }
}

/// Picks the token by precedence: `explicit`, then `env_token` (`HF_TOKEN` as read by the caller),
/// then the keyring entry (`None` skips the keyring), then the token file at `token_path`.
/// A keyring that cannot be reached is skipped quietly (debug log).
pub fn resolve_token(
    explicit: Option<&str>,
    env_token: Option<&str>,
    keyring: Option<&TokenStore>,
    token_path: &Path,
) -> Option<(Token, TokenSource)> {
    if let Some(t) = explicit.and_then(Token::new) {
        return Some((t, TokenSource::Explicit));
    }
    if let Some(t) = env_token.and_then(Token::new) {
        return Some((t, TokenSource::Environment));
    }
    if let Some(store) = keyring {
        match store.get() {
            Ok(Some(t)) => return Some((t, TokenSource::Keyring)),
            Ok(None) => {}
            Err(e @ KeyringError::TimedOut(_)) => {
                tracing::warn!("skipping the OS keyring: {e}");
            }
            Err(e) => tracing::debug!("skipping the OS keyring: {e}"),
        }
    }
    read_token_file(token_path).map(|t| (t, TokenSource::TokenFile))
}

/// The keyring entry for the configured endpoint.
pub fn keyring_for(config: &Config) -> TokenStore {
    TokenStore::for_endpoint(&config.endpoint)
}

/// [`resolve_token`] with the configured endpoint's keyring entry and token file. Offline, the
/// keyring is not consulted: no request is made, so no token is needed.
pub fn resolve(
    config: &Config,
    explicit: Option<&str>,
    env_token: Option<&str>,
) -> Option<(Token, TokenSource)> {
    let store = (!config.offline).then(|| keyring_for(config));
    let found = resolve_token(explicit, env_token, store.as_ref(), &config.token_path);
    match &found {
        Some((_, source)) => tracing::debug!("using the token from {}", source.describe()),
        None => tracing::debug!("no token: requests are anonymous"),
    }
    found
}

/// Asks the Hub who `token` belongs to (`/api/whoami-v2`). A refused token is
/// [`AuthError::Rejected`]; other failures are the Hub client's errors.
pub async fn whoami(config: &Config, token: &Token) -> Result<WhoAmI, crate::Error> {
    if config.offline {
        return Err(AuthError::Offline.into());
    }
    let client = HubClient::new(config, Some(token.clone()))?;
    match client.whoami().await {
        Ok(who) => Ok(who),
        Err(HubError::InvalidToken) => Err(AuthError::Rejected {
            endpoint: client.endpoint().to_string(),
        }
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// Where `haul auth login` put the token.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "store", rename_all = "snake_case")]
pub enum StoredIn {
    Keyring { service: String, account: String },
    TokenFile { path: PathBuf },
}

/// Saves a token (already checked with [`whoami`]) in the OS keyring entry of the endpoint.
/// A keyring that cannot be reached is [`AuthError::NoKeyring`], which says what to do instead.
pub fn store_in_keyring(config: &Config, token: &Token) -> Result<StoredIn, AuthError> {
    let store = keyring_for(config);
    store.set(token).map_err(|e| keyring_error(config, e))?;
    Ok(StoredIn::Keyring {
        service: store.service().to_string(),
        account: store.account().to_string(),
    })
}

/// Saves a token in the HF token file (mode 0600, replaced atomically).
pub fn store_in_token_file(config: &Config, token: &Token) -> Result<StoredIn, AuthError> {
    write_token_file(&config.token_path, token).map_err(|e| AuthError::TokenFile {
        action: "write",
        path: config.token_path.clone(),
        reason: e.to_string(),
    })?;
    Ok(StoredIn::TokenFile {
        path: config.token_path.clone(),
    })
}

/// Removes the endpoint's keyring entry; `Ok(false)` when there was none.
pub fn remove_from_keyring(config: &Config) -> Result<bool, AuthError> {
    keyring_for(config)
        .delete()
        .map_err(|e| keyring_error(config, e))
}

/// Removes the HF token file; `Ok(false)` when there was none.
pub fn remove_from_token_file(config: &Config) -> Result<bool, AuthError> {
    remove_token_file(&config.token_path).map_err(|e| AuthError::TokenFile {
        action: "remove",
        path: config.token_path.clone(),
        reason: e.to_string(),
    })
}

fn keyring_error(config: &Config, error: KeyringError) -> AuthError {
    if error.is_unavailable() {
        AuthError::NoKeyring {
            source: error,
            token_path: config.token_path.clone(),
        }
    } else {
        AuthError::Keyring(error)
    }
}

/// What the OS keyring holds for the endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum KeyringState {
    Present,
    Absent,
    Unavailable { reason: String },
    NotConsulted,
}

/// Every token source, in order of precedence, and the one in use. Holds no token.
#[derive(Clone, Debug, Serialize)]
pub struct AuthStatus {
    pub endpoint: String,
    /// The source in use, or `None` when requests are anonymous.
    pub source: Option<TokenSource>,
    pub explicit: bool,
    pub environment: bool,
    pub keyring_service: String,
    pub keyring_account: String,
    pub keyring: KeyringState,
    pub token_file: PathBuf,
    pub token_file_present: bool,
}

/// Looks at every source without asking the Hub anything.
pub fn status(config: &Config, explicit: Option<&str>, env_token: Option<&str>) -> AuthStatus {
    let store = keyring_for(config);
    let explicit = explicit.and_then(Token::new).is_some();
    let environment = env_token.and_then(Token::new).is_some();
    let keyring = if config.offline {
        KeyringState::NotConsulted
    } else {
        match store.get() {
            Ok(Some(_)) => KeyringState::Present,
            Ok(None) => KeyringState::Absent,
            Err(e) => KeyringState::Unavailable {
                reason: e.to_string(),
            },
        }
    };
    let token_file_present = read_token_file(&config.token_path).is_some();
    let source = if explicit {
        Some(TokenSource::Explicit)
    } else if environment {
        Some(TokenSource::Environment)
    } else if keyring == KeyringState::Present {
        Some(TokenSource::Keyring)
    } else if token_file_present {
        Some(TokenSource::TokenFile)
    } else {
        None
    };
    AuthStatus {
        endpoint: config.endpoint_str().to_string(),
        source,
        explicit,
        environment,
        keyring_service: store.service().to_string(),
        keyring_account: store.account().to_string(),
        keyring,
        token_file: config.token_path.clone(),
        token_file_present,
    }
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
            resolve_token(Some("hf_x"), Some("hf_env"), None, &file)
                .unwrap()
                .1,
            TokenSource::Explicit
        );
        assert_eq!(
            resolve_token(None, Some("hf_env"), None, &file).unwrap().1,
            TokenSource::Environment
        );
        let (token, source) = resolve_token(None, None, None, &file).unwrap();
        assert_eq!(
            (token.expose(), source),
            ("hf_file", TokenSource::TokenFile)
        );
        assert_eq!(format!("{token:?} {token}"), "Token(***) ***");
        assert!(resolve_token(None, Some("  "), None, &dir.path().join("none")).is_none());
    }

    #[test]
    fn tokens_must_fit_a_header() {
        assert_eq!(Token::parse(" hf_abc\n").unwrap().expose(), "hf_abc");
        for bad in ["", "  \n", "hf_a hf_b", "hf_\u{e9}", "hf_a\nhf_b"] {
            let err = Token::parse(bad).unwrap_err();
            assert!(matches!(err, AuthError::BadToken(_)), "{bad:?}: {err}");
        }
    }

    #[test]
    fn errors_name_the_way_out_and_never_the_token() {
        let err = AuthError::NoKeyring {
            source: KeyringError::Unavailable {
                reason: "no D-Bus session".into(),
            },
            token_path: "/h/.cache/huggingface/token".into(),
        };
        let text = err.to_string();
        assert!(
            text.contains("no OS keyring is available")
                && text.contains("--token-file")
                && text.contains("/h/.cache/huggingface/token")
                && text.contains("HF_TOKEN"),
            "{text}"
        );
    }
}
