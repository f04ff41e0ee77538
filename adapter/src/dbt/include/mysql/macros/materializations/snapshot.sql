{#- Snapshots: dbt's own snapshot materialization, with MySQL's spellings of
    the pieces it dispatches. The safeguard package calls this macro by name
    (materialization_snapshot_mysql). -#}
{% materialization snapshot, adapter='mysql' %}
    {#- dbt hands the node to Jinja without its None fields, and a MySQL node
        has no database; dbt's snapshot reads model.database. -#}
    {%- if 'database' not in model -%}
        {%- do model.update({'database': none}) -%}
    {%- endif -%}
    {{ return(materialization_snapshot_default()) }}
{% endmaterialization %}

{% macro mysql__snapshot_merge_sql(target, source, insert_cols) -%}
    {#- MySQL has no MERGE and runs one statement per call: the UPDATE that
        closes changed rows runs here, in the snapshot's transaction, and the
        INSERT of new versions is returned for the materialization's 'main'. -#}
    {%- set columns = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
    {% call statement('snapshot_close_changed_rows') -%}
        update {{ target }} as dbt_internal_target
        join {{ source }} as dbt_internal_source
          on dbt_internal_source.{{ columns.dbt_scd_id }} = dbt_internal_target.{{ columns.dbt_scd_id }}
        set dbt_internal_target.{{ columns.dbt_valid_to }} = dbt_internal_source.{{ columns.dbt_valid_to }}
        where dbt_internal_source.dbt_change_type in ('update', 'delete')
        {%- if config.get('dbt_valid_to_current') %}
          and (dbt_internal_target.{{ columns.dbt_valid_to }} = {{ config.get('dbt_valid_to_current') }}
               or dbt_internal_target.{{ columns.dbt_valid_to }} is null)
        {%- else %}
          and dbt_internal_target.{{ columns.dbt_valid_to }} is null
        {%- endif %}
    {%- endcall %}
    insert into {{ target }} ({{ insert_cols | join(', ') }})
    select {% for column in insert_cols -%}
        dbt_internal_source.{{ column }}{{ ', ' if not loop.last }}
    {%- endfor %}
    from {{ source }} as dbt_internal_source
    where dbt_internal_source.dbt_change_type = 'insert'
{%- endmacro %}

{% macro mysql__snapshot_hash_arguments(args) -%}
    md5(concat_ws('|', {% for arg in args -%}
        coalesce(cast({{ arg }} as char), ''){{ ', ' if not loop.last }}
    {%- endfor %}))
{%- endmacro %}

{% macro mysql__snapshot_string_as_time(timestamp) -%}
    {%- set result = "str_to_date('" ~ timestamp ~ "', '%Y-%m-%d %H:%i:%s.%f')" -%}
    {{ return(result) }}
{%- endmacro %}
