-- The state change the outbox benchmark commits next to each event.
CREATE TABLE bench_items (
  n bigint PRIMARY KEY,
  writer integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
