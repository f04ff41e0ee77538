{#- The incremental materialization of dbt-mysql 1.7, on current dbt.
    MySQL has no MERGE and runs one statement per call, so the strategies are
    `append` (no unique_key) and `delete+insert` (a unique_key): the new rows
    go to a temporary table, rows with their keys are deleted from the
    target, then inserted, inside one transaction. The safeguard package
    calls this macro by name (materialization_incremental_mysql). -#}
{% materialization incremental, adapter='mysql' %}
    {%- set unique_key = config.get('unique_key') -%}
    {%- set strategy = adapter.check_incremental_strategy(config.get('incremental_strategy'), model.name) -%}
    {%- if strategy == 'delete+insert' and not unique_key -%}
        {%- do exceptions.raise_compiler_error("model " ~ model.name ~ ": incremental_strategy 'delete+insert' needs a unique_key") -%}
    {%- endif -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing_relation = load_cached_relation(this) -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set to_drop = [] -%}
    {%- if existing_relation is none -%}
        {%- set build_sql = get_create_table_as_sql(False, target_relation, sql) -%}
    {%- elif existing_relation.is_view or should_full_refresh() -%}
        {#- A view, or --full-refresh: rebuild under the name, the old one kept
            aside until the new table committed. -#}
        {%- set backup_relation = make_backup_relation(target_relation, existing_relation.type) -%}
        {%- do adapter.drop_relation(backup_relation) -%}
        {%- do adapter.rename_relation(existing_relation, backup_relation) -%}
        {%- set build_sql = get_create_table_as_sql(False, target_relation, sql) -%}
        {%- do to_drop.append(backup_relation) -%}
    {%- else -%}
        {%- set tmp_relation = make_temp_relation(target_relation) -%}
        {%- do run_query(get_create_table_as_sql(True, tmp_relation, sql)) -%}
        {%- if unique_key and strategy != 'append' -%}
            {% call statement('pre_main') %}
                {{ mysql__incremental_delete(tmp_relation, target_relation, unique_key) }}
            {% endcall %}
        {%- endif -%}
        {%- set build_sql = mysql__incremental_insert(tmp_relation, target_relation) -%}
    {%- endif -%}

    {% call statement('main') %}
        {{ build_sql }}
    {% endcall %}

    {%- do persist_docs(target_relation, model) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- do adapter.commit() -%}
    {%- for relation in to_drop -%}
        {%- do adapter.drop_relation(relation) -%}
    {%- endfor -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}

{% macro mysql__incremental_delete(tmp_relation, target_relation, unique_key) -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    delete from {{ target_relation }}
    where ({{ keys | join(', ') }}) in (select {{ keys | join(', ') }} from {{ tmp_relation }})
{%- endmacro %}

{% macro mysql__incremental_insert(tmp_relation, target_relation) -%}
    {%- set columns = adapter.get_columns_in_relation(target_relation) | map(attribute='quoted') | join(', ') -%}
    insert into {{ target_relation }} ({{ columns }})
    select {{ columns }} from {{ tmp_relation }}
{%- endmacro %}
