-- Chat completions (POST /v1/chat/completions) are jobs of their own operation.
alter table jobs drop constraint jobs_operation_check;
alter table jobs add constraint jobs_operation_check check (operation in ('generate', 'edit', 'chat'));
