-- The job queue and the guard against running one schedule twice at once.
--
-- Jobs: `queued_at` marks a job that went through the queue (`haul download --queue`, the app): a
-- service starts it when its turn comes, and puts it back in the queue when it stops mid-way.
-- `waiting` says why a running job moves no bytes although nobody paused it (a schedule outside its
-- allowed window): `haul queue` shows it as waiting, with this reason.
--
-- Schedules: a run claims its schedule (`running_pid`, `claimed_at`) and releases it when it ends, so
-- `haul schedule run-now --here` and a service never run the same schedule at once. A claim whose
-- process is gone is stale and is taken over.

ALTER TABLE jobs ADD COLUMN queued_at INTEGER;
ALTER TABLE jobs ADD COLUMN waiting TEXT;

CREATE INDEX jobs_queued ON jobs (state, priority DESC, created_at, id);

ALTER TABLE schedules ADD COLUMN running_pid INTEGER;
ALTER TABLE schedules ADD COLUMN claimed_at INTEGER;

-- A claim or its release is not a change a service must reload for: the counter moves only when
-- what a schedule is, or when it next runs, changes.
DROP TRIGGER schedules_updated;
CREATE TRIGGER schedules_updated
AFTER UPDATE OF name, repo_type, repo_id, revision, include, exclude, destination_kind, destination,
                trigger_kind, trigger_spec, policy, keep, windows, catch_up, paused, run_requested, next_run
ON schedules
BEGIN UPDATE schedule_changes SET generation = generation + 1 WHERE id = 1; END;
