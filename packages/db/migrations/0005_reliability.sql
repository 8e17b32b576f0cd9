-- Fallbacks: the models that may serve a job, in order, each with the parameters it was resolved to
-- at submission. `model`, `provider` and `parameters` are always those of route[route_index] (the
-- model serving now); route is empty for jobs without fallbacks.
alter table jobs add column route jsonb not null default '[]'::jsonb;
alter table jobs add column route_index integer not null default 0;
-- Set when the job first starts (started_at + the model's deadline): past it the job fails with
-- 504 `timeout` and costs nothing.
alter table jobs add column deadline_at timestamptz;
-- The reconciler looks at every unfinished job.
create index jobs_unfinished_idx on jobs (id) where status in ('queued', 'in_progress');
