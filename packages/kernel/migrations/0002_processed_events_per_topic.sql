-- Up Migration
-- A ce_id is unique within its topic, not across topics: training.started and training.completed
-- of one session both use the session id. Keyed by group alone, the second event of a pair was
-- taken for a redelivery of the first and skipped.
ALTER TABLE kernel_processed_events DROP CONSTRAINT kernel_processed_events_pkey;
ALTER TABLE kernel_processed_events ADD PRIMARY KEY (consumer_group, topic, event_id);
