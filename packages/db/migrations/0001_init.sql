-- Accounts, API keys and generation jobs. Postgres is the system of record: Redis only carries
-- queue state, and everything a job needs to run again is in its row.

create table accounts (
  id          text primary key,
  name        text not null,
  created_at  timestamptz not null default now()
);

create table api_keys (
  id          text primary key,
  account_id  text not null references accounts (id),
  name        text not null,
  -- The first characters of the key, shown in listings so people can tell keys apart.
  prefix      text not null,
  -- sha256 of the whole key; the key itself is never stored.
  key_hash    bytea not null unique,
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz
);
create index api_keys_account_idx on api_keys (account_id);

create table jobs (
  id                text primary key,           -- job_<ulid>: ordering by id is ordering by time
  account_id        text not null references accounts (id),
  status            text not null default 'queued'
                      check (status in ('queued', 'in_progress', 'succeeded', 'failed', 'canceled')),
  model             text not null,              -- catalog id
  provider          text not null,              -- which provider queue carries it
  request           jsonb not null,             -- the public request, as echoed on the job
  parameters        jsonb not null,             -- what the adapter receives (resolved against the catalog)
  response_format   text not null check (response_format in ('url', 'b64_json')),
  metadata          jsonb not null default '{}',
  -- How far the worker got: a retry after 'images_stored' never calls the upstream again.
  progress          text not null default 'accepted'
                      check (progress in ('accepted', 'images_stored', 'result_recorded')),
  attempts          integer not null default 0,
  images            jsonb,                      -- [{key, content_type, bytes}] once stored in S3
  result            jsonb,                      -- created, size, quality, output_format, background, usage
  error_status      integer,
  error             jsonb,                      -- the OpenAI error object of a failed job
  routing           jsonb not null default '{"attempts": []}',
  cancel_requested  boolean not null default false,
  created_at        timestamptz not null default now(),
  started_at        timestamptz,
  completed_at      timestamptz
);
create index jobs_account_idx on jobs (account_id, id desc);
-- Queue position: jobs ahead of this one on the same provider.
create index jobs_queued_idx on jobs (provider, id) where status = 'queued';
