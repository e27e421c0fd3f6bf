//! The OS keyring: can Haul reach it, and does it hold a token for this endpoint?

use std::time::Duration;

use super::Check;
use crate::auth::{KeyringError, TokenStore};
use crate::config::Config;

/// Long enough for a keyring under load; a locked one waiting for a prompt gives up here.
const TIMEOUT: Duration = Duration::from_secs(5);

pub(super) async fn keyring(config: &Config) -> Check {
    const NAME: &str = "keyring";
    let store = TokenStore::for_endpoint(&config.endpoint).with_timeout(TIMEOUT);
    let account = store.account().to_string();
    // The keyring's calls block: off the async workers.
    let outcome = tokio::task::spawn_blocking(move || store.get())
        .await
        .unwrap_or_else(|e| Err(KeyringError::Other(e.to_string())));
    match outcome {
        Ok(Some(_)) => Check::ok(NAME, format!("works; holds a token for {account}")),
        Ok(None) => Check::ok(NAME, format!("works; no token stored for {account}")),
        Err(e) if e.is_unavailable() => Check::warning(
            NAME,
            e.to_string(),
            "start and unlock your keyring (GNOME Keyring, KWallet), or keep the token in the HF token file: `haul auth login --token-file`",
        ),
        Err(e @ KeyringError::Ambiguous { .. }) => Check::error(
            NAME,
            e.to_string(),
            format!(
                "remove the extra entries with your keyring tool (service 'haul', account '{account}'), then `haul auth login`"
            ),
        ),
        Err(e) => Check::error(NAME, e.to_string(), "run `haul auth login` again"),
    }
}
