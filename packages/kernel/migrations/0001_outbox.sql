-- Up Migration
-- The transactional outbox: a service writes its event here in the same transaction as the state
-- change; the relay publishes unsent rows to Kafka in id order and stamps sent_at.
CREATE TABLE kernel_outbox (
  id         bigserial   PRIMARY KEY,
  topic      text        NOT NULL,
  key        text,
  value      text,
  headers    jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  sent_at    timestamptz
);
CREATE INDEX kernel_outbox_unsent ON kernel_outbox (id) WHERE sent_at IS NULL;
CREATE INDEX kernel_outbox_sent_at ON kernel_outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Idempotent consumers: one row per (consumer group, CloudEvents id) handled, written in the same
-- transaction as the handler's effect, so a redelivered event changes nothing.
CREATE TABLE kernel_processed_events (
  consumer_group text        NOT NULL,
  event_id       text        NOT NULL,
  topic          text        NOT NULL,
  processed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
);
CREATE INDEX kernel_processed_events_at ON kernel_processed_events (processed_at);
