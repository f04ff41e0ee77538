{#- dbt run-operation release_pin --args '{table: gold.moveout_notices, ts: 20260206_070000}'
    Releases a backup pinned before an allowed --full-refresh, so retention
    may drop it again. Changes only the catalog row's `pinned` flag. -#}
{% macro release_pin(table=none, ts=none, dry_run=false) %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set wanted = safeguard._parse_table_name(table, 'the table argument') -%}
    {%- if wanted.schema is none -%}
        {{ exceptions.raise_compiler_error("safeguard.release_pin: name the table with its schema, e.g. {table: gold.moveout_notices, ts: 20260206_070000}; got '" ~ table ~ "'") }}
    {%- endif -%}
    {%- set ts_prefix = safeguard._parse_ts(ts) -%}
    {%- if dry_run is not boolean -%}
        {{ exceptions.raise_compiler_error("safeguard.release_pin: dry_run must be true or false, got '" ~ dry_run ~ "'") }}
    {%- endif -%}
    {%- set rows = safeguard._catalog_rows({'pinned': 1, 'source_schema': wanted.schema, 'source_table': wanted.table}) -%}
    {%- set matches = safeguard._rows_matching(rows, ts_prefix, none) -%}
    {%- if matches | length != 1 -%}
        {{ exceptions.raise_compiler_error("safeguard.release_pin: " ~ ('no' if matches | length == 0 else matches | length) ~ " pinned backup(s) of " ~ wanted.schema ~ "." ~ wanted.table ~ (" at " ~ ts_prefix if ts_prefix else "") ~ "; pinned: " ~ (rows | map(attribute='backup_ts') | join(', ') or 'none') ~ "; nothing was changed") }}
    {%- endif -%}
    {%- set row = matches[0] -%}
    {%- if dry_run -%}
        {%- do safeguard._log('PLAN', 'would release the pin of ' ~ row.backup_schema ~ '.' ~ row.backup_table) -%}
        {{ return(row.backup_schema ~ '.' ~ row.backup_table) }}
    {%- endif -%}
    {%- set sql -%}
        update {{ safeguard._catalog_table() }} set pinned = 0, updated_at = utc_timestamp()
        where backup_id = {{ row.backup_id }}
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- do safeguard._commit() -%}
    {%- do safeguard._log('RELEASE', 'pin of ' ~ row.backup_schema ~ '.' ~ row.backup_table ~ ': retention applies to it again') -%}
    {{ return(row.backup_schema ~ '.' ~ row.backup_table) }}
{% endmacro %}
