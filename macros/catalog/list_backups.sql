{#- dbt run-operation list_backups [--args '{table: silver.tenant_status_history}']
    Prints the backup catalog as a table, newest first, and returns its rows.
    When no other safeguard operation or run is in progress, it first
    reconciles the catalog with the tables that exist (a crash between a
    swap and its catalog write), so what it lists is true. -#}
{% macro list_backups(table=none, all=false) %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- if all is not boolean -%}
        {{ exceptions.raise_compiler_error("safeguard.list_backups: all must be true or false, got '" ~ all ~ "'") }}
    {%- endif -%}
    {%- set filters = {} if all else {'status__not': 'dropped'} -%}
    {%- if table is not none -%}
        {%- set wanted = safeguard._parse_table_name(table, 'the table argument', 'list_backups') -%}
        {%- do filters.update({'source_table': wanted.table}) -%}
        {%- if wanted.schema is not none -%}
            {%- do filters.update({'source_schema': wanted.schema}) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if safeguard._catalog_exists() and safeguard._try_lock() is none -%}
        {%- if safeguard._foreign_lease() is none -%}
            {%- do safeguard._ensure_catalog() -%}
            {%- do safeguard._reconcile_catalog('list_backups') -%}
        {%- endif -%}
        {%- do safeguard._release_lock() -%}
    {%- endif -%}
    {%- set rows = safeguard._catalog_rows(filters) -%}
    {%- set header = '%-15s  %-9s  %-8s  %-40s  %-64s  %10s  %s' -%}
    {%- do log(header | format('ts (UTC)', 'kind', 'status', 'table', 'backup', 'rows', 'invocation'), info=True) -%}
    {%- for r in rows -%}
        {%- do log(header | format(r.backup_ts, r.kind, r.status ~ (' pinned' if r.pinned else ''), r.source_schema ~ '.' ~ r.source_table, r.backup_schema ~ '.' ~ r.backup_table, r.row_count, r.invocation_id), info=True) -%}
    {%- endfor -%}
    {%- do safeguard._log('SUMMARY', rows | length ~ ' backup(s)' ~ (' of ' ~ table if table is not none else '') ~ ' in ' ~ safeguard._catalog_schema() ~ '.safeguard_backups') -%}
    {{ return(rows) }}
{% endmacro %}
