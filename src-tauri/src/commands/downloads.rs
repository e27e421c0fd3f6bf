//! The add sheet and the queue: plan what a dropped or typed reference would fetch, start it, list
//! the jobs, and pause, resume, cancel or retry them (across processes: a job follows its row).

use haul::plan::DownloadRequest;
use haul::registry::{JobRecord, JobSelector, Requester};
use haul::{Haul, RepoType};
use tauri::{AppHandle, Emitter, State};

use crate::dto::{CommandError, DownloadInput, JobView, PlanFileView, PlanView};
use crate::error::CommandResult;
use crate::links;
use crate::state::AppState;

/// Parses what the user gave: a reference, a URL of the configured endpoint, `hf://…` or `haul://…`.
fn request_for(haul: &Haul, input: &str) -> CommandResult<DownloadRequest> {
    let reference = links::reference_of(input);
    let repo = haul.parse_ref(&reference, RepoType::Model)?;
    // A link to one file or folder still plans the whole repo; the sheet lets the user narrow it.
    let mut request = DownloadRequest::new(haul::RepoRef {
        file: None,
        folder: None,
        ..repo
    });
    request.requested_by = Requester::App;
    Ok(request)
}

#[tauri::command]
pub async fn plan_download(state: State<'_, AppState>, input: String) -> CommandResult<PlanView> {
    let haul = state.haul();
    let request = request_for(&haul, &input)?;
    let plan = haul.plan(&request).await?;
    Ok(PlanView {
        reference: format!("{}{}", plan.repo_type.url_prefix(), plan.repo_id),
        repo_type: plan.repo_type.as_str().to_string(),
        repo_id: plan.repo_id.clone(),
        revision: plan.revision.clone(),
        commit: plan.commit.clone(),
        gated: plan.gated,
        private: plan.private,
        destination: plan.destination.to_string_lossy().into_owned(),
        free_space: plan.free_space.map(|b| b as f64),
        files: plan
            .files
            .iter()
            .map(|f| PlanFileView {
                path: f.path.clone(),
                size: f.size as f64,
                present: !f.needs_bytes(),
            })
            .collect(),
    })
}

/// Plans the request again (the sheet may be minutes old) and hands it to the queue.
pub async fn launch(haul: &std::sync::Arc<Haul>, request: DownloadRequest) -> CommandResult<i64> {
    let plan = haul.plan(&request).await?;
    Ok(haul.enqueue(&plan, 0).await?)
}

#[tauri::command]
pub async fn start_download(
    state: State<'_, AppState>,
    app: AppHandle,
    input: DownloadInput,
) -> CommandResult<f64> {
    let haul = state.haul();
    let mut request = request_for(&haul, &input.reference)?;
    if !input.revision.is_empty() {
        request.repo.revision = Some(input.revision.clone());
    }
    request.files = input.files;
    let job = launch(&haul, request).await?;
    tracing::info!(job, "download of {} queued", input.reference);
    let _ = app.emit("jobs-changed", ());
    Ok(job as f64)
}

fn job_view(job: JobRecord) -> JobView {
    let state = job.shown_state().to_string();
    JobView {
        id: job.id as f64,
        repo_type: job.repo_type,
        repo_id: job.repo_id,
        revision: job.revision,
        state,
        bytes_done: job.bytes_done.max(0) as f64,
        bytes_total: job.bytes_total.max(0) as f64,
        error: job.error,
        waiting: job.waiting,
        requested_by: job.requested_by,
        priority: job.priority as f64,
        location: job.location,
        updated_ms: job.updated_at as f64,
    }
}

#[tauri::command]
pub async fn jobs_list(state: State<'_, AppState>) -> CommandResult<Vec<JobView>> {
    let jobs = state.haul().jobs(200).await?;
    Ok(jobs.into_iter().map(job_view).collect())
}

#[tauri::command]
pub async fn job_steer(
    state: State<'_, AppState>,
    app: AppHandle,
    id: Option<f64>,
    action: String,
) -> CommandResult<u32> {
    let moved = steer(&state.haul(), id.map(|i| i as i64), &action).await?;
    let _ = app.emit("jobs-changed", ());
    Ok(moved)
}

/// Pause, resume or cancel one job or all; the tray's "Pause all" calls this too.
pub async fn steer(haul: &Haul, id: Option<i64>, action: &str) -> CommandResult<u32> {
    let selector = match id {
        Some(id) => JobSelector::One(id),
        None => JobSelector::All,
    };
    let moved = match action {
        "pause" => haul.pause_jobs(selector).await?,
        "resume" => haul.resume_jobs(selector).await?,
        "cancel" => haul.cancel_jobs(selector).await?,
        other => return Err(CommandError::input(format!("unknown action '{other}'"))),
    };
    if moved == 0
        && let Some(id) = id
    {
        let job = haul.job(id).await?;
        return Err(CommandError::input(format!(
            "job {id} is {}: it cannot be {action}d",
            job.shown_state()
        )));
    }
    tracing::info!("{action}: {moved} job(s)");
    Ok(moved as u32)
}

#[tauri::command]
pub async fn job_retry(state: State<'_, AppState>, app: AppHandle, id: f64) -> CommandResult<f64> {
    let job = state.haul().retry_job(id as i64).await?.id;
    let _ = app.emit("jobs-changed", ());
    Ok(job as f64)
}
