//! `haul outdated` and `haul update`: newer commits on the branches the library was downloaded from.

use haul::Haul;

use crate::cli::{OutdatedArgs, UpdateArgs};
use crate::output::{human, json, table};

pub async fn outdated(haul: &Haul, args: OutdatedArgs) -> Result<(), haul::Error> {
    let only = args
        .repo
        .as_deref()
        .map(|r| haul.parse_ref(r, args.repo_type.into()))
        .transpose()?;
    let found = haul.outdated(only.as_ref()).await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&found).unwrap_or_else(|_| "[]".into())
        );
        return Ok(());
    }
    if found.is_empty() {
        eprintln!("Everything is up to date.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|o| {
            vec![
                o.repo_type.clone(),
                o.repo_id.clone(),
                o.revision.clone(),
                human::short_commit(&o.local_commit).to_string(),
                human::short_commit(&o.remote_commit).to_string(),
                o.location.clone(),
            ]
        })
        .collect();
    table::print(
        &["TYPE", "REPO", "REVISION", "HAVE", "NEWER", "LOCATION"],
        &rows,
    );
    eprintln!("`haul update --all` fetches what changed.");
    Ok(())
}

pub async fn update(haul: &Haul, args: UpdateArgs) -> Result<(), haul::Error> {
    let only = args
        .repo
        .as_deref()
        .map(|r| haul.parse_ref(r, args.repo_type.into()))
        .transpose()?;
    let found = haul.outdated(only.as_ref()).await?;
    if found.is_empty() && !args.json {
        eprintln!("Everything is up to date: nothing to fetch.");
    }
    for outdated in &found {
        let report = haul.update(outdated).await?;
        if args.json {
            json::line("updated", &report);
        } else {
            eprintln!(
                "{}@{}: {} → {}, {} files fetched ({})",
                outdated.repo_id,
                outdated.revision,
                human::short_commit(&outdated.local_commit),
                human::short_commit(&outdated.remote_commit),
                report.files_fetched,
                human::bytes(report.bytes_fetched)
            );
        }
    }
    Ok(())
}
