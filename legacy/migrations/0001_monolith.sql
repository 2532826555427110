-- Up Migration
-- The monolith's own tables, as it always had them: one database for athletes, workouts and sessions.
CREATE TABLE athletes (
  id           text        PRIMARY KEY,
  display_name text        NOT NULL,
  ftp          integer,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workouts (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  athlete_id  text        NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
  name        text        NOT NULL,
  description text        NOT NULL,
  steps       jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workouts_by_athlete ON workouts (athlete_id, created_at DESC, id);

CREATE TABLE sessions (
  id         text        PRIMARY KEY,
  athlete_id text        NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
  started_at timestamptz NOT NULL,
  ended_at   timestamptz NOT NULL,
  summary    jsonb       NOT NULL
);
CREATE INDEX sessions_by_athlete ON sessions (athlete_id, started_at DESC, id);
