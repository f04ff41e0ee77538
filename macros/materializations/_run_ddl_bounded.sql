{#- Placeholder for the shared bounded-retry helper of macros/locking (same
    name and signature); remove this file when that one is merged. Runs the
    statement once with the session's lock_wait_timeout set to
    `lock_wait_seconds`: MariaDB waits a day and MySQL 8 a year for a
    metadata lock by default, and every later reader of the table queues
    behind a waiting RENAME. The session's previous value is put back. -#}
{% macro _run_ddl_bounded(sql, operation) %}
    {%- set previous = run_query('select @@session.lock_wait_timeout').rows[0][0] -%}
    {#- lock_wait_timeout takes whole seconds. -#}
    {%- set seconds = [1, (safeguard._setting('lock_wait_seconds') | round(0, 'ceil')) | int] | max -%}
    {%- do run_query('set session lock_wait_timeout = ' ~ seconds) -%}
    {%- do run_query(sql) -%}
    {%- do run_query('set session lock_wait_timeout = ' ~ previous | int) -%}
{% endmacro %}
