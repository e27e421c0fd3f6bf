-- Schedules (download or sync a repository at set times) and bandwidth-by-time-of-day rules.
-- Times are unix milliseconds (UTC); the next run is an absolute instant, so a change of time zone or
-- of daylight saving time never moves a run that is already scheduled.

CREATE TABLE schedules (
    id               INTEGER PRIMARY KEY,
    name             TEXT,
    -- What to download.
    repo_type        TEXT    NOT NULL CHECK (repo_type IN ('model', 'dataset', 'space')),
    repo_id          TEXT    NOT NULL,
    revision         TEXT    NOT NULL,
    -- JSON arrays of glob patterns.
    include          TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(include) AND json_type(include) = 'array'),
    exclude          TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(exclude) AND json_type(exclude) = 'array'),
    -- An HF cache root, or the folder of a local-dir download.
    destination_kind TEXT    NOT NULL CHECK (destination_kind IN ('cache', 'local_dir')),
    destination      TEXT    NOT NULL,
    -- cron: the expression; at: the instant (unix ms); every: the interval in seconds.
    trigger_kind     TEXT    NOT NULL CHECK (trigger_kind IN ('cron', 'at', 'every')),
    trigger_spec     TEXT    NOT NULL,
    policy           TEXT    NOT NULL CHECK (policy IN ('download', 'sync')),
    -- sync only: how many revisions to keep in the cache (NULL: all).
    keep             INTEGER CHECK (keep IS NULL OR keep >= 1),
    -- JSON array of windows as text, e.g. ["Mon-Fri 01:00-06:00"]; empty: any time.
    windows          TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(windows) AND json_type(windows) = 'array'),
    catch_up         INTEGER NOT NULL DEFAULT 1 CHECK (catch_up IN (0, 1)),
    paused           INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    -- `haul schedule run-now`: the running service runs it at its next look.
    run_requested    INTEGER NOT NULL DEFAULT 0 CHECK (run_requested IN (0, 1)),
    next_run         INTEGER,
    last_run         INTEGER,
    last_result      TEXT    CHECK (last_result IS NULL OR last_result IN ('ok', 'unchanged', 'failed')),
    last_error       TEXT,
    -- The commit the last successful run left in place: what a sync compares the remote with.
    last_commit      TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE INDEX schedules_by_next_run ON schedules (next_run);

CREATE TABLE bandwidth_rules (
    id           INTEGER PRIMARY KEY,
    -- Days of the week as bits: 1 = Monday … 64 = Sunday.
    days         INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
    -- Minutes of the local day; an end before the start crosses midnight, 1440 is 24:00.
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1440 AND end_minute <> start_minute),
    -- Bytes per second; 0 lifts every limit.
    limit_bps    INTEGER NOT NULL CHECK (limit_bps >= 0),
    created_at   INTEGER NOT NULL
);

-- A counter every change to schedules or rules moves, so a running service notices a change made by
-- another process (`haul schedule add` while the app runs) with one cheap read.
CREATE TABLE schedule_changes (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO schedule_changes (id, generation) VALUES (1, 0);

CREATE TRIGGER schedules_inserted AFTER INSERT ON schedules
BEGIN UPDATE schedule_changes SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER schedules_updated AFTER UPDATE ON schedules
BEGIN UPDATE schedule_changes SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER schedules_deleted AFTER DELETE ON schedules
BEGIN UPDATE schedule_changes SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER bandwidth_rules_inserted AFTER INSERT ON bandwidth_rules
BEGIN UPDATE schedule_changes SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER bandwidth_rules_deleted AFTER DELETE ON bandwidth_rules
BEGIN UPDATE schedule_changes SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER bandwidth_rules_updated AFTER UPDATE ON bandwidth_rules
BEGIN UPDATE schedule_changes SET generation = generation + 1 WHERE id = 1; END;
