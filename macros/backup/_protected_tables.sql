{#- Is this graph node protected? meta: {safeguard: {protect: true}}, set
    with +meta in dbt_project.yml or in the model's config(). -#}
{% macro _is_protected(node) %}
    {%- set meta = node.config.meta if node.config is defined and node.config.meta else (node.meta or {}) -%}
    {%- set options = meta.get('safeguard') or {} -%}
    {{ return(options is mapping and options.get('protect') is sameas true) }}
{% endmacro %}


{#- The tables this invocation protects: selected protected models, seeds
    and snapshots that hold data, plus `safeguard_extra_tables`. -#}
{% macro _protected_tables() %}
    {%- set tables = [] -%}
    {%- set seen = [] -%}
    {%- for node in graph.nodes.values()
          if node.resource_type in ['model', 'seed', 'snapshot']
          and node.unique_id in selected_resources
          and safeguard._is_protected(node) -%}
        {%- if node.config.materialized in ['view', 'ephemeral'] -%}
            {%- do safeguard._log('SKIP', node.name ~ ' is a ' ~ node.config.materialized ~ ' and holds no data') -%}
        {%- else -%}
            {%- set schema = safeguard._validate_identifier(node.schema, 'schema of ' ~ node.unique_id) -%}
            {%- set table = safeguard._validate_identifier(node.alias or node.name, 'name of ' ~ node.unique_id) -%}
            {%- do tables.append({'schema': schema, 'table': table, 'unique_id': node.unique_id}) -%}
            {%- do seen.append(schema ~ '.' ~ table) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in safeguard._setting('extra_tables') -%}
        {%- set parsed = safeguard._parse_table_name(name, 'an entry of var safeguard_extra_tables') -%}
        {%- if (parsed.schema ~ '.' ~ parsed.table) not in seen -%}
            {%- do tables.append({'schema': parsed.schema, 'table': parsed.table, 'unique_id': none}) -%}
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
    types, and a restored table is the table that was backed up. -#}
{% macro _copy_table(source_schema, source_table, backup_schema, backup_table) %}
    {{ return(adapter.dispatch('copy_table', 'safeguard')(source_schema, source_table, backup_schema, backup_table)) }}
{% endmacro %}

{% macro default__copy_table(source_schema, source_table, backup_schema, backup_table) %}
    {%- set source = safeguard._quote_table(source_schema, source_table) -%}
    {%- set backup = safeguard._quote_table(backup_schema, backup_table) -%}
    {%- do safeguard._execute('create table ' ~ backup ~ ' like ' ~ source) -%}
    {%- do safeguard._execute('insert into ' ~ backup ~ ' select * from ' ~ source) -%}
    {%- do safeguard._commit() -%}
{% endmacro %}
