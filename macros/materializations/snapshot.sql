{#- dbt-mysql 1.7's snapshot materialization (the same body for mysql and
    mariadb; only the merge macros' prefix differs), owned here because
    safeguard must act between its statements. The changes, and nothing
    else:
    - safeguard's guard runs before the first statement;
    - the UPDATE + INSERT merge and the inside-transaction post-hooks run in
      one transaction, and a protected snapshot is audited inside it before
      COMMIT (a snapshot never loses rows, its own tests hold): a refused
      merge is rolled back and the staging rows are kept as the `refused`
      candidate; persist_docs moves after the COMMIT (its ALTER would
      commit the merge half way);
    - create_columns (an ALTER, for a new source column) and
      expand_target_column_types commit implicitly: when either changed the
      table, a refused merge fails the model all the same and finish_run
      puts the pre-run backup back by RENAME. -#}
{% materialization snapshot, adapter='mysql' %}
    {{ return(safeguard._materialize_snapshot()) }}
{% endmaterialization %}

{% materialization snapshot, adapter='mariadb' %}
    {{ return(safeguard._materialize_snapshot()) }}
{% endmaterialization %}


{% macro _materialize_snapshot() %}
    {%- set guard = safeguard._guard_write('snapshot') -%}
    {%- set config = model['config'] -%}
    {%- set strategy_name = config.get('strategy') -%}
    {% if not adapter.check_schema_exists(model.database, model.schema) %}
        {% do create_schema(model.database, model.schema) %}
    {% endif %}
    {% set target_relation_exists, target_relation = get_or_create_relation(
            database=none, schema=model.schema, identifier=model.get('alias', model.get('name')), type='table') -%}
    {%- if not target_relation.is_table -%}
        {% do exceptions.relation_wrong_type(target_relation, 'table') %}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% set strategy_macro = strategy_dispatch(strategy_name) %}
    {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", config, target_relation_exists) %}
    {%- set audit = none -%}
    {% if not target_relation_exists %}
        {% call statement('main') %}
            {{ create_table_as(False, target_relation, build_snapshot_table(strategy, model['compiled_sql'])) }}
        {% endcall %}
        {%- if guard.protect -%}
            {%- set audit = safeguard._audit_build('snapshot', target_relation, {'rows': none, 'moved_from': none}) -%}
            {%- do safeguard._record_audit(audit) -%}
        {%- endif -%}
        {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% else %}
        {%- set staging_table = safeguard._merge_snapshot(guard, strategy, target_relation) -%}
    {% endif %}

    {{ adapter.commit() }}
    {% do persist_docs(target_relation, model) %}
    {% if staging_table is defined %}
        {% do post_snapshot(staging_table) %}
    {% endif %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmacro %}


{#- dbt-mysql's staging table, column changes and UPDATE + INSERT, then the
    in-transaction post-hooks and, for a protected snapshot, its audit and
    verdict rows, all before the caller's COMMIT. Returns the staging table. -#}
{% macro _merge_snapshot(guard, strategy, target_relation) %}
    {{ adapter.valid_snapshot_target(target_relation) }}
    {%- set columns_before = safeguard._column_types(target_relation) if guard.protect else none -%}
    {% set staging_table = build_snapshot_staging_table(strategy, sql, target_relation) %}
    {% do adapter.expand_target_column_types(from_relation=staging_table, to_relation=target_relation) %}
    {%- set dbt_columns = ['dbt_change_type', 'DBT_CHANGE_TYPE', 'dbt_unique_key', 'DBT_UNIQUE_KEY'] -%}
    {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation) | rejectattr('name', 'in', dbt_columns) | list %}
    {% do create_columns(target_relation, missing_columns) %}
    {#- Both ALTERs above commit implicitly when they change the table. -#}
    {%- set altered = guard.protect and safeguard._column_types(target_relation) != columns_before -%}
    {%- set replaced = {'rows': safeguard._rows_at_backup(target_relation), 'moved_from': none} if guard.protect else none -%}
    {% set quoted_source_columns = [] %}
    {% for column in adapter.get_columns_in_relation(staging_table) | rejectattr('name', 'in', dbt_columns) %}
        {% do quoted_source_columns.append(adapter.quote(column.name)) %}
    {% endfor %}
    {#- MySQL has no MERGE: dbt-mysql's UPDATE + INSERT, per adapter type. -#}
    {% call statement('main') %}
        {{ context[adapter.type() ~ '__snapshot_merge_sql_update'](target=target_relation, source=staging_table, insert_cols=quoted_source_columns) }}
    {% endcall %}
    {% call statement('main') %}
        {{ context[adapter.type() ~ '__snapshot_merge_sql_insert'](target=target_relation, source=staging_table, insert_cols=quoted_source_columns) }}
    {% endcall %}
    {%- set inserted = load_result('main').response.rows_affected -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- if guard.protect -%}
        {#- The UPDATE only closes rows; the INSERT's count gives the total
            without a scan, unless an in-transaction post-hook wrote too. -#}
        {%- set hooked = post_hooks | selectattr('transaction', 'equalto', true) | list -%}
        {%- set rows_after = none if hooked else replaced.rows + inserted -%}
        {%- set audit = safeguard._audit_build('snapshot', target_relation, replaced, increment=staging_table, rows_after=rows_after) -%}
        {%- if audit.verdict == 'refused' -%}
            {%- do run_query('rollback') -%}
            {{ safeguard._refuse_publish(audit, staging_table, 'copy', altered) }}
        {%- endif -%}
        {%- do safeguard._record_audit(audit) -%}
        {%- do safeguard._log_audit(audit) -%}
    {%- endif -%}
    {{ return(staging_table) }}
{% endmacro %}
