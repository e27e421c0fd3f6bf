//! The `haul` command: parses the command line, builds the core facade from the environment and the
//! flags, runs one subcommand, and turns its outcome into output and an exit code.

mod cli;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;
use haul::{Config, Haul};

use cli::{Cli, Command};

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

fn build_haul(cli: &Cli, token: Option<&str>) -> Result<Haul, haul::Error> {
    let mut config = Config::from_env()?;
    if let Some(endpoint) = &cli.endpoint {
        config.endpoint = haul::config::parse_endpoint(endpoint).map_err(|reason| {
            haul::config::ConfigError::BadEndpoint {
                var: "--endpoint",
                value: endpoint.clone(),
                reason,
            }
        })?;
    }
    let env_token = std::env::var("HF_TOKEN").ok();
    let token =
        haul::resolve_token(token, env_token.as_deref(), &config.token_path).map(|(t, _)| t);
    Haul::new(config, token)
}

async fn run(cli: Cli) -> Result<(), haul::Error> {
    match &cli.command {
        Command::Download(args) => {
            let haul = build_haul(&cli, args.token.as_deref())?;
            let Command::Download(args) = cli.command;
            commands::download::run(&haul, args).await
        }
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
    let json = matches!(&cli.command, Command::Download(a) if a.json);
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
