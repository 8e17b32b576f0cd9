-- Edits (POST /v1/images/edits) are jobs of their own operation; their inputs live in the object
-- store under the job, and the request column echoes them (key, size, sha256), never their bytes.
alter table jobs drop constraint jobs_operation_check;
alter table jobs add constraint jobs_operation_check check (operation in ('generate', 'edit'));
