-- Jobs (the queue the transfer engine works through) and when a model was last used.

ALTER TABLE models ADD COLUMN last_used_at INTEGER;

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    repo_type    TEXT    NOT NULL,
    repo_id      TEXT    NOT NULL,
    revision     TEXT    NOT NULL,
    location     TEXT    NOT NULL,
    -- The request as JSON (files, include, exclude, destination), so a job can be run again.
    request      TEXT    NOT NULL,
    requested_by TEXT    NOT NULL CHECK (requested_by IN ('cli', 'app', 'schedule')),
    priority     INTEGER NOT NULL DEFAULT 0,
    state        TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    error        TEXT
);

ALTER TABLE downloads ADD COLUMN job_id INTEGER REFERENCES jobs (id) ON DELETE SET NULL;

CREATE INDEX downloads_by_repo ON downloads (repo_type, repo_id, requested_at);
CREATE INDEX files_by_etag ON files (etag);
