-- The first schema: what Haul has downloaded, where, and the history of downloads.
-- Times are unix milliseconds (UTC).

CREATE TABLE models (
    id              INTEGER PRIMARY KEY,
    repo_type       TEXT    NOT NULL CHECK (repo_type IN ('model', 'dataset', 'space')),
    repo_id         TEXT    NOT NULL,
    -- The HF cache root, or the folder of a --local-dir download.
    location        TEXT    NOT NULL,
    location_kind   TEXT    NOT NULL CHECK (location_kind IN ('cache', 'local_dir')),
    -- The revision last asked for, and the commit it resolved to.
    revision        TEXT    NOT NULL,
    commit_sha      TEXT    NOT NULL,
    size_bytes      INTEGER NOT NULL DEFAULT 0,
    state           TEXT    NOT NULL CHECK (state IN ('complete', 'partial', 'missing')),
    added_at        INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_checked_at INTEGER,
    UNIQUE (repo_type, repo_id, location)
);

-- Every file of every revision Haul knows, with the hash that proves it.
CREATE TABLE files (
    model_id   INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    commit_sha TEXT    NOT NULL,
    path       TEXT    NOT NULL,
    size_bytes INTEGER NOT NULL,
    etag       TEXT    NOT NULL,
    algorithm  TEXT    NOT NULL CHECK (algorithm IN ('sha256', 'git-sha1')),
    PRIMARY KEY (model_id, commit_sha, path)
);

-- One row per download attempt, kept after the model is removed.
CREATE TABLE downloads (
    id            INTEGER PRIMARY KEY,
    repo_type     TEXT    NOT NULL,
    repo_id       TEXT    NOT NULL,
    revision      TEXT    NOT NULL,
    commit_sha    TEXT,
    location      TEXT    NOT NULL,
    requested_by  TEXT    NOT NULL CHECK (requested_by IN ('cli', 'app', 'schedule')),
    requested_at  INTEGER NOT NULL,
    finished_at   INTEGER,
    files_fetched INTEGER NOT NULL DEFAULT 0,
    bytes_fetched INTEGER NOT NULL DEFAULT 0,
    duration_ms   INTEGER NOT NULL DEFAULT 0,
    result        TEXT    NOT NULL CHECK (result IN ('running', 'ok', 'failed')),
    error         TEXT
);
