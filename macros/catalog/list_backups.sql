{#- dbt run-operation list_backups [--args '{table: silver.tenant_status_history}']
    Prints the backup catalog as a table, newest first, and returns its rows. -#}
{% macro list_backups(table=none, all=false) %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set where = "status <> 'dropped'" if not all else '1 = 1' -%}
    {%- if table is not none -%}
        {%- set wanted = safeguard._parse_table_name(table, 'the table argument') -%}
        {%- set where = where ~ ' and source_table = ' ~ safeguard._sql_string(wanted.table) -%}
        {%- if wanted.schema is not none -%}
            {%- set where = where ~ ' and source_schema = ' ~ safeguard._sql_string(wanted.schema) -%}
        {%- endif -%}
    {%- endif -%}
    {%- set rows = safeguard._catalog_rows(where) -%}
    {%- set header = '%-15s  %-9s  %-8s  %-40s  %-64s  %10s  %s' -%}
    {%- do log(header | format('ts (UTC)', 'kind', 'status', 'table', 'backup', 'rows', 'invocation'), info=True) -%}
    {%- for r in rows -%}
        {%- do log(header | format(r.backup_ts, r.kind, r.status, r.source_schema ~ '.' ~ r.source_table, r.backup_schema ~ '.' ~ r.backup_table, r.row_count, r.invocation_id), info=True) -%}
    {%- endfor -%}
    {%- do safeguard._log('SUMMARY', rows | length ~ ' backup(s)' ~ (' of ' ~ table if table is not none else '') ~ ' in ' ~ safeguard._catalog_schema() ~ '.safeguard_backups') -%}
    {{ return(rows) }}
{% endmacro %}
