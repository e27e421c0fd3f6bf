//! `haul auth`: log in (a token from a hidden prompt or stdin, checked with the Hub, kept in the OS
//! keyring or, when asked, the HF token file), log out, who am I, and which token source is in use.
//! The token itself is never printed, in text or JSON.

use std::io::{BufRead, IsTerminal, Read, Write};

use haul::auth::{self, AuthError, AuthStatus, KeyringState, StoredIn, TokenSource};
use haul::{Config, Token};
use serde_json::json;

use crate::cli::{AuthArgs, AuthCommand, LoginArgs, LogoutArgs, TokenArgs};
use crate::output::json;

pub async fn run(config: Config, args: AuthArgs) -> Result<(), haul::Error> {
    match args.command {
        AuthCommand::Login(a) => login(&config, a).await,
        AuthCommand::Logout(a) => logout(&config, a),
        AuthCommand::Whoami(a) => whoami(&config, a).await,
        AuthCommand::Status(a) => status(&config, a),
    }
}

/// `HF_TOKEN` as the Python client reads it.
fn env_token() -> Option<String> {
    std::env::var("HF_TOKEN").ok()
}

/// The longest token text read from stdin; Hub tokens are under 100 characters.
const MAX_TOKEN_INPUT: u64 = 4096;

fn read_token(config: &Config, from_stdin: bool) -> Result<Token, haul::Error> {
    let text = if from_stdin || !std::io::stdin().is_terminal() {
        let mut text = String::new();
        std::io::stdin()
            .take(MAX_TOKEN_INPUT)
            .read_to_string(&mut text)
            .map_err(|_| AuthError::BadToken("stdin could not be read as text"))?;
        text
    } else {
        eprintln!(
            "Paste a token from {}/settings/tokens (input is hidden).",
            config.endpoint_str()
        );
        rpassword::prompt_password("Token: ")
            .map_err(|_| AuthError::BadToken("the terminal could not be read"))?
    };
    Ok(Token::parse(text)?)
}

/// Asks a yes/no question on the terminal; anything but yes is no.
fn confirm(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

fn describe_store(stored: &StoredIn) -> String {
    match stored {
        StoredIn::Keyring { service, account } => {
            format!("the OS keyring (service '{service}', account '{account}')")
        }
        StoredIn::TokenFile { path } => {
            format!(
                "the HF token file {} (readable only by you)",
                path.display()
            )
        }
    }
}

async fn login(config: &Config, args: LoginArgs) -> Result<(), haul::Error> {
    let interactive = !args.token_stdin && std::io::stdin().is_terminal();
    let token = read_token(config, args.token_stdin)?;
    // Checked before anything is stored: a refused token is never kept.
    let who = auth::whoami(config, &token).await?;
    let stored = if args.token_file {
        auth::store_in_token_file(config, &token)?
    } else {
        match auth::store_in_keyring(config, &token) {
            Ok(stored) => stored,
            Err(AuthError::NoKeyring { source, token_path }) => {
                if !interactive {
                    return Err(AuthError::NoKeyring { source, token_path }.into());
                }
                eprintln!("{source}.");
                if !confirm(&format!(
                    "Write the token to the HF token file {} (readable only by you) instead?",
                    token_path.display()
                )) {
                    return Err(AuthError::NoKeyring { source, token_path }.into());
                }
                auth::store_in_token_file(config, &token)?
            }
            Err(e) => return Err(e.into()),
        }
    };
    let shadowed_by_env = env_token().and_then(Token::new).is_some();
    if args.json {
        json::line(
            "login",
            &json!({ "user": who.name, "endpoint": config.endpoint_str(), "stored_in": stored,
                     "hf_token_takes_precedence": shadowed_by_env }),
        );
    } else {
        eprintln!(
            "Logged in to {} as {}. The token is in {}.",
            config.endpoint_str(),
            who.name,
            describe_store(&stored)
        );
        if shadowed_by_env {
            eprintln!("Note: HF_TOKEN is set and takes precedence over the stored token.");
        }
    }
    Ok(())
}

fn logout(config: &Config, args: LogoutArgs) -> Result<(), haul::Error> {
    let keyring = auth::keyring_for(config);
    let removed_keyring = match auth::remove_from_keyring(config) {
        Ok(removed) => Some(removed),
        Err(AuthError::NoKeyring { source, .. }) => {
            if !args.json {
                eprintln!("{source}, so there was no keyring entry to remove.");
            }
            None
        }
        Err(e) => return Err(e.into()),
    };
    let removed_file = if args.token_file {
        Some(auth::remove_from_token_file(config)?)
    } else {
        None
    };
    let left = auth::status(config, None, env_token().as_deref());
    if args.json {
        json::line(
            "logout",
            &json!({
                "endpoint": config.endpoint_str(),
                "keyring_removed": removed_keyring,
                "token_file_removed": removed_file,
                "still_provided_by": left.source,
            }),
        );
        return Ok(());
    }
    match removed_keyring {
        Some(true) => eprintln!(
            "Removed the token for {} from the OS keyring (service '{}', account '{}').",
            config.endpoint_str(),
            keyring.service(),
            keyring.account()
        ),
        Some(false) => eprintln!(
            "The OS keyring held no token for {} (service '{}', account '{}').",
            config.endpoint_str(),
            keyring.service(),
            keyring.account()
        ),
        None => {}
    }
    match removed_file {
        Some(true) => eprintln!("Removed the token file {}.", config.token_path.display()),
        Some(false) => eprintln!(
            "There was no token file at {}.",
            config.token_path.display()
        ),
        None => {}
    }
    if left.environment {
        eprintln!("Note: HF_TOKEN is still set in this environment and provides a token.");
    }
    if left.token_file_present {
        eprintln!(
            "Note: the HF token file {} still provides a token (`haul auth logout --token-file` removes it).",
            config.token_path.display()
        );
    }
    Ok(())
}

async fn whoami(config: &Config, args: TokenArgs) -> Result<(), haul::Error> {
    let env = env_token();
    let Some((token, source)) = auth::resolve(config, args.token.as_deref(), env.as_deref()) else {
        return Err(AuthError::NotLoggedIn {
            token_path: config.token_path.clone(),
        }
        .into());
    };
    let who = auth::whoami(config, &token).await.map_err(|e| match e {
        // Here the token was not just typed: say where it came from, not "nothing was stored".
        haul::Error::Auth(AuthError::Rejected { .. }) => haul::hub::HubError::InvalidToken.into(),
        e => e,
    })?;
    if args.json {
        json::line(
            "whoami",
            &json!({ "user": who.name, "kind": who.kind, "endpoint": config.endpoint_str(), "source": source }),
        );
    } else {
        println!("{}", who.name);
        eprintln!(
            "(on {}, with the token from {})",
            config.endpoint_str(),
            source.describe()
        );
    }
    Ok(())
}

fn status(config: &Config, args: TokenArgs) -> Result<(), haul::Error> {
    let status = auth::status(config, args.token.as_deref(), env_token().as_deref());
    if args.json {
        json::line("status", &status);
    } else {
        print!("{}", render_status(&status));
    }
    Ok(())
}

fn render_status(s: &AuthStatus) -> String {
    let in_use = match s.source {
        Some(TokenSource::Keyring) => format!(
            "the OS keyring (service '{}', account '{}')",
            s.keyring_service, s.keyring_account
        ),
        Some(TokenSource::TokenFile) => format!("the HF token file {}", s.token_file.display()),
        Some(source) => source.describe().to_string(),
        None => "none: requests are anonymous (`haul auth login` stores a token)".to_string(),
    };
    let yes_no = |b: bool, yes: &str, no: &str| if b { yes } else { no }.to_string();
    let keyring = match &s.keyring {
        KeyringState::Present => "holds a token".to_string(),
        KeyringState::Absent => "no token".to_string(),
        KeyringState::Unavailable { reason } => reason.clone(),
        KeyringState::NotConsulted => "not consulted (offline)".to_string(),
    };
    format!(
        "Endpoint:     {}\nToken in use: {in_use}\nSources, first match wins:\n  1. --token      {}\n  2. HF_TOKEN     {}\n  3. OS keyring   {keyring} (service '{}', account '{}')\n  4. token file   {} ({})\n",
        s.endpoint,
        yes_no(s.explicit, "given", "not given"),
        yes_no(s.environment, "set", "not set"),
        s.keyring_service,
        s.keyring_account,
        yes_no(s.token_file_present, "holds a token", "no token"),
        s.token_file.display(),
    )
}
