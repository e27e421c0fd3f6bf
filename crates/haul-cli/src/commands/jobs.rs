//! `haul queue`, `pause`, `resume`, `cancel`, `retry`, `priority`: the download jobs, seen and
//! steered from any terminal. A running download follows its job row, and the running service starts
//! queued jobs, so these work across processes.

use haul::Haul;
use haul::registry::{JobRecord, JobSelector};

use crate::cli::{JobArgs, PriorityArgs, QueueArgs, RetryArgs};
use crate::output::{human, json, table};

pub async fn queue(haul: &Haul, args: QueueArgs) -> Result<(), haul::Error> {
    let jobs = haul.jobs(i64::from(args.recent) + 100).await?;
    let mut finished_shown = 0;
    let jobs: Vec<JobRecord> = jobs
        .into_iter()
        .filter(|j| {
            if j.is_active() {
                return true;
            }
            finished_shown += 1;
            finished_shown <= usize::from(args.recent)
        })
        .collect();
    if args.json {
        let rows: Vec<serde_json::Value> = jobs
            .iter()
            .map(|j| {
                let mut value = serde_json::to_value(j).unwrap_or_default();
                value["shown_state"] = serde_json::Value::from(j.shown_state());
                value
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return Ok(());
    }
    if jobs.is_empty() {
        eprintln!("No downloads yet.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|j| {
            let percent = if j.bytes_total > 0 {
                format!("{:.0}%", 100.0 * j.bytes_done as f64 / j.bytes_total as f64)
            } else {
                "-".into()
            };
            let note = match (j.shown_state(), &j.waiting, &j.error) {
                ("waiting", Some(reason), _) => reason.clone(),
                (_, _, Some(error)) => error.clone(),
                _ => String::new(),
            };
            vec![
                j.id.to_string(),
                j.shown_state().to_string(),
                j.priority.to_string(),
                format!(
                    "{}{}@{}",
                    if j.repo_type == "model" {
                        String::new()
                    } else {
                        format!("{}s/", j.repo_type)
                    },
                    j.repo_id,
                    j.revision
                ),
                format!(
                    "{} / {}",
                    human::bytes(j.bytes_done.max(0) as u64),
                    human::bytes(j.bytes_total.max(0) as u64)
                ),
                percent,
                j.requested_by.clone(),
                table::timestamp(j.updated_at),
                note,
            ]
        })
        .collect();
    table::print(
        &[
            "JOB",
            "STATE",
            "PRIO",
            "REPO",
            "BYTES",
            "DONE",
            "BY",
            "UPDATED (UTC)",
            "NOTE",
        ],
        &rows,
    );
    if jobs.iter().any(|j| j.state == "queued") && !service_running(haul) {
        eprintln!(
            "No Haul service is running: queued downloads start once one runs (`haul daemon`, or the desktop app)."
        );
    }
    Ok(())
}

/// Whether a Haul service (the app or `haul daemon`) runs for this data dir.
pub fn service_running(haul: &Haul) -> bool {
    haul::service::ServiceLock::owner(&haul.config().dirs.data).is_some()
}

#[derive(Clone, Copy)]
pub enum Steer {
    Pause,
    Resume,
    Cancel,
}

pub async fn steer(haul: &Haul, args: JobArgs, steer: Steer) -> Result<(), haul::Error> {
    let selector = match args.job {
        Some(id) => JobSelector::One(id),
        None => JobSelector::All,
    };
    let (moved, to, verb) = match steer {
        Steer::Pause => (haul.pause_jobs(selector).await?, "paused", "paused"),
        Steer::Resume => (haul.resume_jobs(selector).await?, "running", "resumed"),
        Steer::Cancel => (haul.cancel_jobs(selector).await?, "cancelled", "cancelled"),
    };
    if args.json {
        json::line(
            "jobs",
            &serde_json::json!({ "changed": moved, "state": to }),
        );
    }
    if moved == 0 {
        let what = match args.job {
            Some(id) => {
                let job = haul.job(id).await?;
                format!("job {id} is {}, so it cannot be {verb}", job.shown_state())
            }
            None => format!("no job could be {verb}"),
        };
        return Err(haul::library::LibraryError::NoJob(what).into());
    }
    if !args.json {
        eprintln!("{moved} job(s) {verb}; a running download follows within a second.");
    }
    Ok(())
}

pub async fn retry(haul: &Haul, args: RetryArgs) -> Result<(), haul::Error> {
    let job = haul.retry_job(args.job).await?;
    if args.json {
        json::line("job", &job);
    } else {
        eprintln!(
            "Job {} is queued again (priority {}).{}",
            job.id,
            job.priority,
            no_service_note(haul)
        );
    }
    Ok(())
}

pub async fn priority(haul: &Haul, args: PriorityArgs) -> Result<(), haul::Error> {
    let job = haul.set_job_priority(args.job, args.priority).await?;
    if args.json {
        json::line("job", &job);
    } else {
        eprintln!(
            "Job {} has priority {} ({}).",
            job.id,
            job.priority,
            job.shown_state()
        );
    }
    Ok(())
}

/// A sentence for when queued work has no service to run it, else nothing.
pub fn no_service_note(haul: &Haul) -> &'static str {
    if service_running(haul) {
        " The running Haul service starts it when its turn comes."
    } else {
        " No Haul service is running, so it waits: start `haul daemon` (or the desktop app) to run the queue."
    }
}
