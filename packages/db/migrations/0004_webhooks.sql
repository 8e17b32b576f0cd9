-- Webhooks (Standard Webhooks v1). A job submitted with a webhook_url gets ONE delivery row, written
-- by the same statement that makes the job terminal (a transactional outbox): a crash can never
-- finish a job without its webhook. The row id is the `webhook-id` header and the BullMQ job id, so
-- every retry and every redelivery after a crash carries the same id.

alter table jobs add column webhook_url text;

alter table accounts
  -- The secret replaced by the last rotation keeps signing (next to the new one) until it expires.
  add column previous_webhook_secret text,
  add column previous_webhook_secret_expires_at timestamptz;

create table webhook_deliveries (
  id                    text primary key,            -- whd_<ulid>
  job_id                text not null references jobs (id),
  account_id            text not null references accounts (id),
  event_type            text not null
                          check (event_type in ('image.job.succeeded', 'image.job.failed', 'image.job.canceled')),
  url                   text not null,
  status                text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
  -- Failed attempts since the delivery was (re)started: the position in the retry schedule.
  consecutive_failures  integer not null default 0,
  attempt_count         integer not null default 0,
  next_attempt_at       timestamptz not null default now(),
  created_at            timestamptz not null default now(),
  completed_at          timestamptz
);
-- One event per job: the outbox insert is `on conflict do nothing`, so finishing twice writes once.
create unique index webhook_deliveries_one_per_job on webhook_deliveries (job_id);
-- The sweep: pending deliveries whose queue entry may have been lost.
create index webhook_deliveries_pending_idx on webhook_deliveries (next_attempt_at) where status = 'pending';

create table webhook_delivery_attempts (
  delivery_id       text not null references webhook_deliveries (id),
  number            integer not null,                -- 1, 2, … per delivery
  attempted_at      timestamptz not null,
  duration_ms       integer not null,
  status_code       integer,                         -- null when no HTTP answer came (timeout, refused, …)
  response_excerpt  text,                            -- the first bytes of the answer, for debugging
  error             text,                            -- why the attempt failed, when it did
  primary key (delivery_id, number)
);
