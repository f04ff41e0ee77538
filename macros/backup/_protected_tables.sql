{#- Is this graph node protected? meta: {safeguard: {protect: true}}, set
    with +meta in dbt_project.yml or in the model's config(). -#}
{% macro _is_protected(node) %}
    {%- set meta = node.config.meta if node.config is defined and node.config.meta else (node.meta or {}) -%}
    {%- set options = meta.get('safeguard') or {} -%}
    {{ return(options is mapping and options.get('protect') is sameas true) }}
{% endmacro %}


{#- The tables this invocation protects: selected protected models, seeds
    and snapshots that hold data, plus `safeguard_extra_tables`. Each is
    {schema, table, unique_id, zero_copy}: zero_copy marks a table model
    that safeguard's table materialization backs up by keeping the old
    table at its swap, so create_backups does not copy it. -#}
{% macro _protected_tables() %}
    {%- set tables = [] -%}
    {%- set seen = [] -%}
    {%- set zero_copy_tables = safeguard._materialization_is_safeguards('table') -%}
    {%- for node in graph.nodes.values()
          if node.resource_type in ['model', 'seed', 'snapshot']
          and node.unique_id in selected_resources
          and safeguard._is_protected(node) -%}
        {%- set schema = safeguard._validate_identifier(node.schema, 'schema of ' ~ node.unique_id) -%}
        {%- set table = safeguard._validate_identifier(node.alias or node.name, 'name of ' ~ node.unique_id) -%}
        {%- if node.config.materialized in ['view', 'ephemeral'] and not safeguard._table_exists(schema, table) -%}
            {%- do safeguard._log('SKIP', schema ~ '.' ~ table ~ ' is a ' ~ node.config.materialized ~ ' and no table of that name exists: nothing to back up') -%}
        {%- else -%}
            {%- if node.config.materialized in ['view', 'ephemeral'] -%}
                {#- A protected table turned into a view: dbt's view
                    materialization drops the table, so it is backed up. -#}
                {%- do safeguard._log('WARN', schema ~ '.' ~ table ~ ' is now a ' ~ node.config.materialized ~ ' but a table of that name holds data: backing it up before dbt replaces it') -%}
            {%- endif -%}
            {%- do tables.append({'schema': schema, 'table': table, 'unique_id': node.unique_id,
                                  'zero_copy': zero_copy_tables and node.config.materialized == 'table'}) -%}
            {%- do seen.append(schema ~ '.' ~ table) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in safeguard._setting('extra_tables') -%}
        {%- set parsed = safeguard._parse_table_name(name, 'an entry of var safeguard_extra_tables') -%}
        {%- if (parsed.schema ~ '.' ~ parsed.table) not in seen -%}
            {%- do tables.append({'schema': parsed.schema, 'table': parsed.table, 'unique_id': none, 'zero_copy': false}) -%}
            {%- do seen.append(parsed.schema ~ '.' ~ parsed.table) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}


{#- Where the backup of schema.table goes. -#}
{% macro _backup_schema_for(source_schema) %}
    {%- set configured = safeguard._setting('backup_schema') -%}
    {{ return(configured if configured is not none else source_schema) }}
{% endmacro %}


{#- Copy with CREATE TABLE ... LIKE so the backup keeps keys and column
    types, and a restored table is the table that was backed up. The
    columns are named: INSERT ... SELECT * into a generated column fails
    (MariaDB 1906, MySQL 3105), and SELECT * skips INVISIBLE columns. The
    copy has no foreign keys (LIKE drops them); the catalog records them.
    Returns none, or the server's error when the copy failed (a full disk's
    1114): the half-made copy is then dropped at once, and the caller
    refuses instead of raising (a raising on-run-start crashes dbt 1.7
    under --fail-fast with 'BaseResult' object has no attribute 'node'). -#}
{% macro _copy_table(source_schema, source_table, backup_schema, backup_table) %}
    {{ return(adapter.dispatch('copy_table', 'safeguard')(source_schema, source_table, backup_schema, backup_table)) }}
{% endmacro %}

{% macro default__copy_table(source_schema, source_table, backup_schema, backup_table) %}
    {%- set source = safeguard._quote_table(source_schema, source_table) -%}
    {%- set backup = safeguard._quote_table(backup_schema, backup_table) -%}
    {%- set columns = safeguard._stored_columns(source_schema, source_table) -%}
    {%- do safeguard._ensure_probe_procedure() -%}
    {%- for sql in ['create table ' ~ backup ~ ' like ' ~ source,
                    'insert into ' ~ backup ~ ' (' ~ columns ~ ') select ' ~ columns ~ ' from ' ~ source] -%}
        {%- set failed = safeguard._try_statement(sql) -%}
        {%- if failed is not none -%}
            {%- do safeguard._commit() -%}
            {%- do safeguard._run_ddl_bounded('drop table if exists ' ~ backup, 'create_backups') -%}
            {{ return(failed) }}
        {%- endif -%}
    {%- endfor -%}
    {%- do safeguard._commit() -%}
    {{ return(none) }}
{% endmacro %}


{#- The quoted, comma-separated columns a copy writes: every column except
    generated ones, which the server computes (generation_expression is ''
    on MySQL 8 and NULL on MariaDB for an ordinary column; MySQL's
    DEFAULT_GENERATED columns are ordinary columns with an expression default). -#}
{% macro _stored_columns(schema, table) %}
    {%- set quoted = [] -%}
    {%- for name in safeguard._stored_column_names(schema, table) -%}
        {%- do quoted.append('`' ~ (name | replace('`', '``')) ~ '`') -%}
    {%- endfor -%}
    {{ return(quoted | join(', ')) }}
{% endmacro %}


{#- The names of those columns, in table order. -#}
{% macro _stored_column_names(schema, table) %}
    {%- set sql -%}
        select column_name from information_schema.columns
        where table_schema = {{ safeguard._sql_string(schema) }}
          and table_name = {{ safeguard._sql_string(table) }}
          and coalesce(generation_expression, '') = ''
        order by ordinal_position
    {%- endset -%}
    {%- set names = [] -%}
    {%- for row in run_query(sql).rows -%}{%- do names.append(row[0]) -%}{%- endfor -%}
    {{ return(names) }}
{% endmacro %}
