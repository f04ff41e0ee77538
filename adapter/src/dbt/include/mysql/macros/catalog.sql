{#- dbt docs' catalog: one row per column of every relation in the schemas. -#}
{% macro mysql__get_catalog(information_schema, schemas) -%}
    {%- call statement('catalog', fetch_result=True) -%}
        select
            null as table_database,
            t.table_schema as table_schema,
            t.table_name as table_name,
            case when t.table_type = 'VIEW' then 'view' else 'table' end as table_type,
            nullif(t.table_comment, '') as table_comment,
            null as table_owner,
            c.column_name as column_name,
            c.ordinal_position as column_index,
            c.column_type as column_type,
            nullif(c.column_comment, '') as column_comment
        from information_schema.tables as t
        join information_schema.columns as c
          on c.table_schema = t.table_schema and c.table_name = t.table_name
        where t.table_schema in (
            {%- for schema in schemas -%}
            '{{ schema | replace("'", "''") }}'{{ ', ' if not loop.last }}
            {%- endfor -%}
        )
        order by t.table_schema, t.table_name, c.ordinal_position
    {%- endcall -%}
    {{ return(load_result('catalog').table) }}
{%- endmacro %}
