-- A job has an operation: `generate` now; `edit` and `chat` come next. What differs between them
-- (the request as echoed, the parameters handed to the adapter) is typed per operation in
-- packages/contracts (job-record.ts) and parsed where a row is read.
alter table jobs add column operation text not null default 'generate' check (operation in ('generate'));
alter table jobs alter column operation drop default;

-- The worker records a job's images and its success in one statement, so the intermediate
-- `images_stored` step never happens: the column that tracked it goes.
alter table jobs drop column progress;

-- The markup rule, once: the tier an account's 90-day spend reaches (tiers as parallel arrays,
-- ascending: from which spend in micro-USD, which markup in thousandths).
create function imagegate_markup_permille(account text, from_micros bigint[], permilles integer[])
returns integer language sql stable as $$
  select tiers.permille
  from unnest(from_micros, permilles) as tiers (from_micros, permille)
  where tiers.from_micros <= coalesce(
    (select sum(spend.micros) from account_daily_spend spend
     where spend.account_id = account and spend.day > current_date - 90), 0)
  order by tiers.from_micros desc limit 1
$$;

-- And its rounding: unit × markup, half up to the micro-dollar (the TypeScript `withMarkup` for
-- settled charges is the same rule; a test holds them equal).
create function imagegate_with_markup(unit_micros bigint, permille integer)
returns bigint language sql immutable as $$
  select ((unit_micros * permille) + 500) / 1000
$$;
