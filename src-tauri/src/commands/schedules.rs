//! The schedules screen: list, preview a trigger as it is typed, save (new or edited), pause,
//! resume, run now, remove; and the bandwidth-by-time rules. The editor sends the same words the
//! CLI takes (`0 2 * * *`, `6h`, `Mon-Fri 01:00-06:00`), parsed by the same core functions.

use haul::RepoType;
use haul::schedule::{
    BandwidthRule, CronExpr, Interval, NewSchedule, Policy, Schedule, ScheduleDestination,
    ScheduleEdit, ScheduleError, ScheduleInfo, ScheduleTarget, Trigger, Upcoming, Window,
    describe_trigger, local_instant, local_zone, next_runs, parse_at, relative,
};
use jiff::Timestamp;
use tauri::{AppHandle, Emitter, State};

use crate::dto::{
    CommandError, LimitView, ScheduleInput, ScheduleView, TriggerInput, TriggerPreview,
    UpcomingView,
};
use crate::error::CommandResult;
use crate::links;
use crate::state::AppState;

pub fn upcoming_view(u: &Upcoming) -> UpcomingView {
    UpcomingView {
        at_ms: u.at.as_millisecond() as f64,
        local: u.local.clone(),
        words: u.words.clone(),
    }
}

fn parse_trigger(input: &TriggerInput, now: Timestamp) -> Result<Trigger, haul::Error> {
    let tz = local_zone();
    let text = input.text.trim();
    Ok(match input.kind.as_str() {
        "cron" => Trigger::Cron(CronExpr::parse(text)?),
        "at" => Trigger::At(parse_at(text, now, &tz)?),
        "every" => Trigger::Every(Interval::parse(text)?),
        other => {
            return Err(ScheduleError::Invalid(format!(
                "unknown trigger kind '{other}': cron, at or every"
            ))
            .into());
        }
    })
}

fn trigger_input(trigger: &Trigger) -> TriggerInput {
    let tz = local_zone();
    match trigger {
        Trigger::Cron(c) => TriggerInput {
            kind: "cron".into(),
            text: c.as_str().to_string(),
        },
        Trigger::At(at) => TriggerInput {
            kind: "at".into(),
            text: at.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string(),
        },
        Trigger::Every(i) => TriggerInput {
            kind: "every".into(),
            text: i.to_string(),
        },
    }
}

fn input_of(schedule: &Schedule) -> ScheduleInput {
    let t = &schedule.target;
    ScheduleInput {
        name: schedule.name.clone(),
        reference: format!("{}{}", t.repo_type.url_prefix(), t.repo_id),
        revision: t.revision.clone(),
        trigger: trigger_input(&schedule.trigger),
        sync: matches!(schedule.policy, Policy::Sync { .. }),
        keep: match schedule.policy {
            Policy::Sync { keep } => keep,
            Policy::Download => None,
        },
        windows: schedule.windows.iter().map(|w| w.to_string()).collect(),
        include: t.include.clone(),
        exclude: t.exclude.clone(),
        catch_up: schedule.catch_up,
    }
}

pub fn schedule_view(info: ScheduleInfo) -> ScheduleView {
    let s = &info.schedule;
    ScheduleView {
        id: s.id as f64,
        name: s.name.clone(),
        label: info.label.clone(),
        when: info.when.clone(),
        policy: info.policy_words.clone(),
        windows: info.windows_words.clone(),
        paused: s.paused,
        upcoming: info.upcoming.iter().map(upcoming_view).collect(),
        last_result: s.last_result.map(|r| r.as_str().to_string()),
        last_error: s.last_error.clone(),
        last_run_ms: s.last_run.map(|t| t.as_millisecond() as f64),
        input: input_of(s),
    }
}

#[tauri::command]
pub async fn schedules_list(state: State<'_, AppState>) -> CommandResult<Vec<ScheduleView>> {
    let haul = state.haul();
    let now = Timestamp::now();
    Ok(haul
        .schedules()
        .await?
        .into_iter()
        .map(|s| schedule_view(haul.schedule_info(s, now, 3)))
        .collect())
}

#[tauri::command]
pub fn schedule_preview(trigger: TriggerInput) -> TriggerPreview {
    let now = Timestamp::now();
    let tz = local_zone();
    match parse_trigger(&trigger, now) {
        Ok(parsed) => TriggerPreview {
            words: describe_trigger(&parsed, &tz),
            valid: true,
            upcoming: parsed
                .first_run(now, &tz)
                .into_iter()
                .chain(
                    parsed
                        .first_run(now, &tz)
                        .map(|first| next_runs(&parsed, first, &tz, 2))
                        .unwrap_or_default(),
                )
                .map(|at| UpcomingView {
                    at_ms: at.as_millisecond() as f64,
                    local: local_instant(at, &tz),
                    words: relative(now, at),
                })
                .collect(),
        },
        Err(e) => TriggerPreview {
            words: e.to_string(),
            valid: false,
            upcoming: Vec::new(),
        },
    }
}

fn windows(texts: &[String]) -> Result<Vec<Window>, haul::Error> {
    texts
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(|t| Window::parse(t).map_err(haul::Error::from))
        .collect()
}

fn patterns(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[tauri::command]
pub async fn schedule_save(
    state: State<'_, AppState>,
    app: AppHandle,
    id: Option<f64>,
    input: ScheduleInput,
) -> CommandResult<ScheduleView> {
    let haul = state.haul();
    let now = Timestamp::now();
    let trigger = parse_trigger(&input.trigger, now)?;
    let policy = if input.sync {
        Policy::Sync { keep: input.keep }
    } else {
        Policy::Download
    };
    let name = input
        .name
        .as_ref()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let revision = Some(input.revision.trim().to_string()).filter(|r| !r.is_empty());
    let saved = match id {
        Some(id) => {
            let edit = ScheduleEdit {
                name: Some(name),
                trigger: Some(trigger),
                policy: Some(policy),
                windows: Some(windows(&input.windows)?),
                catch_up: Some(input.catch_up),
                revision,
                include: Some(patterns(&input.include)),
                exclude: Some(patterns(&input.exclude)),
            };
            haul.edit_schedule(id as i64, &edit, now).await?
        }
        None => {
            let repo = haul.parse_ref(&links::reference_of(&input.reference), RepoType::Model)?;
            let new = NewSchedule {
                name,
                target: ScheduleTarget {
                    repo_type: repo.repo_type,
                    revision: revision
                        .or(repo.revision.clone())
                        .unwrap_or_else(|| "main".into()),
                    repo_id: repo.repo_id,
                    include: patterns(&input.include),
                    exclude: patterns(&input.exclude),
                    destination: ScheduleDestination::Cache(haul.cache_root().to_path_buf()),
                },
                trigger,
                policy,
                windows: windows(&input.windows)?,
                catch_up: input.catch_up,
                paused: false,
            };
            haul.add_schedule(new, now).await?
        }
    };
    tracing::info!(schedule = saved.id, "schedule saved");
    let _ = app.emit("status-changed", ());
    Ok(schedule_view(haul.schedule_info(saved, now, 3)))
}

#[tauri::command]
pub async fn schedule_set_paused(
    state: State<'_, AppState>,
    app: AppHandle,
    id: f64,
    paused: bool,
) -> CommandResult<ScheduleView> {
    let haul = state.haul();
    let now = Timestamp::now();
    let schedule = if paused {
        haul.pause_schedule(id as i64).await?
    } else {
        haul.resume_schedule(id as i64, now).await?
    };
    let _ = app.emit("status-changed", ());
    Ok(schedule_view(haul.schedule_info(schedule, now, 3)))
}

#[tauri::command]
pub async fn schedule_remove(
    state: State<'_, AppState>,
    app: AppHandle,
    id: f64,
) -> CommandResult<()> {
    state.haul().remove_schedule(id as i64).await?;
    tracing::info!(schedule = id as i64, "schedule removed");
    let _ = app.emit("status-changed", ());
    Ok(())
}

/// Asks the service (this app's, or the daemon's) to run it at its next look, within a second.
#[tauri::command]
pub async fn schedule_run_now(state: State<'_, AppState>, id: f64) -> CommandResult<ScheduleView> {
    let haul = state.haul();
    let now = Timestamp::now();
    let schedule = haul.request_schedule_run(id as i64, now).await?;
    if state.service_view().runner == "none" {
        return Err(CommandError::input(
            "no Haul service runs to run it (the app's could not start): see the status bar",
        ));
    }
    Ok(schedule_view(haul.schedule_info(schedule, now, 3)))
}

#[tauri::command]
pub async fn limits_list(state: State<'_, AppState>) -> CommandResult<Vec<LimitView>> {
    let haul = state.haul();
    let current = haul.current_limit(Timestamp::now()).await?;
    let active = current.rule.as_ref().and_then(|r| r.id);
    Ok(haul
        .limits()
        .await?
        .into_iter()
        .map(|rule| limit_view(&rule, active))
        .collect())
}

fn limit_view(rule: &BandwidthRule, active: Option<i64>) -> LimitView {
    LimitView {
        id: rule.id.unwrap_or_default() as f64,
        window: rule.window.to_string(),
        rate: match rule.limit.bytes_per_sec() {
            None => "unlimited".into(),
            Some(_) => format!("{}/s", rule.limit),
        },
        active: rule.id.is_some() && rule.id == active,
    }
}

#[tauri::command]
pub async fn limit_add(
    state: State<'_, AppState>,
    app: AppHandle,
    rule: String,
) -> CommandResult<LimitView> {
    let haul = state.haul();
    let parsed = BandwidthRule::parse(&rule).map_err(haul::Error::from)?;
    let stored = haul.add_limit(parsed).await?;
    let now = Timestamp::now();
    let current = haul.apply_current_limit(now).await?;
    let _ = app.emit("status-changed", ());
    Ok(limit_view(
        &stored,
        current.rule.as_ref().and_then(|r| r.id),
    ))
}

#[tauri::command]
pub async fn limit_remove(
    state: State<'_, AppState>,
    app: AppHandle,
    id: f64,
) -> CommandResult<()> {
    let haul = state.haul();
    haul.remove_limit(id as i64).await?;
    haul.apply_current_limit(Timestamp::now()).await?;
    let _ = app.emit("status-changed", ());
    Ok(())
}
