{#- dbt run-operation safeguard.take_etl_lease
    `safeguard etl` calls this before its load and holds the lease it takes
    (an 'etl' row of safeguard_run_lease) until after `dbt test`, so no
    restore, prune or other run slips between its steps: they see a live
    lease (its ETL lock is held) and refuse. The ETL's own dbt invocations
    know the lease by SAFEGUARD_ETL_LEASE and do not count it. The ETL gives
    it back when it ends; a killed ETL's lease is recovered by the next one
    (its ETL lock is gone). Returns the lease's invocation id. -#}
{% macro take_etl_lease() %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- if not env_var('SAFEGUARD_ETL_LOCK', '') -%}
        {{ exceptions.raise_compiler_error("safeguard.take_etl_lease: only `safeguard etl` takes this lease (SAFEGUARD_ETL_LOCK is not set); a dbt run takes its own in create_backups; nothing was changed") }}
    {%- endif -%}
    {%- do safeguard._ensure_catalog() -%}
    {%- do safeguard._acquire_lock('take_etl_lease') -%}
    {%- set lease = safeguard._foreign_lease() -%}
    {%- if lease is not none -%}
        {%- do safeguard._release_lock() -%}
        {{ exceptions.raise_compiler_error("safeguard.take_etl_lease: " ~ safeguard._describe_lease(lease) ~ "; the ETL changed nothing") }}
    {%- endif -%}
    {%- do safeguard._take_lease('etl') -%}
    {%- do safeguard._release_lock() -%}
    {%- do safeguard._log('LEASE', 'the ETL holds the run lease until it ends (invocation ' ~ invocation_id ~ ')') -%}
    {{ return(invocation_id) }}
{% endmacro %}
