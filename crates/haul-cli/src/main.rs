//! The `haul` command: parses the command line, builds the core facade from the environment and the
//! flags, runs one subcommand, and turns its outcome into output and an exit code.

mod cli;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;
use haul::settings::Settings;
use haul::{Config, Haul};

use cli::{AuthCommand, Cli, Command, ConfigAction};

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info,haul=info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// What the command line sets: the top layer of the settings, over the environment and the file.
fn flag_settings(cli: &Cli) -> Result<Settings, haul::Error> {
    let mut flags = Settings::default();
    if let Some(endpoint) = &cli.endpoint {
        flags.endpoint = Some(haul::config::parse_endpoint(endpoint).map_err(|reason| {
            haul::config::ConfigError::BadEndpoint {
                var: "--endpoint",
                value: endpoint.clone(),
                reason,
            }
        })?);
    }
    if let Command::Download(args) = &cli.command {
        flags.cache_dir = args.cache_dir.clone();
        flags.max_concurrent_files = args.max_workers.map(u32::from);
    }
    Ok(flags)
}

fn build_config(cli: &Cli) -> Result<Config, haul::Error> {
    Ok(Config::load(&flag_settings(cli)?)?)
}

/// The facade, with the token from `--token`, else `HF_TOKEN`, else the OS keyring, else the HF
/// token file (the keyring is not consulted offline).
fn build_haul(config: Config, token: Option<&str>) -> Result<Haul, haul::Error> {
    let env_token = std::env::var("HF_TOKEN").ok();
    let token = haul::auth::resolve(&config, token, env_token.as_deref()).map(|(t, _)| t);
    Haul::new(config, token)
}

async fn run(cli: Cli) -> Result<(), haul::Error> {
    if let Command::Config(args) = &cli.command {
        // `haul config` works even when the settings are invalid (to fix them): it loads them itself.
        return commands::config::run(args, &flag_settings(&cli)?);
    }
    let config = build_config(&cli)?;
    match cli.command {
        Command::Download(args) => {
            let haul = build_haul(config, args.token.as_deref())?;
            commands::download::run(&haul, args).await
        }
        Command::Auth(args) => commands::auth::run(config, args).await,
        Command::Config(_) => unreachable!("handled above"),
    }
}

/// Whether the command was asked for JSON output (errors are then reported as JSON too).
fn wants_json(command: &Command) -> bool {
    match command {
        Command::Download(a) => a.json,
        Command::Config(a) => matches!(a.action, ConfigAction::List { json: true }),
        Command::Auth(a) => match &a.command {
            AuthCommand::Login(a) => a.json,
            AuthCommand::Logout(a) => a.json,
            AuthCommand::Whoami(a) | AuthCommand::Status(a) => a.json,
        },
    }
}

fn report(error: &haul::Error, json: bool) {
    if json {
        let failures = match error {
            haul::Error::FilesFailed { failures, .. } => failures.clone(),
            _ => Vec::new(),
        };
        output::json::line(
            "error",
            &serde_json::json!({ "kind": error.kind(), "message": error.to_string(), "failures": failures }),
        );
    } else {
        eprintln!("error: {error}");
        if let haul::Error::FilesFailed { failures, .. } = error {
            for (path, why) in failures.iter().skip(1) {
                eprintln!("  also failed: {path}: {why}");
            }
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let json = wants_json(&cli.command);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error, json);
            ExitCode::from(error.kind().exit_code())
        }
    }
}
