//! `haul queue`, `pause`, `resume`, `cancel`: the download jobs, seen and steered from any terminal.
//! A running download follows its job row, so these work across processes.

use haul::Haul;
use haul::registry::{JobRecord, JobSelector};

use crate::cli::{JobArgs, QueueArgs};
use crate::output::{human, json, table};

/// Whether the process that ran a job is still alive (a killed download leaves its row `running`).
fn alive(pid: Option<i64>) -> bool {
    pid.and_then(|p| i32::try_from(p).ok()).is_some_and(|p| {
        std::path::Path::new(&format!("/proc/{p}")).exists() || !cfg!(target_os = "linux")
    })
}

/// The state as a user should read it.
fn shown_state(job: &JobRecord) -> String {
    if matches!(job.state.as_str(), "running" | "paused") && !alive(job.pid) {
        "interrupted".into()
    } else {
        job.state.clone()
    }
}

pub async fn queue(haul: &Haul, args: QueueArgs) -> Result<(), haul::Error> {
    let registry = haul.registry().ok_or_else(|| {
        haul::library::LibraryError::Damaged("Haul's database is not open".into())
    })?;
    let jobs = registry.jobs(i64::from(args.recent) + 100).await?;
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
                value["shown_state"] = serde_json::Value::from(shown_state(j));
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
            vec![
                j.id.to_string(),
                shown_state(j),
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
                j.error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table::print(
        &[
            "JOB",
            "STATE",
            "REPO",
            "BYTES",
            "DONE",
            "BY",
            "UPDATED (UTC)",
            "ERROR",
        ],
        &rows,
    );
    Ok(())
}

#[derive(Clone, Copy)]
pub enum Steer {
    Pause,
    Resume,
    Cancel,
}

pub async fn steer(haul: &Haul, args: JobArgs, steer: Steer) -> Result<(), haul::Error> {
    let registry = haul.registry().ok_or_else(|| {
        haul::library::LibraryError::Damaged("Haul's database is not open".into())
    })?;
    let selector = match args.job {
        Some(id) => JobSelector::One(id),
        None => JobSelector::All,
    };
    let (from, to, verb): (&[&str], &str, &str) = match steer {
        Steer::Pause => (&["running", "queued"], "paused", "paused"),
        Steer::Resume => (&["paused"], "running", "resumed"),
        Steer::Cancel => (&["running", "queued", "paused"], "cancelled", "cancelled"),
    };
    let moved = registry.set_job_state(selector, from, to).await?;
    if args.json {
        json::line(
            "jobs",
            &serde_json::json!({ "changed": moved, "state": to }),
        );
    }
    if moved == 0 {
        let what = match args.job {
            Some(id) => match registry.job(id).await? {
                Some(job) => format!("job {id} is {}, so it cannot be {verb}", shown_state(&job)),
                None => format!("there is no job {id}: `haul queue` lists them"),
            },
            None => format!("no job could be {verb}"),
        };
        return Err(haul::library::LibraryError::NoJob(what).into());
    }
    if !args.json {
        eprintln!("{moved} job(s) {verb}; a running download follows within a second.");
    }
    Ok(())
}
