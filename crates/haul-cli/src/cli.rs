//! The command line: every subcommand, flag and its help text. Parsing only; no behaviour here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  unexpected internal error
  2  bad input (arguments, repository reference, pattern, configuration)
  3  repository, revision or file not found
  4  authentication: gated repository, unapproved account, invalid token
  5  network or server failure (after retries)
  6  integrity: a file did not match its hash, or the Hub listed an unsafe file name
  7  disk: full, too small, or not writable
  8  offline (HF_HUB_OFFLINE) and the files are not in the cache

Environment: HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_TOKEN_PATH and HF_HUB_OFFLINE mean what
they mean to the Python huggingface_hub client; downloads land in the same cache it reads.
The token comes from --token, else HF_TOKEN, else the OS keyring (`haul auth login`), else the
HF token file (HF_TOKEN_PATH, default $HF_HOME/token).";

/// Download Hugging Face Hub repositories into the Hugging Face cache, every byte verified.
#[derive(Debug, Parser)]
#[command(name = "haul", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Hub endpoint to use instead of HF_ENDPOINT (default https://huggingface.co).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint: Option<String>,

    /// More log output on stderr (repeat for more); RUST_LOG also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Download a repository (or some of its files) into the HF cache or a folder.
    #[command(after_help = DOWNLOAD_EXAMPLES)]
    Download(DownloadArgs),
    /// Log in to the Hub (token kept in the OS keyring), log out, show who you are and which token is used.
    #[command(after_help = AUTH_HELP)]
    Auth(AuthArgs),
    /// Show or change settings: `haul config list` shows each value and where it comes from.
    #[command(after_help = CONFIG_HELP)]
    Config(ConfigArgs),
}

const DOWNLOAD_EXAMPLES: &str = "\
Examples:
  haul download openai-community/gpt2
  haul download org/model config.json model.safetensors
  haul download org/model --include '*.json' --include 'onnx/*' --exclude '*fp32*'
  haul download datasets/org/data@v1.0 --dry-run
  haul download https://huggingface.co/org/model/tree/refs%2Fpr%2F3
  haul download org/model --local-dir ./model --json";

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RepoTypeArg {
    Model,
    Dataset,
    Space,
}

#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// org/name, datasets/org/name, org/name@revision, or a Hub URL (/tree/…, /blob/…, /resolve/…).
    pub repo: String,

    /// Only these files (exact paths in the repository).
    pub files: Vec<String>,

    /// Branch, tag, commit or refs/pr/N (default: main, or what the reference names).
    #[arg(long, short = 'r')]
    pub revision: Option<String>,

    /// Only files matching this glob (repeatable; `*` crosses folders, `dir/` means all below dir).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Skip files matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Repository type when the reference has no datasets/ or spaces/ prefix.
    #[arg(long, value_enum, default_value = "model")]
    pub repo_type: RepoTypeArg,

    /// HF cache root to use instead of HF_HUB_CACHE.
    #[arg(long, value_name = "DIR", conflicts_with = "local_dir")]
    pub cache_dir: Option<PathBuf>,

    /// Put real files in DIR instead of the cache (compatible with `hf download --local-dir`).
    #[arg(long, value_name = "DIR")]
    pub local_dir: Option<PathBuf>,

    /// Show the plan (files, sizes, what is already here) and download nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Hub token (else HF_TOKEN, the OS keyring, the token file). Prefer HF_TOKEN or `haul auth login`:
    /// arguments show in process lists.
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// Files downloaded at once [default: 8, or HAUL_MAX_WORKERS].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_workers: Option<u16>,

    /// One JSON object per line on stdout: the plan, progress snapshots, file events, the result.
    #[arg(long)]
    pub json: bool,

    /// Print only the final path (or errors).
    #[arg(short, long)]
    pub quiet: bool,
}

const CONFIG_HELP: &str = "\
Settings live in config.toml in the XDG config dir (~/.config/haul), or in $HAUL_HOME. Each comes from
the first of: a flag, the environment, the file, the default. Keys: cache_dir, endpoint,
max_concurrent_files, connections_per_file, bandwidth_limit, proxy, notifications.finished,
notifications.failed, notifications.update_available, notifications.schedule_error.

Examples:
  haul config list
  haul config set max_concurrent_files 4
  haul config set bandwidth_limit 20M
  haul config set notifications.finished false
  haul config unset endpoint
  haul config get cache_dir";

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print the value KEY has for Haul now (after the environment and flags).
    Get { key: String },
    /// Check VALUE and write KEY = VALUE to the settings file (comments and layout are kept).
    Set {
        key: String,
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
    /// Remove KEY from the settings file, so the environment or the default applies.
    Unset { key: String },
    /// Every setting: its value, and where it comes from (default, file, env VAR, flag).
    List {
        /// One JSON object per line: `setting` lines, then a `file` line.
        #[arg(long)]
        json: bool,
    },
    /// Print the settings file's path.
    Path,
}

const AUTH_HELP: &str = "\
The token is looked for in this order: --token, HF_TOKEN, the OS keyring (one entry per endpoint,
service 'haul'), the HF token file (HF_TOKEN_PATH, default $HF_HOME/token). It is never printed.

Examples:
  haul auth login                         # paste the token at a hidden prompt
  printf %s \"$TOKEN\" | haul auth login    # or pipe it (never put it in an argument)
  haul auth login --token-file            # headless machine: the HF token file, mode 0600
  haul auth status
  haul auth whoami --json
  haul auth logout --token-file";

#[derive(Debug, Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Check a token with the Hub, then keep it in the OS keyring (or the HF token file).
    Login(LoginArgs),
    /// Remove the token from the OS keyring (and with --token-file, the HF token file).
    Logout(LogoutArgs),
    /// Ask the Hub who the token in use belongs to.
    Whoami(TokenArgs),
    /// Show which source provides the token, without showing the token or asking the Hub.
    Status(TokenArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Read the token from stdin (the default when stdin is not a terminal).
    #[arg(long)]
    pub token_stdin: bool,

    /// Keep the token in the HF token file (mode 0600) instead of the OS keyring: for machines
    /// without a keyring; the Python huggingface_hub client reads the same file.
    #[arg(long, visible_alias = "no-keyring")]
    pub token_file: bool,

    /// One JSON object on stdout (the user and where the token went; never the token).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Also remove the HF token file.
    #[arg(long)]
    pub token_file: bool,

    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Use this token instead of the stored ones. Prefer HF_TOKEN: arguments show in process lists.
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// One JSON object on stdout (never the token).
    #[arg(long)]
    pub json: bool,
}
