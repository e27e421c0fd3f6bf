//! Schedules and bandwidth rules in the registry, and the change counter a running service polls to
//! notice what another process (a CLI, the app) changed. Rows are checked on the way out: a damaged
//! row is reported, never guessed at.

use jiff::Timestamp;

use super::{Registry, RegistryError, now_ms};
use crate::process::{alive, own_pid};
use crate::schedule::{
    BandwidthRule, DaySet, LastResult, NewSchedule, Policy, Schedule, ScheduleDestination,
    ScheduleTarget, TimeOfDay, Trigger, Window,
};
use crate::settings::Bandwidth;

#[derive(sqlx::FromRow)]
struct ScheduleRow {
    id: i64,
    name: Option<String>,
    repo_type: String,
    repo_id: String,
    revision: String,
    include: String,
    exclude: String,
    destination_kind: String,
    destination: String,
    trigger_kind: String,
    trigger_spec: String,
    policy: String,
    keep: Option<i64>,
    windows: String,
    catch_up: bool,
    paused: bool,
    run_requested: bool,
    next_run: Option<i64>,
    last_run: Option<i64>,
    last_result: Option<String>,
    last_error: Option<String>,
    last_commit: Option<String>,
    created_at: i64,
    updated_at: i64,
}

const SCHEDULE_COLUMNS: &str = "id, name, repo_type, repo_id, revision, include, exclude, destination_kind, destination,
    trigger_kind, trigger_spec, policy, keep, windows, catch_up, paused, run_requested, next_run, last_run,
    last_result, last_error, last_commit, created_at, updated_at";

fn instant(ms: i64) -> Result<Timestamp, String> {
    Timestamp::from_millisecond(ms).map_err(|_| format!("{ms} is not an instant"))
}

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn strings(json: &str) -> Result<Vec<String>, String> {
    serde_json::from_str(json).map_err(|e| format!("'{json}': {e}"))
}

fn json_strings(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".into())
}

fn windows_json(windows: &[Window]) -> String {
    json_strings(&windows.iter().map(Window::to_string).collect::<Vec<_>>())
}

impl ScheduleRow {
    fn into_schedule(self) -> Result<Schedule, RegistryError> {
        let id = self.id;
        self.decode().map_err(|reason| {
            RegistryError::Query(format!(
                "schedule {id} is damaged ({reason}); remove it with `haul schedule remove {id}` and add it again"
            ))
        })
    }

    fn decode(self) -> Result<Schedule, String> {
        let destination = match self.destination_kind.as_str() {
            "cache" => ScheduleDestination::Cache(self.destination.into()),
            "local_dir" => ScheduleDestination::LocalDir(self.destination.into()),
            other => return Err(format!("unknown destination kind '{other}'")),
        };
        let policy = match (self.policy.as_str(), self.keep) {
            ("download", _) => Policy::Download,
            ("sync", keep) => Policy::Sync {
                keep: keep
                    .map(|k| u32::try_from(k).map_err(|_| format!("keep {k}")))
                    .transpose()?,
            },
            (other, _) => return Err(format!("unknown policy '{other}'")),
        };
        let windows = strings(&self.windows)?
            .iter()
            .map(|w| Window::parse(w).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Schedule {
            id: self.id,
            name: self.name,
            target: ScheduleTarget {
                repo_type: self.repo_type.parse().map_err(|e| format!("{e}"))?,
                repo_id: self.repo_id,
                revision: self.revision,
                include: strings(&self.include)?,
                exclude: strings(&self.exclude)?,
                destination,
            },
            trigger: Trigger::from_stored(&self.trigger_kind, &self.trigger_spec)?,
            policy,
            windows,
            catch_up: self.catch_up,
            paused: self.paused,
            run_requested: self.run_requested,
            next_run: self.next_run.map(instant).transpose()?,
            last_run: self.last_run.map(instant).transpose()?,
            last_result: self
                .last_result
                .as_deref()
                .map(|r| LastResult::parse(r).ok_or_else(|| format!("unknown result '{r}'")))
                .transpose()?,
            last_error: self.last_error,
            last_commit: self.last_commit,
            created_at: instant(self.created_at)?,
            updated_at: instant(self.updated_at)?,
        })
    }
}

fn policy_columns(policy: &Policy) -> (&'static str, Option<i64>) {
    match policy {
        Policy::Download => ("download", None),
        Policy::Sync { keep } => ("sync", keep.map(i64::from)),
    }
}

/// How a run ended, for [`Registry::record_schedule_run`].
#[derive(Clone, Debug)]
pub struct ScheduleRun {
    pub started: Timestamp,
    pub result: LastResult,
    pub error: Option<String>,
    /// The commit now in place (success), kept for the next sync's comparison.
    pub commit: Option<String>,
    pub next_run: Option<Timestamp>,
}

/// A run's hold on its schedule, released when the run ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduleClaim {
    pub id: i64,
    pub pid: i64,
    pub claimed_at: i64,
}

/// What [`Registry::claim_schedule`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimOutcome {
    Claimed(ScheduleClaim),
    /// A live process (`pid`) runs it now.
    Busy {
        pid: i64,
    },
    Missing,
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    days: i64,
    start_minute: i64,
    end_minute: i64,
    limit_bps: i64,
}

impl RuleRow {
    fn into_rule(self) -> Result<BandwidthRule, RegistryError> {
        let id = self.id;
        let damaged = || {
            RegistryError::Query(format!(
                "bandwidth rule {id} is damaged; remove it with `haul limits remove {id}` and add it again"
            ))
        };
        let days = u8::try_from(self.days)
            .ok()
            .and_then(DaySet::from_bits)
            .ok_or_else(damaged)?;
        let minute = |m: i64| {
            u16::try_from(m)
                .ok()
                .and_then(TimeOfDay::from_minutes)
                .ok_or_else(damaged)
        };
        let window = Window::new(days, minute(self.start_minute)?, minute(self.end_minute)?)
            .map_err(|_| damaged())?;
        let limit = Bandwidth::from_bytes(self.limit_bps).map_err(|_| damaged())?;
        Ok(BandwidthRule {
            id: Some(self.id),
            window,
            limit,
        })
    }
}

impl Registry {
    /// Stores a new schedule whose first run is `next_run`; returns its number.
    pub async fn add_schedule(
        &self,
        new: &NewSchedule,
        next_run: Option<Timestamp>,
    ) -> Result<i64, RegistryError> {
        let now = now_ms();
        let (policy, keep) = policy_columns(&new.policy);
        let target = &new.target;
        Ok(sqlx::query(
            "INSERT INTO schedules (name, repo_type, repo_id, revision, include, exclude, destination_kind, destination,
                                    trigger_kind, trigger_spec, policy, keep, windows, catch_up, paused, next_run,
                                    created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.name)
        .bind(target.repo_type.as_str())
        .bind(&target.repo_id)
        .bind(&target.revision)
        .bind(json_strings(&target.include))
        .bind(json_strings(&target.exclude))
        .bind(target.destination.kind())
        .bind(target.destination.path().to_string_lossy().into_owned())
        .bind(new.trigger.kind())
        .bind(new.trigger.spec())
        .bind(policy)
        .bind(keep)
        .bind(windows_json(&new.windows))
        .bind(new.catch_up)
        .bind(new.paused)
        .bind(next_run.map(ms))
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await?
        .last_insert_rowid())
    }

    pub async fn schedule(&self, id: i64) -> Result<Option<Schedule>, RegistryError> {
        sqlx::query_as::<_, ScheduleRow>(&format!(
            "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .map(ScheduleRow::into_schedule)
        .transpose()
    }

    /// Every schedule, by number.
    pub async fn schedules(&self) -> Result<Vec<Schedule>, RegistryError> {
        sqlx::query_as::<_, ScheduleRow>(&format!(
            "SELECT {SCHEDULE_COLUMNS} FROM schedules ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(ScheduleRow::into_schedule)
        .collect()
    }

    /// Schedules whose next run is at or before `now` (paused ones only when a run was requested),
    /// soonest first. What to do with each is [`crate::schedule::due_runs`]'s call.
    pub async fn due_schedules(&self, now: Timestamp) -> Result<Vec<Schedule>, RegistryError> {
        sqlx::query_as::<_, ScheduleRow>(&format!(
            "SELECT {SCHEDULE_COLUMNS} FROM schedules
             WHERE run_requested = 1 OR (paused = 0 AND next_run IS NOT NULL AND next_run <= ?)
             ORDER BY next_run, id"
        ))
        .bind(ms(now))
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(ScheduleRow::into_schedule)
        .collect()
    }

    /// Writes what can be edited (name, target selection, trigger, policy, windows, catch-up, paused,
    /// next run, last commit). Returns whether the schedule exists.
    pub async fn update_schedule(&self, schedule: &Schedule) -> Result<bool, RegistryError> {
        let (policy, keep) = policy_columns(&schedule.policy);
        let target = &schedule.target;
        Ok(sqlx::query(
            "UPDATE schedules SET name = ?, revision = ?, include = ?, exclude = ?, trigger_kind = ?, trigger_spec = ?,
                                  policy = ?, keep = ?, windows = ?, catch_up = ?, paused = ?, next_run = ?,
                                  last_commit = ?, updated_at = ?
             WHERE id = ?",
        )
        .bind(&schedule.name)
        .bind(&target.revision)
        .bind(json_strings(&target.include))
        .bind(json_strings(&target.exclude))
        .bind(schedule.trigger.kind())
        .bind(schedule.trigger.spec())
        .bind(policy)
        .bind(keep)
        .bind(windows_json(&schedule.windows))
        .bind(schedule.catch_up)
        .bind(schedule.paused)
        .bind(schedule.next_run.map(ms))
        .bind(&schedule.last_commit)
        .bind(now_ms())
        .bind(schedule.id)
        .execute(self.pool())
        .await?
        .rows_affected()
            > 0)
    }

    /// Pauses or resumes; `next_run` is what the schedule should hold afterwards.
    pub async fn set_schedule_paused(
        &self,
        id: i64,
        paused: bool,
        next_run: Option<Timestamp>,
    ) -> Result<bool, RegistryError> {
        Ok(sqlx::query(
            "UPDATE schedules SET paused = ?, next_run = ?, updated_at = ? WHERE id = ?",
        )
        .bind(paused)
        .bind(next_run.map(ms))
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?
        .rows_affected()
            > 0)
    }

    pub async fn remove_schedule(&self, id: i64) -> Result<bool, RegistryError> {
        Ok(sqlx::query("DELETE FROM schedules WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?
            .rows_affected()
            > 0)
    }

    /// `run-now`: due at `now`, paused or not; the service running schedules picks it up.
    pub async fn request_schedule_run(
        &self,
        id: i64,
        now: Timestamp,
    ) -> Result<bool, RegistryError> {
        Ok(sqlx::query(
            "UPDATE schedules SET run_requested = 1, next_run = MIN(COALESCE(next_run, ?1), ?1), updated_at = ?2
             WHERE id = ?3",
        )
        .bind(ms(now))
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?
        .rows_affected()
            > 0)
    }

    /// Records a finished run: when it started, how it ended, the commit in place, the next run; a
    /// pending request is cleared.
    pub async fn record_schedule_run(
        &self,
        id: i64,
        run: &ScheduleRun,
    ) -> Result<bool, RegistryError> {
        Ok(sqlx::query(
            "UPDATE schedules SET last_run = ?, last_result = ?, last_error = ?,
                                  last_commit = COALESCE(?, last_commit), next_run = ?, run_requested = 0,
                                  updated_at = ?
             WHERE id = ?",
        )
        .bind(ms(run.started))
        .bind(run.result.as_str())
        .bind(&run.error)
        .bind(&run.commit)
        .bind(run.next_run.map(ms))
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?
        .rows_affected()
            > 0)
    }

    /// Claims schedule `id` for a run in this process, unless a live process (this one included: a
    /// run in another task) holds it. A claim whose process is gone is taken over.
    pub async fn claim_schedule(&self, id: i64) -> Result<ClaimOutcome, RegistryError> {
        // Compare-and-swap on what was read: of two processes racing for a free claim, one wins.
        for _ in 0..5 {
            let current: Option<(Option<i64>, Option<i64>)> =
                sqlx::query_as("SELECT running_pid, claimed_at FROM schedules WHERE id = ?")
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?;
            let Some((holder, at)) = current else {
                return Ok(ClaimOutcome::Missing);
            };
            if let Some(pid) = holder.filter(|p| alive(*p)) {
                return Ok(ClaimOutcome::Busy { pid });
            }
            let claim = ScheduleClaim {
                id,
                pid: own_pid(),
                claimed_at: now_ms(),
            };
            let taken = sqlx::query(
                "UPDATE schedules SET running_pid = ?, claimed_at = ?
                 WHERE id = ? AND running_pid IS ? AND claimed_at IS ?",
            )
            .bind(claim.pid)
            .bind(claim.claimed_at)
            .bind(id)
            .bind(holder)
            .bind(at)
            .execute(self.pool())
            .await?
            .rows_affected();
            if taken == 1 {
                return Ok(ClaimOutcome::Claimed(claim));
            }
        }
        let holder: Option<i64> =
            sqlx::query_scalar("SELECT running_pid FROM schedules WHERE id = ?")
                .bind(id)
                .fetch_optional(self.pool())
                .await?
                .flatten();
        Ok(ClaimOutcome::Busy {
            pid: holder.unwrap_or_default(),
        })
    }

    /// Ends a claim (only the claim it was: a stale one taken over by another process stays theirs).
    pub async fn release_schedule(&self, claim: &ScheduleClaim) -> Result<(), RegistryError> {
        sqlx::query(
            "UPDATE schedules SET running_pid = NULL, claimed_at = NULL
             WHERE id = ? AND running_pid = ? AND claimed_at = ?",
        )
        .bind(claim.id)
        .bind(claim.pid)
        .bind(claim.claimed_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Ends this process's claims on `ids` (a service stopping the runs it started).
    pub async fn release_schedules_of_this_process(
        &self,
        ids: &[i64],
    ) -> Result<(), RegistryError> {
        for id in ids {
            sqlx::query(
                "UPDATE schedules SET running_pid = NULL, claimed_at = NULL WHERE id = ? AND running_pid = ?",
            )
            .bind(id)
            .bind(own_pid())
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    /// The process running schedule `id` now, if a live one is.
    pub async fn schedule_runner(&self, id: i64) -> Result<Option<i64>, RegistryError> {
        let holder: Option<i64> =
            sqlx::query_scalar("SELECT running_pid FROM schedules WHERE id = ?")
                .bind(id)
                .fetch_optional(self.pool())
                .await?
                .flatten();
        Ok(holder.filter(|p| alive(*p)))
    }

    /// Moves whenever a schedule or bandwidth rule is added, changed or removed, by any process: a
    /// running service compares it with the value it last saw (one small read) and reloads on change.
    pub async fn schedules_generation(&self) -> Result<i64, RegistryError> {
        Ok(
            sqlx::query_scalar("SELECT generation FROM schedule_changes WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    // --- bandwidth rules ---

    pub async fn add_bandwidth_rule(&self, rule: &BandwidthRule) -> Result<i64, RegistryError> {
        Ok(sqlx::query(
            "INSERT INTO bandwidth_rules (days, start_minute, end_minute, limit_bps, created_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(i64::from(rule.window.days.bits()))
        .bind(i64::from(rule.window.start.minutes()))
        .bind(i64::from(rule.window.end.minutes()))
        .bind(rule.limit.bytes_per_sec().unwrap_or(0) as i64)
        .bind(now_ms())
        .execute(self.pool())
        .await?
        .last_insert_rowid())
    }

    /// Every rule, by number.
    pub async fn bandwidth_rules(&self) -> Result<Vec<BandwidthRule>, RegistryError> {
        sqlx::query_as::<_, RuleRow>(
            "SELECT id, days, start_minute, end_minute, limit_bps FROM bandwidth_rules ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(RuleRow::into_rule)
        .collect()
    }

    pub async fn remove_bandwidth_rule(&self, id: i64) -> Result<bool, RegistryError> {
        Ok(sqlx::query("DELETE FROM bandwidth_rules WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?
            .rows_affected()
            > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RepoType;
    use crate::schedule::{CronExpr, Interval};

    fn new_schedule() -> NewSchedule {
        NewSchedule {
            name: Some("nightly".into()),
            target: ScheduleTarget {
                repo_type: RepoType::Dataset,
                repo_id: "org/d".into(),
                revision: "main".into(),
                include: vec!["*.json".into()],
                exclude: vec!["*fp32*".into()],
                destination: ScheduleDestination::Cache("/data/hub".into()),
            },
            trigger: Trigger::Cron(CronExpr::parse("0 2 * * *").unwrap()),
            policy: Policy::Sync { keep: Some(2) },
            windows: vec![Window::parse("Mon-Fri 01:00-06:00").unwrap()],
            catch_up: true,
            paused: false,
        }
    }

    #[tokio::test]
    async fn schedules_round_trip_and_move_the_change_counter() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::open(&dir.path().join("haul.db")).await.unwrap();
        let generation = registry.schedules_generation().await.unwrap();
        let next: Timestamp = "2026-01-02T01:00:00Z".parse().unwrap();
        let id = registry
            .add_schedule(&new_schedule(), Some(next))
            .await
            .unwrap();
        let g1 = registry.schedules_generation().await.unwrap();
        assert!(g1 > generation, "adding moves the counter");
        let mut stored = registry.schedule(id).await.unwrap().unwrap();
        let new = new_schedule();
        assert_eq!(
            (
                &stored.name,
                &stored.target,
                &stored.trigger,
                &stored.policy,
                &stored.windows
            ),
            (
                &new.name,
                &new.target,
                &new.trigger,
                &new.policy,
                &new.windows
            )
        );
        assert_eq!(stored.next_run, Some(next));
        assert!(stored.catch_up && !stored.paused && !stored.run_requested);
        assert!(registry.due_schedules(next).await.unwrap().len() == 1);
        assert!(
            registry
                .due_schedules("2026-01-02T00:59:59Z".parse().unwrap())
                .await
                .unwrap()
                .is_empty()
        );

        stored.trigger = Trigger::Every(Interval::from_secs(3600));
        stored.policy = Policy::Download;
        stored.windows.clear();
        stored.name = None;
        assert!(registry.update_schedule(&stored).await.unwrap());
        let updated = registry.schedule(id).await.unwrap().unwrap();
        assert_eq!(updated.trigger, stored.trigger);
        assert_eq!(
            (updated.policy, updated.windows.len(), updated.name),
            (Policy::Download, 0, None)
        );
        assert!(registry.schedules_generation().await.unwrap() > g1);

        // Paused: not due, unless asked.
        assert!(
            registry
                .set_schedule_paused(id, true, Some(next))
                .await
                .unwrap()
        );
        assert!(registry.due_schedules(next).await.unwrap().is_empty());
        let asked: Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
        assert!(registry.request_schedule_run(id, asked).await.unwrap());
        let due = registry.due_schedules(asked).await.unwrap();
        assert_eq!(
            (due.len(), due[0].run_requested, due[0].next_run),
            (1, true, Some(asked))
        );

        let run = ScheduleRun {
            started: asked,
            result: LastResult::Ok,
            error: None,
            commit: Some("c".repeat(40)),
            next_run: Some(next),
        };
        assert!(registry.record_schedule_run(id, &run).await.unwrap());
        let ran = registry.schedule(id).await.unwrap().unwrap();
        assert_eq!(
            (
                ran.last_run,
                ran.last_result,
                ran.run_requested,
                ran.next_run
            ),
            (Some(asked), Some(LastResult::Ok), false, Some(next))
        );
        assert_eq!(ran.last_commit.as_deref(), Some("c".repeat(40).as_str()));
        // A failure keeps the commit of the last success.
        let failed = ScheduleRun {
            result: LastResult::Failed,
            error: Some("the Hub did not answer".into()),
            commit: None,
            ..run
        };
        registry.record_schedule_run(id, &failed).await.unwrap();
        let ran = registry.schedule(id).await.unwrap().unwrap();
        assert_eq!(ran.last_commit.as_deref(), Some("c".repeat(40).as_str()));
        assert_eq!(ran.last_error.as_deref(), Some("the Hub did not answer"));

        assert!(registry.remove_schedule(id).await.unwrap());
        assert!(!registry.remove_schedule(id).await.unwrap());
        assert!(registry.schedule(id).await.unwrap().is_none());
        assert!(!registry.update_schedule(&stored).await.unwrap());
    }

    #[tokio::test]
    async fn a_schedule_is_claimed_by_one_run_at_a_time_and_stale_claims_are_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::open(&dir.path().join("haul.db")).await.unwrap();
        let id = registry.add_schedule(&new_schedule(), None).await.unwrap();
        let generation = registry.schedules_generation().await.unwrap();
        let ClaimOutcome::Claimed(claim) = registry.claim_schedule(id).await.unwrap() else {
            panic!("a free schedule is claimed");
        };
        assert_eq!(
            registry.claim_schedule(id).await.unwrap(),
            ClaimOutcome::Busy { pid: own_pid() },
            "another run, even in this process, waits"
        );
        assert_eq!(registry.schedule_runner(id).await.unwrap(), Some(own_pid()));
        assert_eq!(
            registry.schedules_generation().await.unwrap(),
            generation,
            "a claim is not a change a service reloads for"
        );
        registry.release_schedule(&claim).await.unwrap();
        assert_eq!(registry.schedule_runner(id).await.unwrap(), None);

        // A claim left by a process that died is taken over.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = i64::from(child.id());
        child.wait().unwrap();
        sqlx::query("UPDATE schedules SET running_pid = ?, claimed_at = 1 WHERE id = ?")
            .bind(dead)
            .bind(id)
            .execute(registry.pool())
            .await
            .unwrap();
        assert_eq!(registry.schedule_runner(id).await.unwrap(), None);
        assert!(matches!(
            registry.claim_schedule(id).await.unwrap(),
            ClaimOutcome::Claimed(_)
        ));
        assert_eq!(
            registry.claim_schedule(9999).await.unwrap(),
            ClaimOutcome::Missing
        );
    }

    #[tokio::test]
    async fn damaged_rows_are_reported_not_guessed() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::open(&dir.path().join("haul.db")).await.unwrap();
        let id = registry.add_schedule(&new_schedule(), None).await.unwrap();
        sqlx::query("UPDATE schedules SET trigger_spec = '99 99 * * *' WHERE id = ?")
            .bind(id)
            .execute(registry.pool())
            .await
            .unwrap();
        let err = registry.schedule(id).await.unwrap_err().to_string();
        assert!(err.contains(&format!("schedule {id} is damaged")), "{err}");
        // The schema refuses what is not JSON at all.
        assert!(
            sqlx::query("UPDATE schedules SET windows = 'not json' WHERE id = ?")
                .bind(id)
                .execute(registry.pool())
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn bandwidth_rules_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::open(&dir.path().join("haul.db")).await.unwrap();
        let g0 = registry.schedules_generation().await.unwrap();
        let rule = BandwidthRule::parse("Mon-Fri 08:00-19:00 5M").unwrap();
        let id = registry.add_bandwidth_rule(&rule).await.unwrap();
        let lifted = BandwidthRule::parse("daily 22:00-06:00 unlimited").unwrap();
        let id2 = registry.add_bandwidth_rule(&lifted).await.unwrap();
        let rules = registry.bandwidth_rules().await.unwrap();
        assert_eq!(
            rules,
            [
                BandwidthRule {
                    id: Some(id),
                    ..rule
                },
                BandwidthRule {
                    id: Some(id2),
                    ..lifted
                }
            ]
        );
        assert!(registry.schedules_generation().await.unwrap() >= g0 + 2);
        assert!(registry.remove_bandwidth_rule(id).await.unwrap());
        assert!(!registry.remove_bandwidth_rule(id).await.unwrap());
        assert_eq!(registry.bandwidth_rules().await.unwrap().len(), 1);
    }
}
