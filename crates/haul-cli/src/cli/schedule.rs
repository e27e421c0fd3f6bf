//! `haul schedule …` and `haul limits …`: their subcommands and flags. Parsing only; the values
//! (cron expressions, times, intervals, windows, rules) are checked by the core when the command runs,
//! so `--json` reports them like any other error.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand};

use super::RepoTypeArg;

pub const SCHEDULE_HELP: &str = "\
Triggers (one of):
  --cron EXPR   5 fields (minute hour day-of-month month day-of-week) or 6 (second first),
                on the local clock: '0 2 * * *' (02:00 nightly), '*/30 * * * *', '0 9 * * Mon-Fri'
  --at TIME     once: RFC 3339 (2026-12-01T02:00:00Z) or local 'YYYY-MM-DD HH:MM'
  --every DUR   real time between runs: 30m, 6h, 1d, 1w, 1h30m (at least 1m); the first run
                is one interval from now
Windows: --window 'Mon-Fri 01:00-06:00' (repeatable; also 'Sat,Sun 00:00-24:00',
  'daily 22:00-06:00'): transfers started by the schedule pause outside them.
Daylight saving: a fixed time the clock skips (02:30 on the spring-forward night) runs once,
  at the end of the gap (03:00); one the clock repeats runs once, the first time; hourly and
  finer patterns run every real hour, neither skipping nor doubling.
Runs need a running service (the desktop app or `haul daemon`); `run-now --here` runs one in \
this terminal, and stops with exit code 11 while the schedule runs elsewhere. An unknown schedule \
number is exit code 3.

Examples:
  haul schedule add org/model --cron '0 2 * * *' --sync --keep 2 --window 'Mon-Fri 01:00-06:00'
  haul schedule add datasets/org/data --every 6h --sync --include '*.parquet'
  haul schedule add org/model@v2 --at '2026-12-24 03:00'
  haul schedule list
  haul schedule edit 1 --cron '30 3 * * *' --no-windows
  haul schedule run-now 1 --here";

pub const LIMITS_HELP: &str = "\
A rule is days, a local time range and a rate: 'Mon-Fri 08:00-19:00 5M', \
'daily 22:00-06:00 unlimited', 'Sat,Sun 00:00-24:00 20MiB'. Where a rule holds, it limits every \
download of the desktop app, `haul daemon` and `haul download` without --limit-rate (running ones \
too); where several hold, the lowest wins; where none holds, the bandwidth_limit setting applies. \
Rates as in bandwidth_limit: K/M/G are powers of 1000, Ki/Mi/Gi of 1024.

Examples:
  haul limits add Mon-Fri 08:00-19:00 5M
  haul limits
  haul limits remove 1";

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    #[command(subcommand)]
    pub command: ScheduleCommand,
}

impl ScheduleArgs {
    pub fn json(&self) -> bool {
        match &self.command {
            ScheduleCommand::Add(a) => a.json,
            ScheduleCommand::List(a) => a.json,
            ScheduleCommand::Edit(a) => a.json,
            ScheduleCommand::RunNow(a) => a.json,
            ScheduleCommand::Show(a)
            | ScheduleCommand::Pause(a)
            | ScheduleCommand::Resume(a)
            | ScheduleCommand::Remove(a) => a.json,
        }
    }

    /// `run-now --here --token T`.
    pub fn token(&self) -> Option<&str> {
        match &self.command {
            ScheduleCommand::RunNow(a) => a.token.as_deref(),
            _ => None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Add a schedule: a repository, a trigger (--cron, --at or --every), and how to run it.
    Add(ScheduleAddArgs),
    /// Every schedule with its next three runs, in words and as local times with their UTC offset.
    List(ScheduleListArgs),
    /// One schedule in full: target, filters, trigger, windows, next runs, last result.
    Show(ScheduleIdArgs),
    /// Change a schedule: a new trigger, policy, windows, filters or name.
    Edit(ScheduleEditArgs),
    /// Stop a schedule from running until `resume` (runs due meanwhile are skipped).
    Pause(ScheduleIdArgs),
    /// Let a paused schedule run again, from its next run after now.
    Resume(ScheduleIdArgs),
    /// Delete a schedule (what it downloaded stays).
    Remove(ScheduleIdArgs),
    /// Run a schedule now: the running service picks it up within seconds; --here runs it in this terminal.
    RunNow(RunNowArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("when").required(true).multiple(false).args(["cron", "at", "every"])))]
pub struct ScheduleAddArgs {
    /// org/name, datasets/org/name, org/name@revision, or a Hub URL.
    pub repo: String,

    /// A cron expression on the local clock: 5 fields, or 6 with the second first.
    #[arg(long, value_name = "EXPR")]
    pub cron: Option<String>,

    /// Once, at this time: RFC 3339, or local 'YYYY-MM-DD HH:MM'.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// Every so much real time: 30m, 6h, 1d, 1w, 1h30m (at least 1 minute).
    #[arg(long, value_name = "DURATION")]
    pub every: Option<String>,

    /// Sync: ask the Hub for the commit first and fetch only when it changed.
    #[arg(long)]
    pub sync: bool,

    /// With --sync: keep the newest N revisions in the cache, removing older ones after each fetch.
    #[arg(long, value_name = "N", requires = "sync", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,

    /// Allowed window, e.g. 'Mon-Fri 01:00-06:00' (repeatable): transfers pause outside them.
    #[arg(long = "window", value_name = "WINDOW")]
    pub windows: Vec<String>,

    /// Skip runs missed while no service was running, instead of running once at start.
    #[arg(long)]
    pub no_catch_up: bool,

    /// Add it paused.
    #[arg(long)]
    pub paused: bool,

    /// A name to recognise it by.
    #[arg(long)]
    pub name: Option<String>,

    /// Branch, tag, commit or refs/pr/N (default: main, or what the reference names).
    #[arg(long, short = 'r')]
    pub revision: Option<String>,

    /// Only files matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Skip files matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Repository type when the reference has no datasets/ or spaces/ prefix.
    #[arg(long, value_enum, default_value = "model")]
    pub repo_type: RepoTypeArg,

    /// HF cache root to download into [default: the current HF cache, fixed when the schedule is added].
    #[arg(long, value_name = "DIR", conflicts_with = "local_dir")]
    pub cache_dir: Option<PathBuf>,

    /// Put real files in DIR instead of the cache.
    #[arg(long, value_name = "DIR", conflicts_with = "keep")]
    pub local_dir: Option<PathBuf>,

    /// The schedule as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScheduleListArgs {
    /// One JSON array on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScheduleIdArgs {
    /// The schedule's number, as `haul schedule list` shows it.
    pub id: i64,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("when").multiple(false).args(["cron", "at", "every"])))]
pub struct ScheduleEditArgs {
    /// The schedule's number, as `haul schedule list` shows it.
    pub id: i64,

    /// New trigger: a cron expression.
    #[arg(long, value_name = "EXPR")]
    pub cron: Option<String>,

    /// New trigger: once, at this time.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// New trigger: every so much real time.
    #[arg(long, value_name = "DURATION")]
    pub every: Option<String>,

    /// Make it a sync schedule.
    #[arg(long, conflicts_with = "download")]
    pub sync: bool,

    /// Make it a plain download schedule.
    #[arg(long)]
    pub download: bool,

    /// Keep the newest N revisions (sync only).
    #[arg(long, value_name = "N", conflicts_with_all = ["download", "keep_all"], value_parser = clap::value_parser!(u32).range(1..))]
    pub keep: Option<u32>,

    /// Keep every revision (sync).
    #[arg(long, conflicts_with = "download")]
    pub keep_all: bool,

    /// Replace the windows with these (repeatable).
    #[arg(long = "window", value_name = "WINDOW", conflicts_with = "no_windows")]
    pub windows: Vec<String>,

    /// Remove the windows: transfer any time.
    #[arg(long)]
    pub no_windows: bool,

    /// Run once at start for runs missed while no service ran.
    #[arg(long, conflicts_with = "no_catch_up")]
    pub catch_up: bool,

    /// Skip runs missed while no service ran.
    #[arg(long)]
    pub no_catch_up: bool,

    /// New name.
    #[arg(long, conflicts_with = "no_name")]
    pub name: Option<String>,

    /// Remove the name.
    #[arg(long)]
    pub no_name: bool,

    /// New revision.
    #[arg(long, short = 'r')]
    pub revision: Option<String>,

    /// Replace the include globs with these (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Replace the exclude globs with these (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Remove every include and exclude glob.
    #[arg(long, conflicts_with_all = ["include", "exclude"])]
    pub no_filters: bool,

    /// The schedule as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RunNowArgs {
    /// The schedule's number, as `haul schedule list` shows it.
    pub id: i64,

    /// Run it in this process now (even outside its windows), instead of asking the service.
    #[arg(long)]
    pub here: bool,

    /// With --here: a Hub token (else HF_TOKEN, the OS keyring, the token file).
    #[arg(long, value_name = "TOKEN", requires = "here", hide_env_values = true)]
    pub token: Option<String>,

    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LimitsArgs {
    #[command(subcommand)]
    pub command: Option<LimitsCommand>,

    /// With no subcommand: the rules and the limit now, as one JSON object.
    #[arg(long)]
    pub json: bool,
}

impl LimitsArgs {
    pub fn json(&self) -> bool {
        match &self.command {
            None => self.json,
            Some(LimitsCommand::Add { json, .. })
            | Some(LimitsCommand::List { json })
            | Some(LimitsCommand::Remove { json, .. }) => *json || self.json,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum LimitsCommand {
    /// Add a rule: days, a local time range and a rate, e.g. Mon-Fri 08:00-19:00 5M.
    Add {
        /// The rule, as one argument or several words.
        #[arg(required = true, num_args = 1.., value_name = "RULE")]
        rule: Vec<String>,
        /// The rule as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The rules, and the limit in force now and why (the default).
    List {
        /// One JSON object: the rules and the current limit.
        #[arg(long)]
        json: bool,
    },
    /// Remove a rule by its number.
    Remove {
        /// The rule's number, as `haul limits` shows it.
        id: i64,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
}
