//! The library screen: what Haul knows (the registry, scan included), updates, verify, remove and
//! open folder. Each command is a call into the core facade.

use haul::library::VerifyTarget;
use haul::plan::{Destination, DownloadRequest};
use haul::registry::{ModelFilter, ModelRecord, Requester};
use haul::{RepoRef, RepoType};
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_opener::OpenerExt;

use crate::dto::{CommandError, ModelView, RemovalView, RepoKey, VerifyView};
use crate::error::CommandResult;
use crate::state::{AppState, lock};

fn repo_ref(key: &RepoKey) -> CommandResult<RepoRef> {
    let repo_type: RepoType = key
        .repo_type
        .parse()
        .map_err(|_| CommandError::input(format!("unknown repo type '{}'", key.repo_type)))?;
    Ok(RepoRef {
        repo_type,
        repo_id: key.repo_id.clone(),
        revision: key.revision.clone(),
        file: None,
        folder: None,
    })
}

fn view(state: &AppState, record: ModelRecord) -> ModelView {
    let update_available = lock(&state.updates)
        .get(&(
            record.repo_type.clone(),
            record.repo_id.clone(),
            record.revision.clone(),
        ))
        .cloned();
    ModelView {
        repo_type: record.repo_type,
        repo_id: record.repo_id,
        revision: record.revision,
        commit: record.commit_sha,
        location: record.location,
        location_kind: record.location_kind,
        size_bytes: record.size_bytes.max(0) as f64,
        state: record.state,
        updated_ms: record.updated_at as f64,
        update_available,
    }
}

#[tauri::command]
pub async fn library_list(state: State<'_, AppState>) -> CommandResult<Vec<ModelView>> {
    let records = state.haul().list(&ModelFilter::default()).await?;
    Ok(records.into_iter().map(|r| view(&state, r)).collect())
}

/// Asks the Hub for each branch's commit; the rows come back with `update_available` filled.
#[tauri::command]
pub async fn library_check_updates(
    state: State<'_, AppState>,
    app: AppHandle,
) -> CommandResult<Vec<ModelView>> {
    let haul = state.haul();
    let outdated = haul.outdated(None).await?;
    {
        let mut updates = lock(&state.updates);
        updates.clear();
        for o in &outdated {
            updates.insert(
                (o.repo_type.clone(), o.repo_id.clone(), o.revision.clone()),
                o.remote_commit.clone(),
            );
        }
    }
    for o in &outdated {
        haul.notify(haul::notify::Notification::update_available(
            &format!("{}@{}", o.repo_id, o.revision),
            &o.local_commit,
            &o.remote_commit,
        ));
    }
    let _ = app.emit("library-changed", ());
    library_list(state).await
}

#[tauri::command]
pub async fn library_scan(state: State<'_, AppState>, app: AppHandle) -> CommandResult<u32> {
    let report = state.haul().scan().await?;
    let _ = app.emit("library-changed", ());
    Ok((report.imported.len() + report.updated.len()) as u32)
}

#[tauri::command]
pub async fn library_verify(
    state: State<'_, AppState>,
    repo: RepoKey,
) -> CommandResult<VerifyView> {
    let reports = state
        .haul()
        .verify(&VerifyTarget::Repo(repo_ref(&repo)?), false)
        .await?;
    let mut out = VerifyView {
        files_checked: 0,
        ok: true,
        corrupt: Vec::new(),
        missing: Vec::new(),
        extra: Vec::new(),
    };
    for report in reports {
        out.ok &= report.is_ok();
        out.files_checked += report.files_checked as u32;
        out.corrupt.extend(report.corrupt);
        out.missing.extend(report.missing);
        out.extra.extend(report.extra);
    }
    Ok(out)
}

fn removal_view(removal: &haul::cache::removal::Removal) -> RemovalView {
    RemovalView {
        bytes_freed: removal.bytes_freed as f64,
        files: removal.blobs.len() as u32,
        revisions: removal
            .refs
            .iter()
            .cloned()
            .chain(
                removal
                    .revisions
                    .iter()
                    .map(|c| c.chars().take(12).collect()),
            )
            .collect(),
        paths: vec![removal.repo_dir.to_string_lossy().into_owned()],
    }
}

#[tauri::command]
pub async fn library_plan_remove(
    state: State<'_, AppState>,
    repo: RepoKey,
) -> CommandResult<RemovalView> {
    Ok(removal_view(&state.haul().plan_remove(&repo_ref(&repo)?)?))
}

#[tauri::command]
pub async fn library_remove(
    state: State<'_, AppState>,
    app: AppHandle,
    repo: RepoKey,
) -> CommandResult<RemovalView> {
    let haul = state.haul();
    let target = repo_ref(&repo)?;
    let plan = haul.plan_remove(&target)?;
    haul.remove(&target, &plan).await?;
    tracing::info!("removed {target}: {} bytes freed", plan.bytes_freed);
    let _ = app.emit("library-changed", ());
    Ok(removal_view(&plan))
}

/// Fetches the branch's new commit into the same place (only changed files travel).
#[tauri::command]
pub async fn library_update(
    state: State<'_, AppState>,
    app: AppHandle,
    repo: RepoKey,
) -> CommandResult<f64> {
    let haul = state.haul();
    let target = repo_ref(&repo)?;
    let record = haul
        .registry()
        .ok_or_else(|| CommandError::internal("the database is not open"))?
        .find_models(target.repo_type.as_str(), &target.repo_id)
        .await?
        .into_iter()
        .find(|m| Some(&m.revision) == target.revision.as_ref())
        .ok_or_else(|| CommandError::input(format!("{target} is not in the library")))?;
    let mut request = DownloadRequest::new(target);
    request.requested_by = Requester::App;
    request.destination = match record.location_kind.as_str() {
        "local_dir" => Destination::LocalDir(record.location.clone().into()),
        _ if std::path::Path::new(&record.location) == haul.cache_root() => {
            Destination::DefaultCache
        }
        _ => Destination::CacheDir(record.location.clone().into()),
    };
    let job = super::downloads::launch(&haul, request).await?;
    let _ = app.emit("jobs-changed", ());
    Ok(job as f64)
}

/// Opens the repo's folder in the file manager: the snapshot of its revision, or the local dir.
#[tauri::command]
pub async fn library_open_folder(
    state: State<'_, AppState>,
    app: AppHandle,
    repo: RepoKey,
) -> CommandResult<()> {
    let haul = state.haul();
    let target = repo_ref(&repo)?;
    let record = haul
        .list(&ModelFilter::default())
        .await?
        .into_iter()
        .find(|m| {
            m.repo_type == target.repo_type.as_str()
                && m.repo_id == target.repo_id
                && target.revision.as_ref().is_none_or(|r| *r == m.revision)
        })
        .ok_or_else(|| CommandError::input(format!("{target} is not in the library")))?;
    let folder = match record.location_kind.as_str() {
        "local_dir" => std::path::PathBuf::from(&record.location),
        _ => std::path::Path::new(&record.location)
            .join(haul::cache::repo_folder_name(
                target.repo_type,
                &target.repo_id,
            ))
            .join("snapshots")
            .join(&record.commit_sha),
    };
    if !folder.is_dir() {
        return Err(CommandError::input(format!(
            "{} is not on disk any more: verify or download it again",
            folder.display()
        )));
    }
    app.opener()
        .open_path(folder.to_string_lossy(), None::<&str>)
        .map_err(|e| CommandError::internal(format!("cannot open {}: {e}", folder.display())))
}
