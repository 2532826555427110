-- Up Migration
-- Which samples make up a session: learnt from the stream's training.started/completed and from
-- training.session.summarized (uploads), so a session id resolves to (athlete, time range).
CREATE TABLE sessions (
  id         text   PRIMARY KEY,
  athlete_id text   NOT NULL,
  started_at bigint NOT NULL,
  ended_at   bigint,
  sport      text   NOT NULL DEFAULT 'cycling'
);
CREATE INDEX sessions_athlete ON sessions (athlete_id, started_at DESC);

CREATE TABLE coach_links (
  athlete_id text    NOT NULL,
  coach_id   text    NOT NULL,
  active     boolean NOT NULL,
  updated_at bigint  NOT NULL,
  PRIMARY KEY (athlete_id, coach_id)
);
