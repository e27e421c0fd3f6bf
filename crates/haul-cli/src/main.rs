//! The `haul` command: parses the command line, builds the core facade from the environment and the
//! flags, runs one subcommand, and turns its outcome into output and an exit code.

mod cli;
mod commands;
mod output;
mod reference;

use std::process::ExitCode;
use std::sync::Arc;

use haul::settings::Settings;
use haul::{Config, Haul};

use std::io::IsTerminal;

use clap::{CommandFactory, FromArgMatches};
use haul::logging;

use cli::{AuthCommand, Cli, Command, ConfigAction, LogFormat};

/// Haul's own folders, from the environment alone: logging starts before the settings are read.
fn dirs() -> Option<haul::paths::HaulDirs> {
    haul::paths::HaulDirs::from_vars(&|k: &str| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// Logs go to stderr and to the day's log file in Haul's state dir: `daemon.*.log` for the service
/// (which also says more on stderr), `haul.*.log` for other commands. `haul logs` and the hidden
/// completion helper write no file.
fn init_logging(cli: &Cli) -> Option<logging::LogGuard> {
    let (prefix, louder) = match cli.command {
        Command::Daemon(_) => (Some(logging::DAEMON_LOG), 1),
        Command::Logs(_) | Command::Completion(_) | Command::CompleteRepos | Command::Reference => {
            (None, 0)
        }
        _ => (Some(logging::APP_LOG), 0),
    };
    let verbosity = if cli.quiet {
        -1
    } else {
        i8::try_from(cli.verbose)
            .unwrap_or(i8::MAX)
            .saturating_add(louder)
    };
    let mut options = logging::LogOptions {
        file: prefix
            .zip(dirs())
            .map(|(prefix, dirs)| logging::LogFile::new(dirs.logs(), prefix)),
        verbosity,
        json: cli.log_format == LogFormat::Json,
        to_stderr: true,
        ansi: std::io::stderr().is_terminal(),
    };
    match logging::init(&options) {
        Ok(guard) => Some(guard),
        Err(e @ logging::LogError::File { .. }) => {
            if !cli.quiet {
                eprintln!("warning: {e}; logging to stderr only");
            }
            options.file = None;
            logging::init(&options).ok()
        }
        Err(_) => None,
    }
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
    flags.cache_dir = cli.command.cache_dir();
    if let Command::Download(args) = &cli.command {
        flags.max_concurrent_files = args.max_workers.map(u32::from);
        flags.connections_per_file = args.connections.map(u32::from);
        flags.bandwidth_limit = args.limit_rate;
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

/// The facade with the registry opened: every command that reads or records the library.
async fn build_library(config: Config, token: Option<&str>) -> Result<Haul, haul::Error> {
    let registry = haul::registry::Registry::open(&config.dirs.database()).await?;
    Ok(build_haul(config, token)?.with_registry(registry))
}

/// Runs the command; `Ok` carries the exit code of commands that choose their own (`doctor`).
async fn run(cli: Cli) -> Result<u8, haul::Error> {
    if let Command::Logs(args) = &cli.command {
        let dir = dirs().ok_or(haul::config::ConfigError::NoHome)?.logs();
        // Only a closed stdout ends it early, and that is how `haul logs | head` is meant to end.
        let _ = commands::logs::run(&dir, args).await;
        return Ok(0);
    }
    if let Command::Completion(args) = &cli.command {
        return match commands::completion::run(args) {
            Ok(()) => Ok(0),
            Err(e) => {
                eprintln!("error: {e:#}");
                Ok(2)
            }
        };
    }
    if let Command::CompleteRepos = &cli.command {
        commands::completion_repos::run(dirs()).await;
        return Ok(0);
    }
    if let Command::Reference = &cli.command {
        print!("{}", reference::markdown());
        return Ok(0);
    }
    if let Command::Panic = &cli.command {
        panic!("the crash report check (`haul __panic`)");
    }
    if let Command::Doctor(args) = &cli.command {
        let config = build_config(&cli)?;
        return Ok(commands::doctor::run(&config, args).await);
    }
    run_command(cli).await.map(|()| 0)
}

async fn run_command(cli: Cli) -> Result<(), haul::Error> {
    if let Command::Config(args) = &cli.command {
        // `haul config` works even when the settings are invalid (to fix them): it loads them itself.
        return commands::config::run(args, &flag_settings(&cli)?);
    }
    let config = build_config(&cli)?;
    let quiet = cli.quiet;
    match cli.command {
        Command::Download(mut args) => {
            args.quiet = quiet;
            let mut haul = build_library(config, args.token.as_deref()).await?;
            if args.notify {
                haul = haul.with_notifier(Arc::new(haul::notify::DesktopNotifier::new()));
            }
            commands::download::run(&haul, args).await
        }
        Command::List(args) => {
            commands::library::list(&build_library(config, None).await?, args).await
        }
        Command::Show(args) => {
            commands::library::show(&build_library(config, None).await?, args).await
        }
        Command::Remove(args) => {
            commands::library::remove(&build_library(config, None).await?, args).await
        }
        Command::Verify(args) => {
            commands::library::verify(&build_library(config, None).await?, args).await
        }
        Command::Scan(args) => {
            commands::library::scan(&build_library(config, None).await?, args).await
        }
        Command::Prune(args) => {
            commands::library::prune(&build_library(config, None).await?, args).await
        }
        Command::Outdated(args) => {
            commands::updates::outdated(&build_library(config, None).await?, args).await
        }
        Command::Update(args) => {
            commands::updates::update(&build_library(config, None).await?, args).await
        }
        Command::Daemon(args) => {
            let haul = build_library(config, None)
                .await?
                .with_notifier(std::sync::Arc::new(haul::notify::DesktopNotifier::new()));
            commands::daemon::run(haul, args).await
        }
        Command::Queue(args) => {
            commands::jobs::queue(&build_library(config, None).await?, args).await
        }
        Command::Pause(args) => {
            commands::jobs::steer(
                &build_library(config, None).await?,
                args,
                commands::jobs::Steer::Pause,
            )
            .await
        }
        Command::Resume(args) => {
            commands::jobs::steer(
                &build_library(config, None).await?,
                args,
                commands::jobs::Steer::Resume,
            )
            .await
        }
        Command::Cancel(args) => {
            commands::jobs::steer(
                &build_library(config, None).await?,
                args,
                commands::jobs::Steer::Cancel,
            )
            .await
        }
        Command::Retry(args) => {
            commands::jobs::retry(&build_library(config, None).await?, args).await
        }
        Command::Priority(args) => {
            commands::jobs::priority(&build_library(config, None).await?, args).await
        }
        Command::Schedule(args) => {
            let haul = build_library(config, args.token()).await?;
            commands::schedules::schedule(&haul, args).await
        }
        Command::Limits(args) => {
            commands::schedules::limits(&build_library(config, None).await?, args).await
        }
        Command::Auth(args) => commands::auth::run(config, args).await,
        Command::Config(_)
        | Command::Doctor(_)
        | Command::Logs(_)
        | Command::Panic
        | Command::Reference
        | Command::Completion(_)
        | Command::CompleteRepos => {
            unreachable!("handled above")
        }
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
        Command::List(a) => a.json,
        Command::Show(a) => a.json,
        Command::Remove(a) => a.json,
        Command::Verify(a) => a.json,
        Command::Scan(a) => a.json,
        Command::Prune(a) => a.json,
        Command::Queue(a) => a.json,
        Command::Daemon(_) => false,
        Command::Doctor(a) => a.json,
        Command::Logs(_)
        | Command::Panic
        | Command::Reference
        | Command::Completion(_)
        | Command::CompleteRepos => false,
        Command::Outdated(a) => a.json,
        Command::Update(a) => a.json,
        Command::Schedule(a) => a.json(),
        Command::Limits(a) => a.json(),
        Command::Pause(a) | Command::Resume(a) | Command::Cancel(a) => a.json,
        Command::Retry(a) => a.json,
        Command::Priority(a) => a.json,
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
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let _log = init_logging(&cli);
    let subcommand = matches.subcommand_name().unwrap_or("");
    tracing::info!(target: logging::FILE_ONLY, "haul {} {subcommand}: started", env!("CARGO_PKG_VERSION"));
    // The whole command line helps to reproduce a problem; a token in it is masked when written.
    tracing::debug!(target: logging::FILE_ONLY, args = ?std::env::args().collect::<Vec<_>>(), "command line");
    let json = wants_json(&cli.command);
    // Few blocking threads: file writes and hashing need no more than a handful, and every extra
    // thread costs memory (its own allocator arena) for nothing.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(8)
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => {
            tracing::info!(target: logging::FILE_ONLY, "haul {subcommand}: finished (exit code {code})");
            ExitCode::from(code)
        }
        Err(error) => {
            tracing::error!(target: logging::FILE_ONLY, "haul {subcommand}: {error}");
            report(&error, json);
            ExitCode::from(error.kind().exit_code())
        }
    }
}
