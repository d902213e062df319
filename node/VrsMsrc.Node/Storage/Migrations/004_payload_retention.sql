-- Retention (Retention:TransparencyPayloadDays) may empty the payload of an old delivered release: its
-- SHA-256 stays here and in the transparency log, so the chain still verifies. payload_pruned_at records
-- that retention did it, so that 'log --verify' tells a pruned payload from one removed by other means.
ALTER TABLE outbox ADD COLUMN payload_pruned_at TEXT;
