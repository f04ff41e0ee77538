{#- dbt run-operation release_lease --args '{invocation_id: ...}'
    Frees the run lease of a run that was killed before its on-run-end,
    without rolling anything back. To roll back what the killed run changed
    as well, use recover_run. -#}
{% macro release_lease(invocation_id=none, dry_run=false) %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- if invocation_id is none or not modules.re.match('^[0-9a-fA-F-]{8,64}$', invocation_id | string) -%}
        {{ exceptions.raise_compiler_error("safeguard.release_lease: the invocation_id argument must name the lease to free (see the error that refused your run), got '" ~ invocation_id ~ "'") }}
    {%- endif -%}
    {%- if dry_run is not boolean -%}
        {{ exceptions.raise_compiler_error("safeguard.release_lease: dry_run must be true or false, got '" ~ dry_run ~ "'") }}
    {%- endif -%}
    {%- if not safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_run_lease') -%}
        {%- do safeguard._log('SKIP', 'no run lease table; nothing to release') -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set where = "lease_name = 'run' and invocation_id = " ~ safeguard._sql_string(invocation_id) -%}
    {%- set held = run_query('select count(*) from ' ~ safeguard._lease_table() ~ ' where ' ~ where).rows[0][0] | int -%}
    {%- if held == 0 -%}
        {{ exceptions.raise_compiler_error("safeguard.release_lease: no lease is held by invocation " ~ invocation_id ~ "; nothing was changed") }}
    {%- endif -%}
    {%- if dry_run -%}
        {%- do safeguard._log('PLAN', 'would release the run lease of invocation ' ~ invocation_id) -%}
        {{ return(0) }}
    {%- endif -%}
    {%- do safeguard._give_back_lease(invocation_id | string) -%}
    {%- do safeguard._log('RELEASE', 'run lease of invocation ' ~ invocation_id) -%}
    {{ return(1) }}
{% endmacro %}
