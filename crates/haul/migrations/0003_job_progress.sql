-- Jobs report their progress and their process, so other processes (`haul queue`, the app) can show
-- them and tell a running job from one whose process died.

ALTER TABLE jobs ADD COLUMN bytes_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN bytes_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN pid INTEGER;
