{#- Schemas, relations and columns. A MySQL schema IS a database: there is no
    level above it, so every query filters on table_schema alone. -#}

{% macro mysql__list_schemas(database) %}
    {% call statement('list_schemas', fetch_result=True, auto_begin=False) -%}
        select distinct schema_name from information_schema.schemata
    {%- endcall %}
    {{ return(load_result('list_schemas').table) }}
{% endmacro %}

{% macro mysql__check_schema_exists(information_schema, schema) -%}
    {% call statement('check_schema_exists', fetch_result=True, auto_begin=False) -%}
        select count(*) from information_schema.schemata where schema_name = '{{ schema | replace("'", "''") }}'
    {%- endcall %}
    {{ return(load_result('check_schema_exists').table) }}
{% endmacro %}

{% macro mysql__create_schema(relation) -%}
    {%- call statement('create_schema') -%}
        create schema if not exists {{ relation.without_identifier() }}
    {%- endcall -%}
{% endmacro %}

{% macro mysql__drop_schema(relation) -%}
    {%- call statement('drop_schema') -%}
        drop schema if exists {{ relation.without_identifier() }}
    {%- endcall -%}
{% endmacro %}

{% macro mysql__drop_relation(relation) -%}
    {% call statement('drop_relation', auto_begin=False) -%}
        drop {{ 'view' if relation.is_view else 'table' }} if exists {{ relation }}
    {%- endcall %}
{% endmacro %}

{% macro mysql__truncate_relation(relation) -%}
    {% call statement('truncate_relation') -%}
        truncate table {{ relation }}
    {%- endcall %}
{% endmacro %}

{% macro mysql__rename_relation(from_relation, to_relation) -%}
    {#- RENAME TABLE fails when the target exists and, unlike dbt's default
        ALTER TABLE ... RENAME TO name, keeps the schema: drop, then rename
        (dbt-mysql 1.7's behaviour; safeguard's table materialization swaps
        with one atomic RENAME of its own). RENAME TABLE renames views too. -#}
    {% call statement('drop_relation') -%}
        drop {{ 'view' if to_relation.is_view else 'table' }} if exists {{ to_relation }}
    {%- endcall %}
    {% call statement('rename_relation') -%}
        rename table {{ from_relation }} to {{ to_relation }}
    {%- endcall %}
{% endmacro %}

{% macro mysql__get_columns_in_relation(relation) -%}
    {#- SHOW COLUMNS, not information_schema.columns: the latter does not list
        TEMPORARY tables, which incremental and snapshot staging tables are.
        Type is the full type (varchar(20), decimal(10,2), bigint unsigned). -#}
    {% call statement('get_columns_in_relation', fetch_result=True) -%}
        show columns from {{ relation }}
    {%- endcall %}
    {%- set columns = [] -%}
    {%- for row in load_result('get_columns_in_relation').table -%}
        {%- do columns.append(api.Column(row['Field'], row['Type'])) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{% macro mysql__list_relations_without_caching(schema_relation) %}
    {#- Rows as dbt's SQLAdapter reads them: database, name, schema, type. -#}
    {% call statement('list_relations_without_caching', fetch_result=True) -%}
        select
            null as `database`,
            table_name as `name`,
            table_schema as `schema`,
            case when table_type = 'VIEW' then 'view' else 'table' end as `type`
        from information_schema.tables
        where table_schema = '{{ schema_relation.schema }}'
    {%- endcall %}
    {{ return(load_result('list_relations_without_caching').table) }}
{% endmacro %}

{% macro mysql__generate_database_name(custom_database_name=none, node=none) -%}
    {#- No database above the schema. -#}
    {{ return(none) }}
{%- endmacro %}

{% macro mysql__current_timestamp() -%}
    current_timestamp()
{%- endmacro %}
