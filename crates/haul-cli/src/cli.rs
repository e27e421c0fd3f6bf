//! The command line: every subcommand, flag and its help text. Parsing only; no behaviour here.

pub mod schedule;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  unexpected internal error
  2  bad input (arguments, repository reference, pattern, configuration)
  3  repository, revision or file not found; unknown schedule or bandwidth rule
  4  authentication: gated repository, unapproved account, invalid token
  5  network or server failure (after retries)
  6  integrity: a file failed its hash, the Hub listed an unsafe file name, or verify found damage
  7  disk: full, not enough free space, or not writable
  8  offline (HF_HUB_OFFLINE) and the files are not in the cache
  9  Haul's database cannot be opened or used (move it aside; `haul scan` rebuilds it)
 10  the download was cancelled (`haul cancel`)
 11  busy: another Haul service already runs for this data dir, or the schedule is running elsewhere

Environment: HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_TOKEN_PATH and HF_HUB_OFFLINE mean \
what they mean to the Python huggingface_hub client; downloads land in the same cache it reads. \
HAUL_HOME puts Haul's own settings, database and logs in one folder; HAUL_PROXY sets a proxy.
The token comes from --token, else HF_TOKEN, else the OS keyring (`haul auth login`), else the HF \
token file (HF_TOKEN_PATH, default $HF_HOME/token).";

/// Download Hugging Face Hub repositories into the Hugging Face cache, every byte verified.
#[derive(Debug, Parser)]
#[command(name = "haul", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Hub endpoint to use instead of HF_ENDPOINT (default https://huggingface.co).
    #[arg(long, global = true, value_name = "URL", help_heading = GLOBAL)]
    pub endpoint: Option<String>,

    /// More log output: -v info, -vv debug, -vvv trace (on stderr; the log file gets at least info).
    /// RUST_LOG, e.g. RUST_LOG=haul=debug, replaces these levels.
    #[arg(
        short,
        long,
        global = true,
        action = clap::ArgAction::Count,
        conflicts_with = "quiet",
        help_heading = GLOBAL
    )]
    pub verbose: u8,

    /// Only errors on stderr; `download` prints only the final path.
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub quiet: bool,

    /// Log lines as text or as one JSON object per line (stderr and the log file).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = LogFormat::Text,
        value_name = "FORMAT",
        help_heading = GLOBAL
    )]
    pub log_format: LogFormat,
}

/// The heading of the options every command takes.
const GLOBAL: &str = "Global options";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Download a repository (or some of its files) into the HF cache or a folder.
    #[command(after_help = DOWNLOAD_EXAMPLES)]
    Download(DownloadArgs),
    /// Show or change settings: `haul config list` shows each value and where it comes from.
    #[command(after_help = CONFIG_HELP)]
    Config(ConfigArgs),
    /// Log in to the Hub (token kept in the OS keyring), log out, show who you are and which token is used.
    #[command(after_help = AUTH_HELP)]
    Auth(AuthArgs),
    /// List the repositories in the library: sizes, revisions, state, last update.
    List(ListArgs),
    /// Show one repository: where it is, its revisions and files, and its download history.
    Show(ShowArgs),
    /// Remove a repository (or one revision) from the cache; blobs another kept revision uses stay.
    Remove(RemoveArgs),
    /// Re-hash every file against the Hub's hashes (offline: the hashes already known); --repair fixes bad files.
    #[command(after_help = VERIFY_HELP)]
    Verify(VerifyArgs),
    /// Import repositories already in the HF cache (downloaded by other tools) into the library.
    Scan(ScanArgs),
    /// Delete leftovers: partial downloads, detached revisions, unused blobs.
    Prune(PruneArgs),
    /// The download jobs: queued (with their priority), running, waiting, paused, and recently finished.
    Queue(QueueArgs),
    /// Pause a running download (it keeps what it has; `haul resume` continues it).
    Pause(JobArgs),
    /// Resume a paused download.
    Resume(JobArgs),
    /// Cancel a download (finished files stay; partial ones are removed); a queued one never runs.
    Cancel(JobArgs),
    /// Put a failed or cancelled download back in the queue.
    Retry(RetryArgs),
    /// Change a job's priority: higher runs first among queued jobs.
    Priority(PriorityArgs),
    /// List the repositories whose branch or tag now points at a newer commit on the Hub.
    #[command(after_help = UPDATES_HELP)]
    Outdated(OutdatedArgs),
    /// Bring outdated repositories to their branch's new commit, fetching only what changed.
    #[command(after_help = UPDATES_HELP)]
    Update(UpdateArgs),
    /// Download at set times or keep a repository in sync: add, list, show, edit, pause, resume, remove, run-now.
    #[command(after_help = schedule::SCHEDULE_HELP)]
    Schedule(schedule::ScheduleArgs),
    /// Run the background service: schedules, queued downloads, windows and bandwidth rules.
    #[command(after_help = DAEMON_HELP)]
    Daemon(DaemonArgs),
    /// Bandwidth by time of day: rules like 'Mon-Fri 08:00-19:00 5M'; add, list (the default), remove.
    #[command(after_help = schedule::LIMITS_HELP)]
    Limits(schedule::LimitsArgs),
    /// Check the endpoint, token, keyring, cache folder, disk space, database and desktop services.
    #[command(after_help = DOCTOR_HELP)]
    Doctor(DoctorArgs),
    /// Print the end of Haul's log (the app's and CLI's, or the service's) and, with -f, follow it.
    #[command(after_help = LOGS_HELP)]
    Logs(LogsArgs),
    /// Print the completion script for bash, zsh, fish or PowerShell, or --install it for your shell.
    #[command(after_help = COMPLETION_HELP)]
    Completion(CompletionArgs),
    /// The library's repository names, one a line, for the completion scripts.
    #[command(name = "__complete-repos", hide = true)]
    CompleteRepos,
    /// Panic on purpose, to check that the crash report reaches the log.
    #[command(name = "__panic", hide = true)]
    Panic,
    /// Print the command-line reference as Markdown (docs/cli-reference.md), from these definitions.
    #[command(name = "__reference", hide = true)]
    Reference,
}

impl Command {
    /// The `--cache-dir` a command was given: the top layer over `cache_dir` in settings and HF_HUB_CACHE.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        match self {
            Command::Download(a) => a.cache_dir.clone(),
            Command::List(a) => a.cache.cache_dir.clone(),
            Command::Show(a) => a.cache.cache_dir.clone(),
            Command::Remove(a) => a.cache.cache_dir.clone(),
            Command::Verify(a) => a.cache.cache_dir.clone(),
            Command::Scan(a) => a.cache.cache_dir.clone(),
            Command::Prune(a) => a.cache.cache_dir.clone(),
            Command::Config(_)
            | Command::Auth(_)
            | Command::Queue(_)
            | Command::Pause(_)
            | Command::Resume(_)
            | Command::Cancel(_)
            | Command::Retry(_)
            | Command::Priority(_) => None,
            Command::Outdated(a) => a.cache.cache_dir.clone(),
            Command::Update(a) => a.cache.cache_dir.clone(),
            // A schedule's --cache-dir is where it downloads, kept with the schedule.
            Command::Schedule(_) | Command::Limits(_) | Command::Daemon(_) => None,
            Command::Doctor(a) => a.cache.cache_dir.clone(),
            Command::Logs(_) | Command::Panic | Command::Reference => None,
            Command::Completion(_) | Command::CompleteRepos => None,
        }
    }
}

const DOWNLOAD_EXAMPLES: &str = "\
Examples:
  haul download openai-community/gpt2
  haul download org/model config.json model.safetensors
  haul download org/model --include '*.json' --include 'onnx/*' --exclude '*fp32*'
  haul download datasets/org/data@v1.0 --dry-run
  haul download https://huggingface.co/org/model/tree/refs%2Fpr%2F3
  haul download org/model --local-dir ./model --json
  haul download org/big-model --notify      # a desktop notification when it ends
  haul download org/big-model --queue --priority 5   # the running service fetches it

Bandwidth: --limit-rate wins; without it the bandwidth-by-time rules (`haul limits`) apply, and \
without a rule in force, the `bandwidth_limit` setting.
Exit codes: 2 bad reference or pattern, 3 not found, 4 gated or token refused, 5 network, 6 hash \
mismatch, 7 disk full or too small, 8 offline and not cached, 10 cancelled (see `haul --help`).";

const VERIFY_HELP: &str = "\
Lists files that are corrupt (their hash differs), missing, or extra. Exit code 0 when everything \
matches, 6 when anything is found (after --repair: when anything is still wrong), 8 for --repair \
under HF_HUB_OFFLINE.

Examples:
  haul verify org/model
  haul verify org/model@v1.0 --repair
  haul verify --all --json";

const UPDATES_HELP: &str = "\
Repositories downloaded at a commit are never outdated. Both commands ask the Hub, so they stop \
with exit code 8 under HF_HUB_OFFLINE. `update` keeps the selection of the first download: a repo \
fetched with --include '*.json' gets its JSON files updated, not the rest.

Examples:
  haul outdated
  haul update org/model
  haul update --all";

const DAEMON_HELP: &str = "\
One service runs per data dir (the desktop app runs one too): a second one stops with exit code 11 \
and names the process that holds the lock. Logs go to stderr and to daemon.YYYY-MM-DD.log in \
Haul's state dir (`haul logs --daemon`). SIGTERM or Ctrl-C stops it cleanly: large files keep their \
checkpoints and queued jobs go back to the queue.

Examples:
  haul daemon
  haul daemon --install-user-unit && systemctl --user enable --now haul";

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

    /// HF cache root to use instead of HF_HUB_CACHE (or the `cache_dir` setting).
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

    /// Files downloaded at once [default: 8, or the `max_concurrent_files` setting].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_workers: Option<u16>,

    /// Connections per large file (files of 8 MiB and more are fetched in parallel ranges and resume
    /// across runs) [default: 8, or the `connections_per_file` setting].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=16))]
    pub connections: Option<u16>,

    /// Bandwidth limit for the whole download, e.g. 20M (bytes per second; K/M/G powers of 1000,
    /// Ki/Mi/Gi of 1024; 0 for none). Overrides the bandwidth-by-time rules (`haul limits`) [default:
    /// the rule in force, else the `bandwidth_limit` setting].
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate: Option<haul::settings::Bandwidth>,

    /// One JSON object per line on stdout: the plan, progress snapshots, file events, the result.
    #[arg(long)]
    pub json: bool,

    /// Print only the final path (or errors): the global `-q, --quiet`.
    #[arg(skip)]
    pub quiet: bool,

    /// Announce the end with a desktop notification: finished (size and time) or failed (the
    /// reason), as the `notifications.*` settings allow. For long downloads you don't watch.
    #[arg(long)]
    pub notify: bool,

    /// Put the download in the queue and return at once with its job number: the running Haul
    /// service (the desktop app or `haul daemon`) fetches it when its turn comes.
    #[arg(long, conflicts_with = "dry_run")]
    pub queue: bool,

    /// With --queue: higher runs first (default 0; equal priorities run oldest first).
    #[arg(
        long,
        value_name = "N",
        requires = "queue",
        allow_negative_numbers = true
    )]
    pub priority: Option<i64>,
}

const AUTH_HELP: &str = "\
The token is looked for in this order: --token, HF_TOKEN, the OS keyring (one entry per endpoint, \
service 'haul'), the HF token file (HF_TOKEN_PATH, default $HF_HOME/token). It is never printed. \
A token the Hub refuses is never stored (exit code 4).

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

const CONFIG_HELP: &str = "\
Settings live in config.toml in the XDG config dir (~/.config/haul), or in $HAUL_HOME. Each comes \
from the first of: a flag, the environment, the file, the default. An unknown key, a bad value or a \
malformed file stops every command with exit code 2, naming the line; `haul config path` still \
answers.
Keys: cache_dir, endpoint, max_concurrent_files, connections_per_file, max_jobs, bandwidth_limit, \
proxy, notifications.finished, notifications.failed, notifications.update_available, \
notifications.schedule_error.

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
    Get {
        /// A setting's key, e.g. cache_dir or notifications.finished.
        key: String,
    },
    /// Check VALUE and write KEY = VALUE to the settings file (comments and layout are kept).
    Set {
        /// A setting's key, e.g. bandwidth_limit.
        key: String,
        /// The new value, e.g. 20M.
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
    /// Remove KEY from the settings file, so the environment or the default applies.
    Unset {
        /// A setting's key.
        key: String,
    },
    /// Every setting: its value, and where it comes from (default, file, env VAR, flag).
    List {
        /// One JSON object per line: `setting` lines, then a `file` line.
        #[arg(long)]
        json: bool,
    },
    /// Print the settings file's path.
    Path,
}

/// The cache a library command looks at.
#[derive(Debug, Args)]
pub struct CacheArg {
    /// HF cache root to use instead of HF_HUB_CACHE (or the `cache_dir` setting).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only repositories whose name contains this text (case-insensitive).
    pub name: Option<String>,
    /// Only this type.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub repo_type: Option<RepoTypeArg>,
    /// One JSON array on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cache: CacheArg,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// org/name, datasets/org/name, or a Hub URL.
    pub repo: String,
    /// Repository type when the reference has no datasets/ or spaces/ prefix.
    #[arg(long, value_enum, default_value = "model")]
    pub repo_type: RepoTypeArg,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cache: CacheArg,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// org/name (all revisions) or org/name@revision.
    pub repo: String,
    /// Only this revision (a branch, tag, refs/pr/N or commit) instead of the whole repository.
    #[arg(long, short = 'r')]
    pub revision: Option<String>,
    /// Repository type when the reference has no datasets/ or spaces/ prefix.
    #[arg(long, value_enum, default_value = "model")]
    pub repo_type: RepoTypeArg,
    /// Show what would be removed and how much space it frees; remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation (needed when stdin is not a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// One JSON object on stdout: what is (or would be) removed and the space freed.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cache: CacheArg,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// org/name or org/name@revision (all its revisions unless one is named).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub repo: Option<String>,
    /// Every repository in the cache.
    #[arg(long)]
    pub all: bool,
    /// Fetch again only the files found corrupt or missing.
    #[arg(long)]
    pub repair: bool,
    /// Repository type when the reference has no datasets/ or spaces/ prefix.
    #[arg(long, value_enum, default_value = "model")]
    pub repo_type: RepoTypeArg,
    /// One JSON array on stdout: a report per revision.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cache: CacheArg,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// One JSON object on stdout: what was found and imported.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cache: CacheArg,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Show what would be deleted; delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// One JSON object on stdout: the items and the bytes (to be) freed.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cache: CacheArg,
}

impl From<RepoTypeArg> for haul::RepoType {
    fn from(arg: RepoTypeArg) -> Self {
        match arg {
            RepoTypeArg::Model => haul::RepoType::Model,
            RepoTypeArg::Dataset => haul::RepoType::Dataset,
            RepoTypeArg::Space => haul::RepoType::Space,
        }
    }
}

fn parse_rate(text: &str) -> Result<haul::settings::Bandwidth, String> {
    use haul::settings::BandwidthError;
    haul::settings::Bandwidth::parse(text).map_err(|e| match e {
        BandwidthError::NotARate => {
            format!("'{text}' is not a rate: write e.g. 20M, 1.5MiB or 0 for none")
        }
        BandwidthError::OutOfRange => {
            format!("'{text}' is out of range: at least 1K per second, or 0 for none")
        }
    })
}

#[derive(Debug, Args)]
pub struct QueueArgs {
    /// One JSON array on stdout.
    #[arg(long)]
    pub json: bool,
    /// How many finished jobs to show besides the active ones.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub recent: u16,
}

#[derive(Debug, Args)]
pub struct JobArgs {
    /// The job's number, as `haul queue` shows it.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub job: Option<i64>,
    /// Every job it applies to.
    #[arg(long)]
    pub all: bool,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RetryArgs {
    /// The job's number, as `haul queue` shows it.
    pub job: i64,
    /// One JSON object on stdout: the job.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PriorityArgs {
    /// The job's number, as `haul queue` shows it.
    pub job: i64,
    /// The new priority: higher runs first.
    #[arg(allow_negative_numbers = true)]
    pub priority: i64,
    /// One JSON object on stdout: the job.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OutdatedArgs {
    /// Only this repo.
    pub repo: Option<String>,
    /// Repository type when the reference has no datasets/ or spaces/ prefix.
    #[arg(long, value_enum, default_value = "model")]
    pub repo_type: RepoTypeArg,
    /// One JSON array on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cache: CacheArg,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The repo to update.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub repo: Option<String>,
    /// Every outdated repo in the library.
    #[arg(long)]
    pub all: bool,
    /// Repository type when the reference has no datasets/ or spaces/ prefix.
    #[arg(long, value_enum, default_value = "model")]
    pub repo_type: RepoTypeArg,
    /// One JSON object per updated repository on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cache: CacheArg,
}

const DOCTOR_HELP: &str = "\
Each check prints OK, WARNING or ERROR, and for anything not OK one line saying how to fix it. \
Checks: versions, endpoint (reachable, answers like a Hub), token (valid, and whose), keyring, \
cache_dir (writable), free_space, partial_files (left by interrupted downloads), database (SQLite \
integrity check), notifications and tray (owners on the D-Bus session bus). Only the configured \
endpoint is contacted, and nothing is changed.

Exit codes (doctor's own): 0 every check is OK, 1 some warnings, 2 at least one error.

Examples:
  haul doctor
  haul doctor --json | jq '.checks[] | select(.status != \"ok\")'";

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Check this token instead of the stored ones. Prefer HF_TOKEN: arguments show in process lists.
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// One JSON object on stdout: `status`, `exit_code` and `checks` (`name`, `status`, `detail`, `fix`).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub cache: CacheArg,
}

const COMPLETION_HELP: &str = "\
Completes subcommands, options and their values; in bash, zsh and fish also the repository names \
of your library after show, remove, verify, outdated and update.

--install writes the script where your shell ($SHELL, or the shell named) looks for completions \
and prints the path; running it again replaces the same file:
  bash        ~/.local/share/bash-completion/completions/haul (needs the bash-completion package)
  zsh         ~/.zfunc/_haul (add `fpath+=(~/.zfunc)` before compinit in .zshrc)
  fish        ~/.config/fish/completions/haul.fish
  powershell  ~/.config/powershell/haul-completion.ps1, loaded from your profile

Examples:
  haul completion --install
  source <(haul completion bash)             # this bash session only
  haul completion fish > ~/.config/fish/completions/haul.fish";

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell; with --install, the one in $SHELL when not given.
    #[arg(value_enum, required_unless_present = "install")]
    pub shell: Option<CompletionShell>,
    /// Write the script to your shell's completion folder instead of printing it.
    #[arg(long)]
    pub install: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl CompletionShell {
    pub fn name(self) -> &'static str {
        match self {
            CompletionShell::Bash => "bash",
            CompletionShell::Zsh => "zsh",
            CompletionShell::Fish => "fish",
            CompletionShell::Powershell => "PowerShell",
        }
    }
}

const LOGS_HELP: &str = "\
Logs are daily files in Haul's state dir (~/.local/state/haul, or $HAUL_HOME/state): \
haul.YYYY-MM-DD.log for the desktop app and CLI commands, daemon.YYYY-MM-DD.log for `haul daemon`; \
14 days are kept. Tokens, Authorization values and token= parameters are masked (***) before a \
line is written.

Examples:
  haul logs                 # the last 50 lines of the app's log
  haul logs -f --daemon     # follow the service's log (Ctrl-C stops)
  haul -vv download org/model && haul logs --lines 200";

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Keep printing lines as they are written (across the daily switch to a new file).
    #[arg(short, long)]
    pub follow: bool,
    /// How many lines from the end to print first.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 50)]
    pub lines: usize,
    /// The log of the desktop app and CLI commands (the default).
    #[arg(long, conflicts_with = "daemon")]
    pub app: bool,
    /// The log of the background service (`haul daemon`).
    #[arg(long)]
    pub daemon: bool,
    /// Print the log file's path instead of its lines.
    #[arg(long, conflicts_with = "follow")]
    pub path: bool,
}

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Write a systemd user unit for this `haul` (~/.config/systemd/user/haul.service) and exit.
    #[arg(long)]
    pub install_user_unit: bool,
}
