{#- dbt-mysql 1.7's incremental materialization (identical for mysql and
    mariadb), owned here because safeguard must act between its statements.
    The changes, and nothing else:
    - safeguard's guard runs before the first statement;
    - a rebuild (first build, --full-refresh, a view turned incremental) is
      built into `__dbt_tmp`, audited, and swapped in with ONE RENAME, like
      a table model (dbt-mysql renames the table away and then creates it:
      two statements, and the table is missing in between);
    - a merge (DELETE of the touched keys + INSERT, as dbt-mysql does it)
      and the inside-transaction post-hooks run in one transaction, and a
      protected model's audit reads the merged table INSIDE it: a refused
      merge is rolled back (the live table byte-identical, a reader never
      sees a half-applied merge), a published one commits together with its
      verdict rows. persist_docs moves after the COMMIT, because its ALTER
      would commit the merge half way;
    - where MySQL commits implicitly inside that window (the ALTER of
      expand_target_column_types, DDL in a hook), the rollback cannot undo
      it: the model fails all the same, and finish_run puts the pre-run
      backup back by RENAME (docs/protection.md, "Audit before publish"). -#}
{% materialization incremental, adapter='mysql' %}
    {{ return(safeguard._materialize_incremental()) }}
{% endmaterialization %}

{% materialization incremental, adapter='mariadb' %}
    {{ return(safeguard._materialize_incremental()) }}
{% endmaterialization %}


{% macro _materialize_incremental() %}
    {%- set guard = safeguard._guard_write('incremental') -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing_relation = load_relation(this) -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if existing_relation is none or existing_relation.is_view or should_full_refresh() -%}
        {%- do safeguard._rebuild_incremental(guard, existing_relation, target_relation) -%}
    {%- else -%}
        {%- do safeguard._merge_incremental(guard, target_relation) -%}
    {%- endif -%}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmacro %}


{#- The full build: into `__dbt_tmp`, audited when protected (a
    --full-refresh of a history must not lose rows), then ONE RENAME. -#}
{% macro _rebuild_incremental(guard, existing_relation, target_relation) %}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
    {% call statement('main') -%}
        {{ create_table_as(False, intermediate_relation, sql) }}
    {%- endcall %}
    {%- if guard.protect -%}
        {%- set audit = safeguard._audit_build('incremental', intermediate_relation, safeguard._rows_replaced(existing_relation),
                                               destructive=existing_relation is not none, rows_after=load_result('main').response.rows_affected) -%}
        {%- if audit.verdict == 'refused' -%}
            {{ safeguard._refuse_publish(audit, intermediate_relation, 'rename') }}
        {%- endif -%}
    {%- endif -%}
    {%- set old = safeguard._swap_into_place(existing_relation, intermediate_relation, target_relation, false) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- if guard.protect -%}
        {%- do safeguard._record_audit(audit) -%}
    {%- endif -%}
    {% do adapter.commit() %}
    {%- if old is not none -%}
        {% do adapter.drop_relation(old) %}
    {%- endif -%}
    {%- if guard.protect -%}
        {%- do safeguard._log_audit(audit) -%}
        {%- do safeguard._pin_pre_run(audit) -%}
    {%- endif -%}
{% endmacro %}


{#- dbt-mysql's merge, in one transaction with the in-transaction
    post-hooks and, for a protected model, its audit. -#}
{% macro _merge_incremental(guard, target_relation) %}
    {%- set unique_key = config.get('unique_key') -%}
    {%- set tmp_relation = make_temp_relation(target_relation) -%}
    {% do run_query(create_table_as(True, tmp_relation, sql)) %}
    {%- set columns_before = safeguard._column_types(target_relation) if guard.protect else none -%}
    {% do adapter.expand_target_column_types(from_relation=tmp_relation, to_relation=target_relation) %}
    {#- The ALTER above commits implicitly when it widens a column. -#}
    {%- set altered = guard.protect and safeguard._column_types(target_relation) != columns_before -%}
    {%- set replaced = {'rows': safeguard._rows_at_backup(target_relation), 'moved_from': none} if guard.protect else none -%}
    {% call statement('pre_main') %}
        {{ incremental_delete(tmp_relation, target_relation, unique_key=unique_key, statement_name="pre_main") }}
    {% endcall %}
    {%- set deleted = load_result('pre_main').response.rows_affected if unique_key else 0 -%}
    {% call statement('main') %}
        {{ incremental_insert(tmp_relation, target_relation, unique_key=unique_key) }}
    {% endcall %}
    {%- set inserted = load_result('main').response.rows_affected -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- set audit = none -%}
    {%- if guard.protect -%}
        {#- The merge's own affected-row counts give the row count after it
            without a scan, so the audit's cost follows the increment; an
            in-transaction post-hook may write too, and then it is counted. -#}
        {%- set hooked = post_hooks | selectattr('transaction', 'equalto', true) | list -%}
        {%- set rows_after = none if hooked else replaced.rows - deleted + inserted -%}
        {%- set audit = safeguard._audit_build('incremental', target_relation, replaced, increment=tmp_relation, rows_after=rows_after) -%}
        {%- if audit.verdict == 'refused' -%}
            {%- do run_query('rollback') -%}
            {{ safeguard._refuse_publish(audit, tmp_relation, 'copy', altered) }}
        {%- endif -%}
        {%- do safeguard._record_audit(audit) -%}
    {%- endif -%}
    {#- COMMIT: the merge and its verdict rows together. -#}
    {% do adapter.commit() %}
    {%- if audit is not none -%}
        {%- do safeguard._log_audit(audit) -%}
        {%- do safeguard._pin_pre_run(audit) -%}
    {%- endif -%}
{% endmacro %}


{#- Each column's name and full type, to tell whether an ALTER happened. -#}
{% macro _column_types(relation) %}
    {%- set sql -%}
        select /* safeguard_audit */ column_name, column_type from information_schema.columns
        where table_schema = {{ safeguard._sql_string(relation.schema) }}
          and table_name = {{ safeguard._sql_string(relation.identifier) }}
        order by ordinal_position
    {%- endset -%}
    {%- set types = [] -%}
    {%- for row in run_query(sql).rows -%}{%- do types.append(row['column_name'] ~ ' ' ~ row['column_type']) -%}{%- endfor -%}
    {{ return(types) }}
{% endmacro %}


{#- The table's row count before this run's merge: the row count its
    verified backup of this invocation recorded (nothing else writes a
    protected table under the run lease), else one COUNT(*). -#}
{% macro _rows_at_backup(relation) %}
    {%- set rows = safeguard._catalog_rows({'source_schema': relation.schema, 'source_table': relation.identifier, 'invocation_id': invocation_id, 'kind': 'backup', 'status': 'verified'}) -%}
    {%- if rows and rows[0].row_count is not none -%}
        {{ return(rows[0].row_count) }}
    {%- endif -%}
    {{ return(safeguard._row_count(relation)) }}
{% endmacro %}
