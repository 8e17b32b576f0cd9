-- Prepaid balances, holds, the ledger and frozen prices. All money is integer micro-USD.
-- Invariants (checked by tests after every money test):
--   accounts.balance_micros = Σ ledger_entries.amount_micros
--   accounts.held_micros    = Σ ledger_entries.held_micros = Σ open holds (jobs not yet settled)

alter table accounts
  add column balance_micros bigint not null default 0,
  add column held_micros bigint not null default 0,
  add column webhook_secret text,
  -- A hold only ever takes from what is available, so the balance never drops below what is held.
  add constraint accounts_held_within_balance check (held_micros >= 0 and balance_micros >= held_micros);

create table ledger_entries (
  id              text primary key,                 -- led_<ulid>
  account_id      text not null references accounts (id),
  type            text not null check (type in ('grant', 'top_up', 'hold', 'release', 'debit', 'refund', 'adjustment')),
  amount_micros   bigint not null,                  -- change to the balance
  held_micros     bigint not null default 0,        -- change to what is held
  job_id          text references jobs (id),
  reason          text,
  idempotency_key text,
  created_at      timestamptz not null default now()
);
create index ledger_account_idx on ledger_entries (account_id, id desc);
-- Exactly once per job, whatever retries, duplicate deliveries or sweeps do.
create unique index ledger_one_hold_per_job on ledger_entries (job_id) where type = 'hold';
create unique index ledger_one_debit_per_job on ledger_entries (job_id) where type = 'debit';
create unique index ledger_one_release_per_job on ledger_entries (job_id) where type = 'release';
create unique index ledger_credit_idempotency on ledger_entries (account_id, idempotency_key)
  where idempotency_key is not null;

-- Spend per account per day, for the 90-day markup tier without summing every debit.
create table account_daily_spend (
  account_id  text not null references accounts (id),
  day         date not null,
  micros      bigint not null,
  primary key (account_id, day)
);

alter table jobs
  -- The markup tier in force at submission, in thousandths (1500 = 1.5x).
  add column markup_permille integer not null default 1000,
  -- Catalog prices of every model that may serve the job, as they were at submission.
  add column prices jsonb not null default '{}',
  add column hold_micros bigint not null default 0,
  add column charged_micros bigint,
  add column settled_at timestamptz,
  add column idempotency_key text,
  add column request_hash text;
create unique index jobs_idempotency_idx on jobs (account_id, idempotency_key) where idempotency_key is not null;
-- The settlement sweep: finished jobs whose hold is still open.
create index jobs_unsettled_idx on jobs (completed_at)
  where settled_at is null and status in ('succeeded', 'failed', 'canceled');
