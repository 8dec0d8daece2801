-- The outbox becomes a sender's queue: a state per message (queued, sending, sent,
-- retry, failed, bounced), the claim's lease, the next attempt's time and the
-- Message-ID stored before the mail goes out (replies thread by it).
ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'queued';
ALTER TABLE outbox ADD COLUMN next_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN lease_until BIGINT;
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN updated_at BIGINT;
UPDATE outbox SET status = 'sent' WHERE sent_at IS NOT NULL;
CREATE INDEX outbox_due ON outbox(status, next_at, id);
CREATE UNIQUE INDEX outbox_message_id ON outbox(message_id);
