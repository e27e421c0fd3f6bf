//! Schedules and bandwidth rules through the facade: add, list, edit, pause, resume, remove, ask for
//! a run; find what is due; run one schedule once ([`Haul::run_schedule`], what the service calls and
//! `haul schedule run-now --here` uses); the bandwidth limit in force now and why, and a follower that
//! keeps a facade's limit at the rule of the moment. Wall-clock rules are read in the system's zone
//! ([`local_zone`]); every method takes "now" so callers (and tests) control the clock.
//!
//! A run claims its schedule in the registry first, so the same schedule never runs twice at once,
//! whichever processes ask. It announces what nobody watches: a failed run ("schedule skipped", with
//! the reason), and a sync run that finds a new commit while its window is closed ("update available").

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::Haul;
use crate::Error;
use crate::cache::removal;
use crate::cache::repo_folder_name;
use crate::hub::RepoTarget;
use crate::library::LibraryError;
use crate::notify::Notification;
use crate::plan::Selection;
use crate::registry::{ClaimOutcome, Registry, ScheduleClaim, ScheduleRun};
use crate::schedule::{
    BandwidthRule, CurrentLimit, Due, LastResult, LimitSource, NewSchedule, Policy, RunOptions,
    RunOutcome, Schedule, ScheduleDestination, ScheduleEdit, ScheduleError, ScheduleInfo,
    ScheduleTarget, Window, active_limit, describe_windows, due_runs, in_window, local_zone,
    next_limit_change, next_window_change,
};
use crate::settings::Bandwidth;

/// How often a held download looks at its windows again, at most (the clock may be changed).
const WINDOW_RECHECK: Duration = Duration::from_secs(30);

/// What a run did before it is recorded.
struct Executed {
    result: LastResult,
    commit: String,
    download: Option<crate::DownloadReport>,
    pruned: Vec<String>,
    bytes_freed: u64,
}

impl Haul {
    async fn stored_schedule(&self, id: i64) -> Result<Schedule, Error> {
        self.need_registry()?
            .schedule(id)
            .await?
            .ok_or_else(|| ScheduleError::NoSuchSchedule(id).into())
    }

    /// Stores a new schedule; its first run is the trigger's first instant after `now`.
    pub async fn add_schedule(&self, new: NewSchedule, now: Timestamp) -> Result<Schedule, Error> {
        new.check()?;
        Selection::new(&new.target.request())?;
        let next_run = new.trigger.first_run(now, &local_zone());
        let id = self.need_registry()?.add_schedule(&new, next_run).await?;
        self.stored_schedule(id).await
    }

    /// Every schedule, by number.
    pub async fn schedules(&self) -> Result<Vec<Schedule>, Error> {
        Ok(self.need_registry()?.schedules().await?)
    }

    pub async fn schedule(&self, id: i64) -> Result<Schedule, Error> {
        self.stored_schedule(id).await
    }

    /// A schedule with its next `n` runs in words and instants, in the local zone.
    pub fn schedule_info(&self, schedule: Schedule, now: Timestamp, n: usize) -> ScheduleInfo {
        ScheduleInfo::new(schedule, now, &local_zone(), n)
    }

    /// Applies `edit`; a new trigger is timed from `now`.
    pub async fn edit_schedule(
        &self,
        id: i64,
        edit: &ScheduleEdit,
        now: Timestamp,
    ) -> Result<Schedule, Error> {
        let mut schedule = self.stored_schedule(id).await?;
        edit.apply(&mut schedule, now, &local_zone())?;
        Selection::new(&schedule.target.request())?;
        if !self.need_registry()?.update_schedule(&schedule).await? {
            return Err(ScheduleError::NoSuchSchedule(id).into());
        }
        self.stored_schedule(id).await
    }

    /// Stops a schedule from running (a request with `run-now` still runs it once).
    pub async fn pause_schedule(&self, id: i64) -> Result<Schedule, Error> {
        let schedule = self.stored_schedule(id).await?;
        self.need_registry()?
            .set_schedule_paused(id, true, schedule.next_run)
            .await?;
        self.stored_schedule(id).await
    }

    /// Lets a paused schedule run again. Runs that fell due while it was paused are skipped: the next
    /// run is the first one after `now`.
    pub async fn resume_schedule(&self, id: i64, now: Timestamp) -> Result<Schedule, Error> {
        let schedule = self.stored_schedule(id).await?;
        let tz = local_zone();
        let next_run = match schedule.next_run {
            Some(t) if t > now => Some(t),
            Some(t) => schedule.trigger.next_from(t, now, &tz),
            None => schedule.trigger.next_after(now, &tz),
        };
        self.need_registry()?
            .set_schedule_paused(id, false, next_run)
            .await?;
        self.stored_schedule(id).await
    }

    pub async fn remove_schedule(&self, id: i64) -> Result<(), Error> {
        if !self.need_registry()?.remove_schedule(id).await? {
            return Err(ScheduleError::NoSuchSchedule(id).into());
        }
        Ok(())
    }

    /// `run-now`: marks the schedule due at `now` with a request, so the running service (the app or
    /// `haul daemon`) runs it at its next look, paused or not, whatever its catch-up setting.
    pub async fn request_schedule_run(&self, id: i64, now: Timestamp) -> Result<Schedule, Error> {
        if !self.need_registry()?.request_schedule_run(id, now).await? {
            return Err(ScheduleError::NoSuchSchedule(id).into());
        }
        self.stored_schedule(id).await
    }

    /// The schedules a runner should look at now, each with what to do ([`due_runs`]). Missed runs
    /// that are skipped (catch-up off) are recorded at once by moving the schedule's next run; those
    /// to run are left for [`Haul::run_schedule`], which records them when they end. `last_seen` is
    /// when the runner last looked (its previous tick; at start, `None` or the previous runner's).
    pub async fn due_schedules(
        &self,
        last_seen: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Vec<(Schedule, Due)>, Error> {
        let registry = self.need_registry()?;
        let tz = local_zone();
        let mut found = Vec::new();
        for mut schedule in registry.due_schedules(now).await? {
            let due = due_runs(&schedule, last_seen, now, &tz);
            if due.run.is_none() && due.next_run != schedule.next_run {
                schedule.next_run = due.next_run;
                registry.update_schedule(&schedule).await?;
            }
            found.push((schedule, due));
        }
        Ok(found)
    }

    /// The counter that moves whenever any process changes a schedule or bandwidth rule: poll it
    /// (every few seconds) and reload when it differs from the last value seen.
    pub async fn schedules_generation(&self) -> Result<i64, Error> {
        Ok(self.need_registry()?.schedules_generation().await?)
    }

    /// Runs schedule `id` once, now: the normal download path (`plan` + `download`, requested by
    /// `schedule`), with the sync policy (ask the Hub for the commit first; nothing to do when it is
    /// the one the last run left in place; else download, then with `keep` remove older revisions),
    /// the transfer held outside the schedule's windows. Records the run (result, commit, next run)
    /// whether it succeeds or fails; a failure is also returned as the error.
    pub async fn run_schedule(&self, id: i64, now: Timestamp) -> Result<RunOutcome, Error> {
        self.run_schedule_with(id, now, &RunOptions::default())
            .await
    }

    /// [`Haul::run_schedule`] with a control of the caller's and the choice to ignore windows.
    /// Refused ([`ScheduleError::Running`]) while another run of the schedule, in any process, is
    /// under way.
    pub async fn run_schedule_with(
        &self,
        id: i64,
        now: Timestamp,
        options: &RunOptions,
    ) -> Result<RunOutcome, Error> {
        let registry = self.need_registry()?;
        let claim = match registry.claim_schedule(id).await? {
            ClaimOutcome::Claimed(claim) => ClaimGuard::new(registry.clone(), claim),
            ClaimOutcome::Busy { pid } => return Err(ScheduleError::Running { id, pid }.into()),
            ClaimOutcome::Missing => return Err(ScheduleError::NoSuchSchedule(id).into()),
        };
        let result = self.run_claimed_schedule(id, now, options).await;
        claim.release().await;
        result
    }

    async fn run_claimed_schedule(
        &self,
        id: i64,
        now: Timestamp,
        options: &RunOptions,
    ) -> Result<RunOutcome, Error> {
        let registry = self.need_registry()?;
        let schedule = self.stored_schedule(id).await?;
        let tz = local_zone();
        let clock = Instant::now();
        let holder = (options.honour_windows && !schedule.windows.is_empty()).then(|| {
            tokio::spawn(hold_outside_windows(
                schedule.windows.clone(),
                tz.clone(),
                options.control.clone(),
            ))
        });
        let executed = self.execute_schedule(&schedule, options).await;
        if let Some(holder) = holder {
            holder.abort();
            let _ = holder.await;
            options.control.hold(false);
        }
        let finished = now
            .checked_add(SignedDuration::try_from(clock.elapsed()).unwrap_or_default())
            .unwrap_or(now);
        // Read again: the schedule may have been edited or removed while it ran.
        let Some(current) = registry.schedule(id).await? else {
            return executed.map(|e| outcome(id, now, e, None));
        };
        let next_run = match current.next_run {
            Some(t) if t > finished && !current.run_requested => Some(t),
            Some(t) => current.trigger.next_from(t, finished, &tz),
            None => current.trigger.next_after(finished, &tz),
        };
        let run = match &executed {
            Ok(e) => ScheduleRun {
                started: now,
                result: e.result,
                error: None,
                commit: Some(e.commit.clone()),
                next_run,
            },
            Err(error) => ScheduleRun {
                started: now,
                result: LastResult::Failed,
                error: Some(error.to_string()),
                commit: None,
                next_run,
            },
        };
        registry.record_schedule_run(id, &run).await?;
        if let Err(error) = &executed
            && error.kind() != crate::ErrorKind::Cancelled
        {
            let title = current
                .name
                .clone()
                .unwrap_or_else(|| current.target.label());
            self.notify(Notification::schedule_skipped(&title, error));
        }
        executed.map(|e| outcome(id, now, e, next_run))
    }

    async fn execute_schedule(
        &self,
        schedule: &Schedule,
        options: &RunOptions,
    ) -> Result<Executed, Error> {
        let target = &schedule.target;
        let request = target.request();
        if let Policy::Sync { .. } = schedule.policy {
            let hub = self.hub.as_ref().ok_or(LibraryError::Offline {
                what: "run a sync schedule",
            })?;
            let repo = RepoTarget {
                repo_type: target.repo_type,
                repo_id: &target.repo_id,
            };
            let (remote, _) = hub.repo_info(repo, &target.revision).await?;
            if schedule.last_commit.as_deref() == Some(remote.as_str())
                && self.has_in_place(target, &remote).await?
            {
                return Ok(Executed {
                    result: LastResult::Unchanged,
                    commit: remote,
                    download: None,
                    pruned: Vec::new(),
                    bytes_freed: 0,
                });
            }
            // A new commit that cannot be fetched now (the window is closed): say so, since the
            // download may wait for hours.
            if let Some(old) = schedule.last_commit.as_deref().filter(|old| *old != remote)
                && options.honour_windows
                && !in_window(&schedule.windows, Timestamp::now(), &local_zone())
            {
                let mut notification = Notification::update_available(
                    &format!("{}{}", target.repo_type.url_prefix(), target.repo_id),
                    old,
                    &remote,
                );
                notification.body.push_str(&format!(
                    "; it downloads in the window ({})",
                    describe_windows(&schedule.windows)
                ));
                self.notify(notification);
            }
        }
        let plan = self.plan(&request).await?;
        let report = self
            .download_announced(
                &plan,
                &self.transfer_options(),
                &options.control,
                super::download::JobSlot::New,
                false,
            )
            .await?;
        let (pruned, bytes_freed) = match schedule.policy {
            Policy::Sync { keep: Some(keep) } => {
                self.keep_newest(target, &report.commit, keep).await?
            }
            _ => (Vec::new(), 0),
        };
        Ok(Executed {
            result: LastResult::Ok,
            commit: report.commit.clone(),
            download: Some(report),
            pruned,
            bytes_freed,
        })
    }

    /// Whether `commit` is still where the schedule put it (someone may have removed it since).
    async fn has_in_place(&self, target: &ScheduleTarget, commit: &str) -> Result<bool, Error> {
        Ok(match &target.destination {
            ScheduleDestination::Cache(root) => root
                .join(repo_folder_name(target.repo_type, &target.repo_id))
                .join("snapshots")
                .join(commit)
                .is_dir(),
            ScheduleDestination::LocalDir(dir) => {
                let location = dir.to_string_lossy();
                dir.is_dir()
                    && self
                        .need_registry()?
                        .find_models(target.repo_type.as_str(), &target.repo_id)
                        .await?
                        .iter()
                        .any(|m| {
                            m.location == location && m.commit_sha == commit && m.state != "missing"
                        })
            }
        })
    }

    /// Keeps the newest `keep` revisions of the target's repo in its cache (the one just downloaded
    /// counts): older detached revisions (no branch or tag points at them any more) are removed, newest
    /// judged by the download history, else by the snapshot's age. Revisions a ref still names are
    /// neither counted nor removed. Returns the commits removed and the bytes freed.
    async fn keep_newest(
        &self,
        target: &ScheduleTarget,
        current: &str,
        keep: u32,
    ) -> Result<(Vec<String>, u64), Error> {
        let ScheduleDestination::Cache(root) = &target.destination else {
            return Ok((Vec::new(), 0));
        };
        let repo = target.repo_ref();
        let Some(inventory) = self.inventory_in(root, &repo)? else {
            return Ok((Vec::new(), 0));
        };
        let mut downloaded: HashMap<String, i64> = HashMap::new();
        for record in self
            .need_registry()?
            .history(target.repo_type.as_str(), &target.repo_id, 1000)
            .await?
        {
            if let (Some(commit), Some(at), "ok") = (
                record.commit_sha,
                record.finished_at,
                record.result.as_str(),
            ) {
                let seen = downloaded.entry(commit).or_insert(at);
                *seen = (*seen).max(at);
            }
        }
        let snapshot_age = |commit: &str| {
            std::fs::metadata(inventory.repo_dir.join("snapshots").join(commit))
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
        };
        let mut older: Vec<(i64, String)> = inventory
            .revisions
            .iter()
            .filter(|r| r.commit != current && r.refs.is_empty())
            .map(|r| {
                let when = downloaded
                    .get(&r.commit)
                    .copied()
                    .unwrap_or_else(|| snapshot_age(&r.commit));
                (when, r.commit.clone())
            })
            .collect();
        older.sort_by(|a, b| b.cmp(a));
        let doomed: Vec<String> = older
            .into_iter()
            .skip(keep.saturating_sub(1) as usize)
            .map(|(_, commit)| commit)
            .collect();
        if doomed.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let plan = removal::plan_removal(&inventory, &doomed);
        self.remove_in(root, &repo, &plan).await?;
        Ok((doomed, plan.bytes_freed))
    }

    // --- bandwidth rules ---

    pub async fn add_limit(&self, rule: BandwidthRule) -> Result<BandwidthRule, Error> {
        let id = self.need_registry()?.add_bandwidth_rule(&rule).await?;
        Ok(BandwidthRule {
            id: Some(id),
            ..rule
        })
    }

    /// Every bandwidth rule, by number.
    pub async fn limits(&self) -> Result<Vec<BandwidthRule>, Error> {
        Ok(self.need_registry()?.bandwidth_rules().await?)
    }

    pub async fn remove_limit(&self, id: i64) -> Result<(), Error> {
        if !self.need_registry()?.remove_bandwidth_rule(id).await? {
            return Err(ScheduleError::NoSuchRule(id).into());
        }
        Ok(())
    }

    /// The limit in force at `now`: the rule that holds (the lowest when several do), else the
    /// `bandwidth_limit` setting; and when the rules next change it.
    pub async fn current_limit(&self, now: Timestamp) -> Result<CurrentLimit, Error> {
        let rules = self.limits().await?;
        Ok(current_limit_of(
            &rules,
            now,
            &local_zone(),
            self.config.bandwidth_limit,
        ))
    }

    /// Sets this facade's shared limiter (every download, running ones too) to the limit in force at
    /// `now`. A service calls it at start, at `until`, and when the change counter moves.
    pub async fn apply_current_limit(&self, now: Timestamp) -> Result<CurrentLimit, Error> {
        let current = self.current_limit(now).await?;
        self.set_bandwidth_limit(current.bytes_per_sec());
        Ok(current)
    }

    /// Keeps this facade's bandwidth limit at the rule of the moment, on the real clock, until
    /// dropped (it never ends by itself): what `haul download` runs beside its download (unless
    /// `--limit-rate` is given).
    pub async fn follow_bandwidth_rules(&self) -> std::convert::Infallible {
        let mut follower = LimitFollower::default();
        loop {
            if let Err(e) = follower.step(self, Timestamp::now()).await {
                tracing::warn!("cannot apply the bandwidth rules: {e}");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// Applies the bandwidth rule of the moment when it can have changed: at the first step, when a
/// rule was added or removed (the change counter moved, in any process), and when the rule in force
/// ends. Call [`LimitFollower::step`] about once a second.
#[derive(Debug, Default)]
pub struct LimitFollower {
    generation: Option<i64>,
    until: Option<Timestamp>,
}

impl LimitFollower {
    /// The limit applied, when this step applied one.
    pub async fn step(
        &mut self,
        haul: &Haul,
        now: Timestamp,
    ) -> Result<Option<CurrentLimit>, Error> {
        let generation = haul.schedules_generation().await?;
        let stale = self.generation != Some(generation) || self.until.is_some_and(|t| t <= now);
        if !stale {
            return Ok(None);
        }
        let current = haul.apply_current_limit(now).await?;
        self.generation = Some(generation);
        self.until = current.until;
        Ok(Some(current))
    }
}

/// A schedule's claim, released when the run ends; dropped early (the run aborted), it is released
/// in the background.
struct ClaimGuard {
    registry: Registry,
    claim: Option<ScheduleClaim>,
}

impl ClaimGuard {
    fn new(registry: Registry, claim: ScheduleClaim) -> ClaimGuard {
        ClaimGuard {
            registry,
            claim: Some(claim),
        }
    }

    async fn release(mut self) {
        if let Some(claim) = self.claim.take()
            && let Err(e) = self.registry.release_schedule(&claim).await
        {
            tracing::warn!(
                schedule = claim.id,
                "cannot release the schedule's claim: {e}"
            );
        }
    }
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        if let (Some(claim), Ok(runtime)) =
            (self.claim.take(), tokio::runtime::Handle::try_current())
        {
            let registry = self.registry.clone();
            runtime.spawn(async move {
                let _ = registry.release_schedule(&claim).await;
            });
        }
    }
}

/// [`Haul::current_limit`] over given rules, zone and setting.
fn current_limit_of(
    rules: &[BandwidthRule],
    now: Timestamp,
    tz: &TimeZone,
    setting: Option<u64>,
) -> CurrentLimit {
    let (_, rule) = active_limit(rules, now, tz);
    let until = next_limit_change(rules, now, tz);
    match rule {
        Some(rule) => CurrentLimit {
            limit: rule.limit,
            source: LimitSource::Rule,
            rule: Some(*rule),
            until,
        },
        None => CurrentLimit {
            limit: setting.map_or(Bandwidth::Unlimited, Bandwidth::PerSecond),
            source: LimitSource::Setting,
            rule: None,
            until,
        },
    }
}

fn outcome(id: i64, started: Timestamp, e: Executed, next_run: Option<Timestamp>) -> RunOutcome {
    RunOutcome {
        schedule_id: id,
        started_at: started,
        result: e.result,
        commit: e.commit,
        download: e.download,
        pruned: e.pruned,
        bytes_freed: e.bytes_freed,
        next_run,
    }
}

/// Holds the download outside the windows (the reason names them) and lets it go inside, on the
/// real clock, until aborted.
async fn hold_outside_windows(
    windows: Vec<Window>,
    tz: TimeZone,
    control: crate::transfer::Control,
) {
    let reason = format!(
        "outside window {}",
        windows
            .iter()
            .map(Window::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    loop {
        let now = Timestamp::now();
        control.hold_because((!in_window(&windows, now, &tz)).then(|| reason.clone()));
        let wait = next_window_change(&windows, now, &tz)
            .and_then(|t| Duration::try_from(t.duration_since(now)).ok())
            .unwrap_or(WINDOW_RECHECK)
            .min(WINDOW_RECHECK);
        tokio::time::sleep(wait.max(Duration::from_millis(50))).await;
    }
}
