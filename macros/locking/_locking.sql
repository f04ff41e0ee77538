{#- Two locks keep safeguard operations one at a time:
    - a server-side named lock (GET_LOCK) around each backup, prune or restore;
    - a run lease row, taken by create_backups once its backups are done and
      given back by finish_run, because dbt closes the hook connection (and
      so its named lock) before the models run. A lease older than
      `lease_hours` is stale (a killed run) and may be taken over. -#}

{% macro _lock_name() %}
    {%- set name = 'safeguard:' ~ safeguard._catalog_schema() -%}
    {#- MySQL 8 refuses lock names longer than 64 characters. -#}
    {{ return(name if name | length <= 64 else 'safeguard:' ~ local_md5(name)) }}
{% endmacro %}


{#- GET_LOCK without waiting. Returns none when taken, else why not. -#}
{% macro _try_lock() %}
    {%- set name = safeguard._lock_name() -%}
    {%- set got = run_query('select get_lock(' ~ safeguard._sql_string(name) ~ ', 0)').rows[0][0] -%}
    {%- if got is not none and got | int == 1 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set holder = run_query('select is_used_lock(' ~ safeguard._sql_string(name) ~ ')').rows[0][0] -%}
    {{ return("another safeguard operation is running (lock '" ~ name ~ "' is held by connection " ~ holder ~ ")") }}
{% endmacro %}


{% macro _acquire_lock(operation) %}
    {%- set problem = safeguard._try_lock() -%}
    {%- if problem is not none -%}
        {{ exceptions.raise_compiler_error("safeguard." ~ operation ~ ": " ~ problem ~ "; nothing was changed; retry when it has finished") }}
    {%- endif -%}
{% endmacro %}


{% macro _release_lock() %}
    {%- do run_query('select release_lock(' ~ safeguard._sql_string(safeguard._lock_name()) ~ ')') -%}
{% endmacro %}


{#- The lease row of another invocation that is still fresh, or none. -#}
{% macro _foreign_lease() %}
    {%- if not safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_run_lease') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set sql -%}
        select invocation_id, command, date_format(acquired_at, '%Y-%m-%d %H:%i:%s')
        from {{ safeguard._lease_table() }}
        where lease_name = 'run'
          and invocation_id <> {{ safeguard._sql_string(invocation_id) }}
          and acquired_at > utc_timestamp() - interval {{ safeguard._setting('lease_hours') }} hour
    {%- endset -%}
    {%- set rows = run_query(sql).rows -%}
    {{ return(none if rows | length == 0 else {'invocation_id': rows[0][0], 'command': rows[0][1], 'acquired_at': rows[0][2]}) }}
{% endmacro %}


{% macro _describe_lease(lease) %}
    {{ return("dbt " ~ lease.command ~ " (invocation " ~ lease.invocation_id ~ ", started " ~ lease.acquired_at ~ " UTC) is running") }}
{% endmacro %}


{% macro _refuse_if_leased(operation) %}
    {%- set lease = safeguard._foreign_lease() -%}
    {%- if lease is not none -%}
        {{ exceptions.raise_compiler_error("safeguard." ~ operation ~ ": " ~ safeguard._describe_lease(lease) ~ "; nothing was changed; retry when it has finished, or run release_lease if that run was killed") }}
    {%- endif -%}
{% endmacro %}


{#- Call with the named lock held, after checking _foreign_lease(). -#}
{% macro _take_lease() %}
    {%- set sql -%}
        replace into {{ safeguard._lease_table() }} (lease_name, invocation_id, command, acquired_at)
        values ('run', {{ safeguard._sql_string(invocation_id) }}, {{ safeguard._sql_string(flags.WHICH) }}, utc_timestamp())
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- do safeguard._commit() -%}
{% endmacro %}


{% macro _holds_lease() %}
    {%- if not safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_run_lease') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set sql -%}
        select count(*) from {{ safeguard._lease_table() }}
        where lease_name = 'run' and invocation_id = {{ safeguard._sql_string(invocation_id) }}
    {%- endset -%}
    {{ return(run_query(sql).rows[0][0] | int > 0) }}
{% endmacro %}


{% macro _give_back_lease() %}
    {%- set sql -%}
        delete from {{ safeguard._lease_table() }}
        where lease_name = 'run' and invocation_id = {{ safeguard._sql_string(invocation_id) }}
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- do safeguard._commit() -%}
{% endmacro %}
