-- Tasks an asynchronous upstream (BFL) accepted for a job, by call index: a redelivered job polls
-- them again instead of submitting (and paying for) new ones.
alter table jobs add column upstream_tasks jsonb not null default '{}'::jsonb;
