-- 0009: next_step_at, the instant the next escalation step of an open complaint is due
-- (NULL: none left, or its clock is paused before it), kept by the recomputation of its
-- due times, so the escalation pass reads only the complaints with a step due through
-- complaints_next_step instead of computing the clocks of every open one. Open
-- complaints start due, so the first pass computes it.
ALTER TABLE complaints ADD COLUMN next_step_at BIGINT;
UPDATE complaints SET next_step_at = received_at WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX complaints_next_step ON complaints(next_step_at) WHERE next_step_at IS NOT NULL;
