//! `haul download`: plan, show, queue or run the download, and report what happened. A download run
//! here follows the bandwidth-by-time rules (`haul limits`) unless `--limit-rate` was given.

use std::io::IsTerminal;

use haul::events::Event;
use haul::{Destination, DownloadRequest, Haul, Notification, Plan};
use tokio::sync::broadcast::error::RecvError;

use crate::cli::DownloadArgs;
use crate::output::progress::{self, Bars};
use crate::output::{human, json};

/// How the run talks to the user.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Json,
    Quiet,
    Human { bars: bool },
}

pub async fn run(haul: &Haul, args: DownloadArgs) -> Result<(), haul::Error> {
    let mode = if args.json {
        Mode::Json
    } else if args.quiet {
        Mode::Quiet
    } else {
        Mode::Human {
            bars: std::io::stderr().is_terminal(),
        }
    };
    let mut repo = haul.parse_ref(&args.repo, args.repo_type.into())?;
    if let Some(revision) = args.revision {
        repo.revision = Some(revision);
    }
    let mut request = DownloadRequest::new(repo);
    request.files = args.files;
    request.include = args.include;
    request.exclude = args.exclude;
    // Recorded as absolute paths: the library must find them again from any folder.
    let absolute = |dir: std::path::PathBuf| std::path::absolute(&dir).unwrap_or(dir);
    request.destination = match (args.local_dir, args.cache_dir) {
        (Some(dir), _) => Destination::LocalDir(absolute(dir)),
        (None, Some(dir)) => Destination::CacheDir(absolute(dir)),
        (None, None) => Destination::DefaultCache,
    };

    let plan = match haul.plan(&request).await {
        Ok(plan) => plan,
        Err(e) => {
            // With --notify, a download that cannot even start is announced too (the facade
            // announces the end of one that ran).
            let repo = &request.repo;
            haul.notify(Notification::failed(
                &format!("{}{}", repo.repo_type.url_prefix(), repo.repo_id),
                &e,
            ));
            haul.flush_notifications().await;
            return Err(e);
        }
    };
    if args.dry_run {
        show_plan(&plan, mode);
        return Ok(());
    }
    if args.queue {
        return queue(haul, &plan, args.priority.unwrap_or(0), mode).await;
    }
    if mode == Mode::Json {
        json::line("plan", &plan);
    } else if let Mode::Human { .. } = mode {
        eprintln!("{}", plan_headline(&plan));
        if plan.files.is_empty() {
            eprintln!("No file matches the request (check FILES, --include and --exclude).");
        }
    }

    let mut options = haul.transfer_options();
    if let Some(workers) = args.max_workers {
        options.max_workers = usize::from(workers);
    }
    let events = haul.subscribe();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let renderer = tokio::spawn(render_events(events, mode, plan.bytes_to_fetch(), stopped));
    // The flag wins over the rules; the rules over the setting (they fall back to it).
    let result = if args.limit_rate.is_some() {
        haul.download(&plan, &options).await
    } else {
        tokio::select! {
            result = haul.download(&plan, &options) => result,
            never = haul.follow_bandwidth_rules() => match never {},
        }
    };
    let _ = stop.send(());
    let _ = renderer.await;
    // The process exits next: show the notification now rather than after its batching window.
    haul.flush_notifications().await;

    let report = result?;
    match mode {
        Mode::Json => json::line("result", &report),
        Mode::Quiet => println!("{}", report.path.display()),
        Mode::Human { .. } => {
            if report.files_fetched == 0 {
                eprintln!(
                    "Already up to date: {} ({}) {} here; nothing was fetched.",
                    human::count(report.files_total, "file"),
                    human::bytes(report.bytes_total),
                    if report.files_total == 1 { "is" } else { "are" }
                );
            } else {
                eprintln!(
                    "Fetched and verified {}, {}; {} already here.",
                    human::count(report.files_fetched, "file"),
                    progress::summary(report.bytes_fetched, report.elapsed_secs),
                    match report.files_already_present {
                        1 => "1 was".to_string(),
                        n => format!("{n} were"),
                    }
                );
            }
            println!("{}", report.path.display());
        }
    }
    Ok(())
}

/// `--queue`: records the job and returns; the service runs it.
async fn queue(haul: &Haul, plan: &Plan, priority: i64, mode: Mode) -> Result<(), haul::Error> {
    let id = haul.enqueue(plan, priority).await?;
    let service = super::jobs::service_running(haul);
    match mode {
        Mode::Json => json::line(
            "queued",
            &serde_json::json!({
                "job": id,
                "priority": priority,
                "service_running": service,
                "bytes_to_fetch": plan.bytes_to_fetch(),
            }),
        ),
        Mode::Quiet => println!("{id}"),
        Mode::Human { .. } => {
            println!("{id}");
            eprintln!(
                "Queued as job {id} (priority {priority}); `haul queue` shows it.{}",
                super::jobs::no_service_note(haul)
            );
        }
    }
    Ok(())
}

fn plan_headline(plan: &Plan) -> String {
    let target = format!("{}{}", plan.repo_type.url_prefix(), plan.repo_id);
    format!(
        "{target}@{} ({}): {}, {}; to fetch: {}, {}",
        plan.revision,
        human::short_commit(&plan.commit),
        human::count(plan.files.len(), "file"),
        human::bytes(plan.total_bytes()),
        human::count(plan.files_to_fetch(), "file"),
        human::bytes(plan.bytes_to_fetch()),
    )
}

fn show_plan(plan: &Plan, mode: Mode) {
    match mode {
        Mode::Json => json::line("plan", plan),
        Mode::Quiet => {
            for file in plan.files.iter().filter(|f| f.needs_bytes()) {
                println!("{}", file.path);
            }
        }
        Mode::Human { .. } => {
            println!("{}", plan_headline(plan));
            println!("into {}", plan.destination.display());
            let width = plan
                .files
                .iter()
                .map(|f| f.path.len())
                .max()
                .unwrap_or(4)
                .clamp(4, 80);
            println!("{:<width$}  {:>10}  {:<8}  status", "file", "size", "hash");
            for file in &plan.files {
                let status = match file.presence {
                    haul::cache::Presence::Present => "already here",
                    haul::cache::Presence::ContentOnly => "in cache, will link",
                    haul::cache::Presence::Missing if file.resumed_bytes > 0 => {
                        "to fetch (resumes)"
                    }
                    haul::cache::Presence::Missing => "to fetch",
                };
                let kind = if file.lfs { "sha256" } else { "git-sha1" };
                println!(
                    "{:<width$}  {:>10}  {kind:<8}  {status}",
                    file.path,
                    human::bytes(file.size)
                );
            }
            if let Some(free) = plan.free_space {
                let verdict = if free >= plan.bytes_to_fetch() {
                    "enough"
                } else {
                    "NOT enough"
                };
                println!(
                    "free space at the destination: {} ({verdict})",
                    human::bytes(free)
                );
            }
            if plan.gated {
                println!("this repository is gated: downloads need a token of an approved account");
            }
        }
    }
}

async fn render_events(
    mut events: tokio::sync::broadcast::Receiver<Event>,
    mode: Mode,
    bytes_to_fetch: u64,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let mut bars = match mode {
        Mode::Human { bars: true } if bytes_to_fetch > 0 => Some(Bars::new(bytes_to_fetch)),
        _ => None,
    };
    let mut stopping = false;
    loop {
        let event = if stopping {
            // Drain what is already queued, then finish.
            match events.try_recv() {
                Ok(event) => event,
                Err(_) => break,
            }
        } else {
            tokio::select! {
                _ = &mut stop => { stopping = true; continue; }
                received = events.recv() => match received {
                    Ok(event) => event,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                },
            }
        };
        match mode {
            Mode::Json => match &event {
                Event::Progress(snapshot) => json::line("progress", snapshot),
                other => json::line("event", other),
            },
            Mode::Quiet => {}
            Mode::Human { .. } => match (&event, bars.as_mut()) {
                (Event::Progress(snapshot), Some(bars)) => bars.update(snapshot),
                (
                    Event::FileRetrying {
                        path,
                        attempt,
                        reason,
                    },
                    bars,
                ) => {
                    say(
                        bars.as_deref(),
                        &format!("retrying {path} (attempt {attempt}): {reason}"),
                    );
                }
                (Event::FileFailed { path, error }, bars) => {
                    say(bars.as_deref(), &format!("failed: {path}: {error}"))
                }
                (
                    Event::FileVerified {
                        path,
                        size,
                        algorithm,
                    },
                    None,
                ) => {
                    eprintln!("verified {path} ({}, {algorithm})", human::bytes(*size));
                }
                _ => {}
            },
        }
    }
    if let Some(bars) = bars {
        bars.finish();
    }
}

fn say(bars: Option<&Bars>, line: &str) {
    match bars {
        Some(bars) => bars.println(line),
        None => eprintln!("{line}"),
    }
}
