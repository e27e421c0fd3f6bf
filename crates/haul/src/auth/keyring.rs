//! The OS keyring entry that holds a Hub token: service `haul`, account = the endpoint's host (with
//! its port and path when it has them), so a mirror's token is kept apart from the Hub's.
//!
//! On Linux this is the Secret Service (GNOME Keyring, KWallet) reached over D-Bus by the `keyring`
//! crate's zbus backend: pure Rust, so there is no libdbus to link and no X11 "autolaunch" of a bus
//! on a headless machine. Every call runs on a thread of its own and is given up after a timeout:
//! the backend's blocking calls must not run on a tokio worker (they would deadlock), and a keyring
//! that waits for an unlock prompt nobody will answer must not hang a download.

use std::time::Duration;

use url::Url;

use super::Token;

/// The service name of Haul's keyring entries.
pub const KEYRING_SERVICE: &str = "haul";

/// How long a keyring call may take before it counts as "no keyring".
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the keyring could not be used. Never carries the token.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// No Secret Service (no D-Bus session, no keyring daemon, a locked keyring).
    #[error("no OS keyring is available ({reason})")]
    Unavailable { reason: String },
    /// The keyring did not answer in time (typically: locked, waiting for a password prompt).
    #[error(
        "the OS keyring did not answer within {0:?} (it may be locked and waiting for a password prompt)"
    )]
    TimedOut(Duration),
    /// Several entries match (made by another tool); Haul will not guess which one.
    #[error(
        "the OS keyring holds {count} entries for service '{service}' and account '{account}'; remove them with your keyring tool (e.g. `secret-tool clear service {service} username {account}`) and log in again"
    )]
    Ambiguous {
        count: usize,
        service: String,
        account: String,
    },
    /// The entry holds something that is not a token.
    #[error(
        "the OS keyring entry for service '{service}' and account '{account}' does not hold a usable token; run `haul auth login` again"
    )]
    BadEntry { service: String, account: String },
    /// Anything else the keyring reported.
    #[error("{0}")]
    Other(String),
}

impl KeyringError {
    /// Whether this means "there is no usable keyring here", as opposed to a problem with the entry.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            KeyringError::Unavailable { .. } | KeyringError::TimedOut(_)
        )
    }
}

/// One keyring entry for one endpoint.
#[derive(Clone, Debug)]
pub struct TokenStore {
    service: String,
    account: String,
    timeout: Duration,
}

impl TokenStore {
    /// The entry for `endpoint`: `huggingface.co`, `127.0.0.1:8080`, `mirror.example/hf`.
    pub fn for_endpoint(endpoint: &Url) -> TokenStore {
        TokenStore::new(KEYRING_SERVICE, &account_for(endpoint))
    }

    /// An entry with any service and account name.
    pub fn new(service: &str, account: &str) -> TokenStore {
        TokenStore {
            service: service.to_string(),
            account: account.to_string(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// How long each call may take before it fails with [`KeyringError::TimedOut`].
    pub fn with_timeout(mut self, timeout: Duration) -> TokenStore {
        self.timeout = timeout;
        self
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    /// The stored token; `Ok(None)` when there is no entry.
    pub fn get(&self) -> Result<Option<Token>, KeyringError> {
        let (service, account) = (self.service.clone(), self.account.clone());
        self.call(move || {
            let entry = entry(&service, &account)?;
            match entry.get_password() {
                Ok(text) => Token::new(text).map(Some).ok_or(KeyringError::BadEntry {
                    service: service.clone(),
                    account: account.clone(),
                }),
                Err(::keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(map_error(e, &service, &account)),
            }
        })
    }

    /// Stores `token`, replacing what the entry held.
    pub fn set(&self, token: &Token) -> Result<(), KeyringError> {
        let (service, account) = (self.service.clone(), self.account.clone());
        let token = token.clone();
        self.call(move || {
            entry(&service, &account)?
                .set_password(token.expose())
                .map_err(|e| map_error(e, &service, &account))
        })
    }

    /// Removes the entry; `Ok(false)` when there was none.
    pub fn delete(&self) -> Result<bool, KeyringError> {
        let (service, account) = (self.service.clone(), self.account.clone());
        self.call(
            move || match entry(&service, &account)?.delete_credential() {
                Ok(()) => Ok(true),
                Err(::keyring::Error::NoEntry) => Ok(false),
                Err(e) => Err(map_error(e, &service, &account)),
            },
        )
    }

    /// Runs `f` on a thread of its own and waits at most the timeout. A call that times out is
    /// abandoned (its thread ends with the process); a panic in the backend becomes an error.
    fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, KeyringError> + Send + 'static,
    ) -> Result<T, KeyringError> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("haul-keyring".into())
            .spawn(move || {
                let _ = tx.send(f());
            })
            .map_err(|e| KeyringError::Other(format!("cannot start a thread: {e}")))?;
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                Err(KeyringError::TimedOut(self.timeout))
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(KeyringError::Other(
                "the keyring backend stopped unexpectedly".into(),
            )),
        }
    }
}

/// The account name of an endpoint's entry: host, `:port` when not the scheme's default, and the
/// path when the endpoint has one.
fn account_for(endpoint: &Url) -> String {
    let mut account = endpoint.host_str().unwrap_or("").to_ascii_lowercase();
    if let Some(port) = endpoint.port() {
        account.push_str(&format!(":{port}"));
    }
    let path = endpoint.path().trim_end_matches('/');
    if !path.is_empty() {
        account.push_str(path);
    }
    account
}

fn entry(service: &str, account: &str) -> Result<::keyring::Entry, KeyringError> {
    ::keyring::Entry::new(service, account).map_err(|e| map_error(e, service, account))
}

fn map_error(error: ::keyring::Error, service: &str, account: &str) -> KeyringError {
    use ::keyring::Error as E;
    match error {
        // Could not connect to D-Bus, no Secret Service on the bus, a locked collection, a prompt
        // that was dismissed: all of them mean there is no keyring to use here.
        E::PlatformFailure(e) | E::NoStorageAccess(e) => KeyringError::Unavailable {
            reason: one_line(&e.to_string()),
        },
        E::Ambiguous(items) => KeyringError::Ambiguous {
            count: items.len(),
            service: service.to_string(),
            account: account.to_string(),
        },
        E::BadEncoding(_) => KeyringError::BadEntry {
            service: service.to_string(),
            account: account.to_string(),
        },
        other => KeyringError::Other(one_line(&other.to_string())),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_endpoint() {
        let account = |u: &str| account_for(&Url::parse(u).unwrap());
        assert_eq!(account("https://huggingface.co"), "huggingface.co");
        assert_eq!(account("https://HuggingFace.co/"), "huggingface.co");
        assert_eq!(account("https://huggingface.co:443"), "huggingface.co");
        assert_eq!(account("http://127.0.0.1:8080/"), "127.0.0.1:8080");
        assert_eq!(account("https://mirror.example/hf/"), "mirror.example/hf");
        let store = TokenStore::for_endpoint(&Url::parse("https://hf-mirror.com").unwrap());
        assert_eq!(
            (store.service(), store.account()),
            ("haul", "hf-mirror.com")
        );
    }

    #[test]
    fn a_call_that_hangs_is_given_up() {
        let store = TokenStore::new("haul-test", "x").with_timeout(Duration::from_millis(50));
        let err = store
            .call(|| {
                std::thread::sleep(Duration::from_secs(5));
                Ok(())
            })
            .unwrap_err();
        assert!(matches!(err, KeyringError::TimedOut(_)), "{err}");
        assert!(err.is_unavailable());
        let store = store.with_timeout(Duration::from_secs(30));
        let err = store.call::<()>(|| panic!("backend bug")).unwrap_err();
        assert!(matches!(err, KeyringError::Other(_)), "{err}");
    }
}
