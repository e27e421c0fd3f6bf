//! The endpoint (reachable, and answering like a Hub) and the token in use (accepted, and whose).

use super::{Check, DoctorOptions};
use crate::auth::{self, AuthError, TokenSource};
use crate::config::Config;
use crate::hub::{HubClient, HubError};

const FIX_ENDPOINT: &str = "set HF_ENDPOINT (or `haul config set endpoint URL`) to a Hugging Face Hub or a mirror of it, e.g. https://huggingface.co";

pub(super) async fn endpoint(config: &Config) -> Check {
    const NAME: &str = "endpoint";
    let url = config.endpoint_str();
    if config.offline {
        return Check::warning(
            NAME,
            format!("{url} not checked: HF_HUB_OFFLINE is set"),
            "unset HF_HUB_OFFLINE to let Haul (and doctor) reach the Hub",
        );
    }
    let client = match HubClient::new(config, None) {
        Ok(client) => client,
        Err(e) => {
            return Check::error(
                NAME,
                e.to_string(),
                "check the `proxy` setting and HTTPS_PROXY",
            );
        }
    };
    match client.probe().await {
        Err(HubError::Network { reason, .. }) => Check::error(
            NAME,
            format!("cannot reach {url}: {reason}"),
            "check the network and any proxy (HTTPS_PROXY, `haul config get proxy`), and that HF_ENDPOINT is right",
        ),
        Err(e) => Check::error(NAME, e.to_string(), FIX_ENDPOINT),
        Ok(answer) if answer.looks_like_hub() => Check::ok(
            NAME,
            format!(
                "{url} answers like a Hub ({} ms)",
                answer.elapsed.as_millis()
            ),
        ),
        Ok(answer) if answer.status >= 500 => Check::error(
            NAME,
            format!("{url} answered {} to {}", answer.status, answer.url),
            "the Hub may be down: try again later, or check HF_ENDPOINT",
        ),
        Ok(answer) => {
            let kind = if answer.content_type.is_empty() {
                "no content type".to_string()
            } else {
                answer.content_type.clone()
            };
            Check::error(
                NAME,
                format!(
                    "{url} is not a Hub: {} answered {} with {kind} instead of the Hub's JSON",
                    answer.url, answer.status
                ),
                FIX_ENDPOINT,
            )
        }
    }
}

pub(super) async fn token(config: &Config, options: DoctorOptions<'_>, hub_answers: bool) -> Check {
    const NAME: &str = "token";
    let Some((token, source)) = auth::resolve(config, options.explicit_token, options.env_token)
    else {
        return Check::ok(
            NAME,
            "none: requests are anonymous, so private and gated repositories are out of reach (`haul auth login` adds a token)",
        );
    };
    let from = from(source);
    if !hub_answers {
        return Check::warning(
            NAME,
            format!("a token {from} was not checked: the endpoint does not answer like a Hub"),
            "fix the endpoint first, then run `haul doctor` again",
        );
    }
    match auth::whoami(config, &token).await {
        Ok(who) => {
            let kind = if who.kind.is_empty() {
                String::new()
            } else {
                format!(" ({})", who.kind)
            };
            Check::ok(NAME, format!("valid: {}{kind}, {from}", who.name))
        }
        Err(crate::Error::Auth(AuthError::Rejected { .. }))
        | Err(crate::Error::Hub(HubError::InvalidToken)) => Check::error(
            NAME,
            format!("the Hub refuses the token {from} (invalid credentials)"),
            rejected_fix(source, config),
        ),
        Err(e) => Check::warning(
            NAME,
            format!("a token {from} could not be checked: {e}"),
            "run `haul doctor` again once the Hub answers",
        ),
    }
}

fn from(source: TokenSource) -> String {
    match source {
        TokenSource::Explicit => "from --token".into(),
        TokenSource::Environment => "from HF_TOKEN".into(),
        TokenSource::Keyring => "from the OS keyring".into(),
        TokenSource::TokenFile => "from the HF token file".into(),
    }
}

fn rejected_fix(source: TokenSource, config: &Config) -> String {
    let new = format!(
        "copy a new token from {}/settings/tokens",
        config.endpoint_str()
    );
    match source {
        TokenSource::Explicit => format!("{new} and pass it instead"),
        TokenSource::Environment => format!("{new} into HF_TOKEN, or unset HF_TOKEN"),
        TokenSource::Keyring => format!("{new} and run `haul auth login`, or `haul auth logout`"),
        TokenSource::TokenFile => format!(
            "{new} and run `haul auth login --token-file`, or `haul auth logout --token-file` to remove {}",
            config.token_path.display()
        ),
    }
}
