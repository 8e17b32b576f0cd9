-- Images and uploaded inputs are kept IMAGE_RETENTION_DAYS after a job ends, then deleted by the
-- provider worker's retention sweep; the job keeps its metadata and says when its images went.
alter table jobs add column images_expired_at timestamptz;
-- The sweep's scan: ended jobs whose objects are still kept, oldest first.
create index jobs_retention_idx on jobs (completed_at) where images_expired_at is null and completed_at is not null;
