//! `haul schedule …` and `haul limits …`: turn the flags into core values (the core parses and
//! checks cron expressions, times, intervals, windows and rules), call the facade, render.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use haul::Haul;
use haul::events::Event;
use haul::schedule::{
    BandwidthRule, CronExpr, CurrentLimit, Interval, LastResult, NewSchedule, Policy, RunOptions,
    RunOutcome, ScheduleDestination, ScheduleEdit, ScheduleError, ScheduleInfo, ScheduleTarget,
    Trigger, Window, local_instant, local_zone, parse_at, relative, zone_name,
};
use haul::transfer::Control;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::cli::schedule::{
    LimitsArgs, LimitsCommand, RunNowArgs, ScheduleAddArgs, ScheduleArgs, ScheduleCommand,
    ScheduleEditArgs,
};
use crate::output::progress::Bars;
use crate::output::{human, json, table};

pub async fn schedule(haul: &Haul, args: ScheduleArgs) -> Result<(), haul::Error> {
    let now = Timestamp::now();
    match args.command {
        ScheduleCommand::Add(a) => add(haul, a, now).await,
        ScheduleCommand::List(a) => {
            let infos: Vec<ScheduleInfo> = haul
                .schedules()
                .await?
                .into_iter()
                .map(|s| haul.schedule_info(s, now, 3))
                .collect();
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string(&infos).unwrap_or_else(|_| "[]".into())
                );
            } else if infos.is_empty() {
                eprintln!(
                    "No schedules. `haul schedule add org/name --cron '0 2 * * *' --sync` adds one."
                );
            } else {
                for (i, info) in infos.iter().enumerate() {
                    if i > 0 {
                        println!();
                    }
                    print_info(info, false);
                }
            }
            Ok(())
        }
        ScheduleCommand::Show(a) => {
            let info = haul.schedule_info(haul.schedule(a.id).await?, now, 3);
            emit(&info, a.json, None, true);
            Ok(())
        }
        ScheduleCommand::Edit(a) => edit(haul, a, now).await,
        ScheduleCommand::Pause(a) => {
            let info = haul.schedule_info(haul.pause_schedule(a.id).await?, now, 3);
            emit(
                &info,
                a.json,
                Some(format!(
                    "Paused schedule {}: it will not run until `haul schedule resume {}`.",
                    a.id, a.id
                )),
                false,
            );
            Ok(())
        }
        ScheduleCommand::Resume(a) => {
            let info = haul.schedule_info(haul.resume_schedule(a.id, now).await?, now, 3);
            emit(
                &info,
                a.json,
                Some(format!("Resumed schedule {}.", a.id)),
                false,
            );
            Ok(())
        }
        ScheduleCommand::Remove(a) => {
            haul.remove_schedule(a.id).await?;
            if a.json {
                println!("{}", serde_json::json!({ "removed": a.id }));
            } else {
                eprintln!(
                    "Removed schedule {}; what it downloaded stays (`haul remove` deletes it).",
                    a.id
                );
            }
            Ok(())
        }
        ScheduleCommand::RunNow(a) => run_now(haul, a, now).await,
    }
}

/// The one trigger given, parsed by the core.
fn trigger(
    cron: Option<String>,
    at: Option<String>,
    every: Option<String>,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<Option<Trigger>, haul::Error> {
    Ok(match (cron, at, every) {
        (Some(expr), _, _) => Some(Trigger::Cron(CronExpr::parse(&expr)?)),
        (_, Some(at), _) => Some(Trigger::At(parse_at(&at, now, tz)?)),
        (_, _, Some(every)) => Some(Trigger::Every(Interval::parse(&every)?)),
        _ => None,
    })
}

fn windows(texts: &[String]) -> Result<Vec<Window>, haul::Error> {
    Ok(texts
        .iter()
        .map(|w| Window::parse(w))
        .collect::<Result<Vec<_>, _>>()?)
}

fn absolute(path: &Path) -> Result<PathBuf, haul::Error> {
    std::path::absolute(path).map_err(|e| {
        ScheduleError::Invalid(format!("cannot make {} absolute: {e}", path.display())).into()
    })
}

async fn add(haul: &Haul, a: ScheduleAddArgs, now: Timestamp) -> Result<(), haul::Error> {
    let tz = local_zone();
    let repo = haul.parse_ref(&a.repo, a.repo_type.into())?;
    let mut include = a.include;
    if let Some(folder) = &repo.folder {
        include.push(format!("{}/", folder.trim_end_matches('/')));
    }
    if let Some(file) = &repo.file {
        include.push(file.clone());
    }
    let destination = match (a.local_dir, a.cache_dir) {
        (Some(dir), _) => ScheduleDestination::LocalDir(absolute(&dir)?),
        (None, Some(dir)) => ScheduleDestination::Cache(absolute(&dir)?),
        (None, None) => ScheduleDestination::Cache(haul.cache_root().to_path_buf()),
    };
    let new = NewSchedule {
        name: a.name,
        target: ScheduleTarget {
            repo_type: repo.repo_type,
            revision: a
                .revision
                .or(repo.revision)
                .unwrap_or_else(|| "main".into()),
            repo_id: repo.repo_id,
            include,
            exclude: a.exclude,
            destination,
        },
        trigger: trigger(a.cron, a.at, a.every, now, &tz)?
            .ok_or_else(|| ScheduleError::Invalid("give one of --cron, --at or --every".into()))?,
        policy: if a.sync {
            Policy::Sync { keep: a.keep }
        } else {
            Policy::Download
        },
        windows: windows(&a.windows)?,
        catch_up: !a.no_catch_up,
        paused: a.paused,
    };
    let schedule = haul.add_schedule(new, now).await?;
    let id = schedule.id;
    let info = haul.schedule_info(schedule, now, 3);
    emit(&info, a.json, Some(format!("Added schedule {id}.")), false);
    if !a.json {
        eprintln!(
            "Schedules run while a Haul service runs (the desktop app or `haul daemon`); `haul schedule run-now {id} --here` runs it now."
        );
    }
    Ok(())
}

async fn edit(haul: &Haul, a: ScheduleEditArgs, now: Timestamp) -> Result<(), haul::Error> {
    let tz = local_zone();
    let current = haul.schedule(a.id).await?;
    let mut edit = ScheduleEdit {
        trigger: trigger(a.cron, a.at, a.every, now, &tz)?,
        revision: a.revision,
        ..ScheduleEdit::default()
    };
    if a.no_name {
        edit.name = Some(None);
    } else if let Some(name) = a.name {
        edit.name = Some(Some(name));
    }
    let kept = match current.policy {
        Policy::Sync { keep } => Some(keep),
        Policy::Download => None,
    };
    if a.download {
        edit.policy = Some(Policy::Download);
    } else if a.sync || a.keep.is_some() || a.keep_all {
        if !a.sync && kept.is_none() {
            return Err(ScheduleError::Invalid(format!(
                "schedule {} downloads without syncing, and --keep applies to sync schedules: add --sync",
                a.id
            ))
            .into());
        }
        let keep = match (a.keep, a.keep_all) {
            (Some(n), _) => Some(n),
            (None, true) => None,
            (None, false) => kept.flatten(),
        };
        edit.policy = Some(Policy::Sync { keep });
    }
    if a.no_windows {
        edit.windows = Some(Vec::new());
    } else if !a.windows.is_empty() {
        edit.windows = Some(windows(&a.windows)?);
    }
    if a.catch_up {
        edit.catch_up = Some(true);
    } else if a.no_catch_up {
        edit.catch_up = Some(false);
    }
    if a.no_filters {
        edit.include = Some(Vec::new());
        edit.exclude = Some(Vec::new());
    } else {
        edit.include = (!a.include.is_empty()).then_some(a.include);
        edit.exclude = (!a.exclude.is_empty()).then_some(a.exclude);
    }
    if edit.is_empty() {
        return Err(ScheduleError::Invalid(
            "nothing to change: give a new --cron, --at or --every, --sync or --download, --keep, --window or --no-windows, --name, --revision, --include or --exclude".into(),
        )
        .into());
    }
    let info = haul.schedule_info(haul.edit_schedule(a.id, &edit, now).await?, now, 3);
    emit(
        &info,
        a.json,
        Some(format!("Changed schedule {}.", a.id)),
        false,
    );
    Ok(())
}

async fn run_now(haul: &Haul, a: RunNowArgs, now: Timestamp) -> Result<(), haul::Error> {
    if !a.here {
        let info = haul.schedule_info(haul.request_schedule_run(a.id, now).await?, now, 3);
        if a.json {
            println!(
                "{}",
                serde_json::to_string(&info).unwrap_or_else(|_| "{}".into())
            );
        } else {
            eprintln!(
                "Schedule {} ({}) will run as soon as the Haul service (the desktop app or `haul daemon`) looks, within seconds.\n\
                 No service running? `haul schedule run-now {} --here` runs it in this terminal.",
                a.id, info.label, a.id
            );
        }
        return Ok(());
    }
    let limit = haul.apply_current_limit(now).await?;
    let show_bars = !a.json && std::io::stderr().is_terminal();
    if !a.json && limit.bytes_per_sec().is_some() {
        eprintln!("Bandwidth limit now: {}.", limit.describe());
    }
    let mut events = haul.subscribe();
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let renderer = tokio::spawn(async move {
        let mut bars: Option<Bars> = None;
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                event = events.recv() => match event {
                    Ok(Event::Progress(snapshot)) if show_bars => {
                        bars.get_or_insert_with(|| Bars::new(snapshot.bytes_total)).update(&snapshot);
                    }
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => break,
                },
            }
        }
        if let Some(bars) = bars {
            bars.finish();
        }
    });
    let options = RunOptions {
        control: Control::new(),
        honour_windows: false,
    };
    let result = haul.run_schedule_with(a.id, now, &options).await;
    let _ = stop.send(());
    let _ = renderer.await;
    let outcome = result?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string(&outcome).unwrap_or_else(|_| "{}".into())
        );
    } else {
        print_outcome(&outcome, now, &local_zone());
    }
    Ok(())
}

fn print_outcome(outcome: &RunOutcome, now: Timestamp, tz: &TimeZone) {
    let commit = human::short_commit(&outcome.commit);
    match (&outcome.result, &outcome.download) {
        (LastResult::Unchanged, _) => println!(
            "Schedule {}: unchanged at commit {commit}; nothing fetched.",
            outcome.schedule_id
        ),
        (_, Some(report)) if report.files_fetched == 0 => println!(
            "Schedule {}: commit {commit} was already here ({} files); nothing fetched.",
            outcome.schedule_id, report.files_total
        ),
        (_, Some(report)) => println!(
            "Schedule {}: fetched commit {commit}: {} of {} files, {} in {}, into {}.",
            outcome.schedule_id,
            report.files_fetched,
            report.files_total,
            human::bytes(report.bytes_fetched),
            human::duration(report.elapsed_secs),
            report.path.display()
        ),
        (_, None) => println!("Schedule {}: done at commit {commit}.", outcome.schedule_id),
    }
    if !outcome.pruned.is_empty() {
        println!(
            "Removed {} older revision(s) ({}), {} freed.",
            outcome.pruned.len(),
            outcome
                .pruned
                .iter()
                .map(|c| human::short_commit(c))
                .collect::<Vec<_>>()
                .join(", "),
            human::bytes(outcome.bytes_freed)
        );
    }
    match outcome.next_run {
        Some(next) => println!(
            "Next run {} ({}).",
            relative(now, next),
            local_instant(next, tz)
        ),
        None => println!("No run left: it was a one-shot."),
    }
}

/// One schedule: as JSON, or as text after an optional headline.
fn emit(info: &ScheduleInfo, as_json: bool, headline: Option<String>, full: bool) {
    if as_json {
        println!(
            "{}",
            serde_json::to_string(info).unwrap_or_else(|_| "{}".into())
        );
        return;
    }
    if let Some(headline) = headline {
        eprintln!("{headline}");
    }
    print_info(info, full);
}

fn print_info(info: &ScheduleInfo, full: bool) {
    let s = &info.schedule;
    let tz = local_zone();
    let mut title = format!("{}  {}", s.id, info.label);
    if let Some(name) = &s.name {
        title.push_str(&format!("  \"{name}\""));
    }
    if s.paused {
        title.push_str("  (paused)");
    }
    if s.run_requested {
        title.push_str("  (run requested)");
    }
    println!("{title}");
    let row = |label: &str, value: &str| println!("   {label:<8} {value}");
    let when = match &s.trigger {
        Trigger::Cron(c) if !info.when.contains(c.as_str()) => {
            format!("{} (cron {})", info.when, c.as_str())
        }
        _ => info.when.clone(),
    };
    let catch_up = if s.catch_up {
        "runs missed while no service ran: once at start"
    } else {
        "runs missed while no service ran: skipped"
    };
    row("when", &when);
    if full {
        row("", catch_up);
    }
    row("policy", &info.policy_words);
    row("windows", &info.windows_words);
    let into = match &s.target.destination {
        ScheduleDestination::Cache(p) => format!("HF cache {}", p.display()),
        ScheduleDestination::LocalDir(p) => format!("local dir {}", p.display()),
    };
    row("into", &into);
    if full || !s.target.include.is_empty() || !s.target.exclude.is_empty() {
        let list = |globs: &[String]| {
            if globs.is_empty() {
                "-".to_string()
            } else {
                globs.join(" ")
            }
        };
        row(
            "files",
            &format!(
                "include {}; exclude {}",
                list(&s.target.include),
                list(&s.target.exclude)
            ),
        );
    }
    if info.upcoming.is_empty() {
        row(
            "next",
            if s.paused {
                "none while paused"
            } else {
                "none: no run left"
            },
        );
    }
    let width = info
        .upcoming
        .iter()
        .map(|u| u.words.chars().count())
        .max()
        .unwrap_or(0);
    for (i, upcoming) in info.upcoming.iter().enumerate() {
        row(
            if i == 0 { "next" } else { "" },
            &format!("{:<width$}  {}", upcoming.words, upcoming.local),
        );
    }
    match (s.last_run, s.last_result) {
        (Some(at), Some(result)) => {
            let mut last = format!("{}: {}", local_instant(at, &tz), result.as_str());
            if let Some(commit) = &s.last_commit {
                last.push_str(&format!(" (commit {})", human::short_commit(commit)));
            }
            if let (LastResult::Failed, Some(error)) = (result, &s.last_error) {
                last.push_str(&format!(": {error}"));
            }
            row("last", &last);
        }
        _ => row("last", "never run"),
    }
    if full {
        row("zone", &info.zone);
        row(
            "created",
            &format!(
                "{}, changed {}",
                local_instant(s.created_at, &tz),
                local_instant(s.updated_at, &tz)
            ),
        );
    }
}

pub async fn limits(haul: &Haul, args: LimitsArgs) -> Result<(), haul::Error> {
    let now = Timestamp::now();
    let as_json = args.json();
    match args.command {
        None | Some(LimitsCommand::List { .. }) => {
            let rules = haul.limits().await?;
            let current = haul.current_limit(now).await?;
            if as_json {
                println!(
                    "{}",
                    serde_json::json!({
                        "rules": rules,
                        "current": current,
                        "zone": zone_name(&local_zone()),
                    })
                );
                return Ok(());
            }
            if rules.is_empty() {
                println!("No bandwidth rules. `haul limits add Mon-Fri 08:00-19:00 5M` adds one.");
            } else {
                let rows: Vec<Vec<String>> = rules
                    .iter()
                    .map(|r| {
                        vec![
                            r.id.map(|i| i.to_string()).unwrap_or_default(),
                            r.window.days.to_string(),
                            r.window.start.to_string(),
                            r.window.end.to_string(),
                            rate(r),
                        ]
                    })
                    .collect();
                table::print(&["ID", "DAYS", "FROM", "TO", "LIMIT"], &rows);
            }
            println!("{}", now_line(&current, now));
            Ok(())
        }
        Some(LimitsCommand::Add { rule, .. }) => {
            let rule = haul
                .add_limit(BandwidthRule::parse(&rule.join(" "))?)
                .await?;
            if as_json {
                json::line("rule", &rule);
            } else {
                eprintln!(
                    "Added rule {}: {}.",
                    rule.id.unwrap_or_default(),
                    rule.describe()
                );
                println!("{}", now_line(&haul.current_limit(now).await?, now));
            }
            Ok(())
        }
        Some(LimitsCommand::Remove { id, .. }) => {
            haul.remove_limit(id).await?;
            if as_json {
                println!("{}", serde_json::json!({ "removed": id }));
            } else {
                eprintln!("Removed rule {id}.");
            }
            Ok(())
        }
    }
}

fn rate(rule: &BandwidthRule) -> String {
    match rule.limit.bytes_per_sec() {
        None => "unlimited".into(),
        Some(_) => format!("{}/s", rule.limit),
    }
}

/// "now: 5MB/s (rule 1: Mon–Fri 08:00–19:00), until 2026-11-21 19:00 +01:00 (in 3 hours)".
fn now_line(current: &CurrentLimit, now: Timestamp) -> String {
    let mut line = format!("now: {}", current.describe());
    if let Some(until) = current.until {
        line.push_str(&format!(
            ", until {} ({})",
            local_instant(until, &local_zone()),
            relative(now, until)
        ));
    }
    line
}
