{#- Prune and restore act only on catalog rows the package could have
    written: a hand-edited or forged row must not make prune drop a user
    table or restore move one into a protected table.

    A row is trusted when
    - its backup table has exactly the name `_backup_name` generates from
      its source, backup schema, kind and timestamp;
    - its backup schema is the source's schema, the configured backup
      schema, or a shared schema (then the generated name carries the source
      schema, `<schema>__<table>_backup_<ts>`);
    - its source is a table this project protects: a protected model, seed
      or snapshot, an entry of `safeguard_extra_tables`, or a table in a
      schema the project builds (extra tables may be listed for one run only).
    Returns none, or why the row is refused. -#}
{% macro _distrust(row, sources=none) %}
    {%- set sources = sources if sources is not none else safeguard._trusted_sources() -%}
    {%- set label = row.backup_schema ~ '.' ~ row.backup_table ~ ' (catalog row ' ~ row.backup_id ~ ')' -%}
    {%- if not modules.re.match('^[0-9]{8}_[0-9]{6}$', row.backup_ts | string) or row.kind not in ['backup', 'replaced', 'refused'] -%}
        {{ return(label ~ ": kind '" ~ row.kind ~ "' / ts '" ~ row.backup_ts ~ "' is not one the package writes") }}
    {%- endif -%}
    {%- for value in [row.source_schema, row.source_table, row.backup_schema, row.backup_table] -%}
        {%- if not modules.re.match('^[A-Za-z0-9_$]{1,64}$', value | string) -%}
            {{ return(label ~ ": '" ~ value ~ "' is not a plain name") }}
        {%- endif -%}
    {%- endfor -%}
    {%- set expected = safeguard._backup_name(row.source_schema, row.source_table, row.backup_schema, row.kind, row.backup_ts) -%}
    {%- if row.backup_table != expected -%}
        {{ return(label ~ ": a " ~ row.kind ~ " of " ~ row.source_schema ~ "." ~ row.source_table ~ " at " ~ row.backup_ts ~ " would be named " ~ row.backup_schema ~ "." ~ expected) }}
    {%- endif -%}
    {%- set source = row.source_schema ~ '.' ~ row.source_table -%}
    {%- if source not in sources.tables and row.source_schema not in sources.schemas -%}
        {{ return(label ~ ": its source " ~ source ~ " is not a table this project protects or builds") }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{#- {'tables': protected schema.table names, 'schemas': schemas the project
    writes}, from the whole graph (a run-operation selects nothing). -#}
{% macro _trusted_sources() %}
    {%- set tables = [] -%}
    {%- set schemas = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'snapshot'] -%}
        {%- if node.schema not in schemas -%}{%- do schemas.append(node.schema) -%}{%- endif -%}
        {%- if safeguard._is_protected(node) -%}
            {%- do tables.append(node.schema ~ '.' ~ (node.alias or node.name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in safeguard._setting('extra_tables') -%}
        {%- do tables.append(name | string) -%}
    {%- endfor -%}
    {{ return({'tables': tables, 'schemas': schemas}) }}
{% endmacro %}


{#- Fails (before anything changes) when any row is not trusted. -#}
{% macro _refuse_untrusted(rows, operation) %}
    {%- set sources = safeguard._trusted_sources() -%}
    {%- set refused = [] -%}
    {%- for row in rows -%}
        {%- set problem = safeguard._distrust(row, sources) -%}
        {%- if problem is not none -%}{%- do refused.append(problem) -%}{%- endif -%}
    {%- endfor -%}
    {%- if refused -%}
        {{ exceptions.raise_compiler_error("safeguard." ~ operation ~ ": refusing catalog rows the package did not write: " ~ refused | join('; ') ~ "; nothing was changed; fix or delete those rows in " ~ safeguard._catalog_schema() ~ ".safeguard_backups") }}
    {%- endif -%}
{% endmacro %}
