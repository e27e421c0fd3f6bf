//! `haul list`, `show`, `remove`, `verify`, `scan` and `prune`: the library, seen and managed from the terminal.

use std::io::{BufRead, IsTerminal, Write};

use haul::Haul;
use haul::events::Event;
use haul::library::{VerifyReport, VerifyTarget};
use haul::registry::ModelFilter;

use crate::cli::{ListArgs, PruneArgs, RemoveArgs, ScanArgs, ShowArgs, VerifyArgs};
use crate::output::progress::Bars;
use crate::output::{human, json, table};

fn short(commit: &str) -> &str {
    human::short_commit(commit)
}

pub async fn list(haul: &Haul, args: ListArgs) -> Result<(), haul::Error> {
    let filter = ModelFilter {
        repo_type: args
            .repo_type
            .map(|t| haul::RepoType::from(t).as_str().to_string()),
        name_contains: args.name,
        // `--cache-dir` narrows the list to that cache (the configured one otherwise shows everything).
        location: args.cache.cache_dir.as_ref().map(|_| {
            let root = haul.cache_root();
            std::path::absolute(root)
                .unwrap_or_else(|_| root.to_path_buf())
                .to_string_lossy()
                .into_owned()
        }),
    };
    let models = haul.list(&filter).await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&models).unwrap_or_else(|_| "[]".into())
        );
        return Ok(());
    }
    if models.is_empty() {
        eprintln!(
            "The library is empty. `haul download org/name` adds to it; `haul scan` imports what other tools downloaded."
        );
        return Ok(());
    }
    let rows: Vec<Vec<String>> = models
        .iter()
        .map(|m| {
            vec![
                m.repo_type.clone(),
                m.repo_id.clone(),
                m.revision.clone(),
                short(&m.commit_sha).to_string(),
                human::bytes(m.size_bytes.max(0) as u64),
                m.state.clone(),
                table::timestamp(m.updated_at),
                m.location.clone(),
            ]
        })
        .collect();
    table::print(
        &[
            "TYPE",
            "REPO",
            "REVISION",
            "COMMIT",
            "SIZE",
            "STATE",
            "UPDATED (UTC)",
            "LOCATION",
        ],
        &rows,
    );
    Ok(())
}

pub async fn show(haul: &Haul, args: ShowArgs) -> Result<(), haul::Error> {
    let repo = haul.parse_ref(&args.repo, args.repo_type.into())?;
    let detail = haul.show(&repo).await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&detail).unwrap_or_else(|_| "{}".into())
        );
        return Ok(());
    }
    println!("{}", detail.repo);
    for record in &detail.records {
        println!(
            "  in {} ({}): {} @ {}, {}, {}, updated {}",
            record.location,
            record.location_kind,
            record.revision,
            short(&record.commit_sha),
            human::bytes(record.size_bytes.max(0) as u64),
            record.state,
            table::timestamp(record.updated_at)
        );
    }
    if let Some(cached) = &detail.cached {
        println!(
            "\nrevisions in the cache ({} on disk):",
            human::bytes(cached.size_on_disk())
        );
        for revision in &cached.revisions {
            let refs = if revision.refs.is_empty() {
                "detached".to_string()
            } else {
                revision.refs.join(", ")
            };
            let size: u64 = revision.files.iter().map(|f| f.size).sum();
            println!(
                "  {}  {:>10}  {} files  {refs}",
                short(&revision.commit),
                human::bytes(size),
                revision.files.len()
            );
        }
    }
    if !detail.files.is_empty() {
        println!("\nfiles:");
        let rows: Vec<Vec<String>> = detail
            .files
            .iter()
            .map(|f| {
                vec![
                    f.path.clone(),
                    human::bytes(f.size_bytes.max(0) as u64),
                    f.algorithm.clone(),
                ]
            })
            .collect();
        table::print(&["PATH", "SIZE", "HASH"], &rows);
    }
    if !detail.history.is_empty() {
        println!("\nhistory:");
        let rows: Vec<Vec<String>> = detail
            .history
            .iter()
            .map(|h| {
                vec![
                    table::timestamp(h.requested_at),
                    h.requested_by.clone(),
                    h.revision.clone(),
                    h.result.clone(),
                    human::bytes(h.bytes_fetched.max(0) as u64),
                    human::duration(h.duration_ms as f64 / 1000.0),
                    format!("{}/s", human::bytes(h.average_speed() as u64)),
                    h.error.clone().unwrap_or_default(),
                ]
            })
            .collect();
        table::print(
            &[
                "WHEN (UTC)",
                "BY",
                "REVISION",
                "RESULT",
                "FETCHED",
                "TIME",
                "SPEED",
                "ERROR",
            ],
            &rows,
        );
    }
    Ok(())
}

/// Asks on the terminal; without a terminal, refuses unless `-y` was given.
fn confirm(question: &str) -> Result<bool, haul::Error> {
    if !std::io::stdin().is_terminal() {
        return Err(haul::library::LibraryError::Confirm.into());
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub async fn remove(haul: &Haul, args: RemoveArgs) -> Result<(), haul::Error> {
    let mut repo = haul.parse_ref(&args.repo, args.repo_type.into())?;
    if args.revision.is_some() {
        repo.revision = args.revision;
    }
    let plan = haul.plan_remove(&repo)?;
    if args.json && args.dry_run {
        json::line("removal", &plan);
        return Ok(());
    }
    if !args.json {
        let what = if plan.whole_repo {
            "all of it".to_string()
        } else {
            format!(
                "revision {}",
                plan.revisions
                    .iter()
                    .map(|c| short(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        eprintln!(
            "{}: removing {what}: {} snapshot(s), {} blob(s), frees {}{}",
            plan.repo,
            plan.revisions.len(),
            plan.blobs.len(),
            human::bytes(plan.bytes_freed),
            if plan.kept_shared.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} blob(s) stay, shared with kept revisions",
                    plan.kept_shared.len()
                )
            }
        );
    }
    if args.dry_run {
        eprintln!("(dry run: nothing removed)");
        return Ok(());
    }
    if !args.yes && !confirm("Remove?")? {
        eprintln!("Nothing removed.");
        return Ok(());
    }
    haul.remove(&repo, &plan).await?;
    if args.json {
        json::line("removed", &plan);
    } else {
        eprintln!("Removed; {} freed.", human::bytes(plan.bytes_freed));
    }
    Ok(())
}

pub async fn verify(haul: &Haul, args: VerifyArgs) -> Result<(), haul::Error> {
    let target = match &args.repo {
        Some(reference) => VerifyTarget::Repo(haul.parse_ref(reference, args.repo_type.into())?),
        None => VerifyTarget::All,
    };
    let show_bars = !args.json && std::io::stderr().is_terminal();
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
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => break,
                },
            }
        }
        if let Some(bars) = bars {
            bars.finish();
        }
    });
    let result = haul.verify(&target, args.repair).await;
    let _ = stop.send(());
    let _ = renderer.await;
    let reports = result?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&reports).unwrap_or_else(|_| "[]".into())
        );
    } else {
        for report in &reports {
            print_report(report);
        }
    }
    let bad = reports.iter().filter(|r| !r.is_ok()).count();
    if bad > 0 {
        return Err(haul::library::LibraryError::Damaged(format!(
            "{bad} revision(s) have corrupt or missing files; run `haul verify --repair` to fetch them again"
        ))
        .into());
    }
    if reports.is_empty() {
        eprintln!("Nothing to verify: the cache is empty.");
    }
    Ok(())
}

fn print_report(report: &VerifyReport) {
    let refs = if report.refs.is_empty() {
        String::new()
    } else {
        format!(" ({})", report.refs.join(", "))
    };
    let verdict = if report.is_ok() { "OK" } else { "DAMAGED" };
    println!(
        "{} @ {}{refs}: {} files, {} checked against {}: {verdict}",
        report.repo,
        short(&report.commit),
        report.files_checked,
        human::bytes(report.bytes_checked),
        report.against
    );
    for (label, paths) in [
        ("corrupt", &report.corrupt),
        ("missing", &report.missing),
        ("extra", &report.extra),
        ("repaired", &report.repaired),
    ] {
        for path in paths {
            println!("  {label}: {path}");
        }
    }
}

pub async fn scan(haul: &Haul, args: ScanArgs) -> Result<(), haul::Error> {
    let report = haul.scan().await?;
    if args.json {
        json::line("scan", &report);
        return Ok(());
    }
    println!(
        "Scanned {} ({} on disk).",
        report.root.display(),
        human::bytes(report.bytes_on_disk)
    );
    for repo in &report.imported {
        println!("  imported: {repo}");
    }
    for repo in &report.updated {
        println!("  up to date: {repo}");
    }
    for repo in &report.missing {
        println!("  gone from the cache: {repo}");
    }
    Ok(())
}

pub async fn prune(haul: &Haul, args: PruneArgs) -> Result<(), haul::Error> {
    let items = haul.plan_prune()?;
    let bytes: u64 = items.iter().map(|i| i.bytes).sum();
    if args.json && args.dry_run {
        json::line(
            "prune",
            &serde_json::json!({ "items": items, "bytes": bytes, "dry_run": true }),
        );
        return Ok(());
    }
    if !args.json {
        if items.is_empty() {
            eprintln!("Nothing to prune.");
            return Ok(());
        }
        for item in &items {
            let kind = serde_json::to_value(item.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            println!(
                "{}  {kind}  {}  {}",
                item.repo,
                human::bytes(item.bytes),
                item.path.display()
            );
        }
        eprintln!("{} item(s), {} to free.", items.len(), human::bytes(bytes));
    }
    if args.dry_run {
        eprintln!("(dry run: nothing deleted)");
        return Ok(());
    }
    if !items.is_empty() && !args.yes && !confirm("Delete these?")? {
        eprintln!("Nothing deleted.");
        return Ok(());
    }
    let freed = haul.prune(&items)?;
    if args.json {
        json::line(
            "prune",
            &serde_json::json!({ "items": items, "bytes": freed, "dry_run": false }),
        );
    } else {
        eprintln!("Pruned; {} freed.", human::bytes(freed));
    }
    Ok(())
}
