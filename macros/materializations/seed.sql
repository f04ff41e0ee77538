{#- dbt's seed materialization (dbt-mysql keeps dbt-core's and overrides
    only its helpers), behind safeguard's guard. A protected seed whose
    table exists is never truncated in place (dbt TRUNCATEs it, an implicit
    commit, then inserts in batches: readers see it empty, then partial):
    it is built BESIDE the live table, audited, and swapped in with ONE
    RENAME. Every other seed is dbt's own. -#}
{% materialization seed, adapter='mysql' %}
    {{ return(safeguard._materialize_seed()) }}
{% endmaterialization %}

{% materialization seed, adapter='mariadb' %}
    {{ return(safeguard._materialize_seed()) }}
{% endmaterialization %}


{% macro _materialize_seed() %}
    {%- set guard = safeguard._guard_write('seed') -%}
    {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=model['alias']) -%}
    {%- if not guard.protect or old_relation is none or not old_relation.is_table -%}
        {{ return(dbt.materialization_seed_default()) }}
    {%- endif -%}
    {{ return(safeguard._seed_beside(old_relation)) }}
{% endmacro %}


{#- The protected seed: the new rows go into `__dbt_tmp` (made LIKE the
    live table, as dbt keeps the live table's columns when it truncates;
    from the CSV's types on --full-refresh, as dbt recreates it), which is
    audited and then swapped in. -#}
{% macro _seed_beside(old_relation) %}
    {%- set full_refresh_mode = should_full_refresh() -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set beside = make_intermediate_relation(target_relation) -%}
    {%- set agate_table = load_agate_table() -%}
    {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {{ drop_relation_if_exists(load_cached_relation(beside)) }}
    {%- if full_refresh_mode -%}
        {%- do safeguard._create_seed_table(beside, agate_table) -%}
    {%- else -%}
        {%- do safeguard._execute('create table ' ~ safeguard._quote_table(beside.schema, beside.identifier) ~ ' like ' ~ safeguard._quote_table(old_relation.schema, old_relation.identifier)) -%}
    {%- endif -%}
    {%- set sql = safeguard._load_seed_rows(beside, agate_table) -%}
    {%- set audit = safeguard._audit_build('seed', beside, safeguard._rows_replaced(old_relation)) -%}
    {%- if audit.verdict == 'refused' -%}
        {{ safeguard._refuse_publish(audit, beside, 'rename') }}
    {%- endif -%}
    {%- set old = safeguard._swap_into_place(old_relation, beside, target_relation, false) -%}
    {% call noop_statement('main', 'INSERT ' ~ (agate_table.rows | length), 'INSERT', agate_table.rows | length) %}
        {{ sql }};
    {% endcall %}
    {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(old_relation, True)) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {% do adapter.drop_relation(old) %}
    {%- do safeguard._publish_audit(audit) -%}
    {%- do safeguard._pin_pre_run(audit) -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmacro %}


{#- dbt-core's default__create_csv_table, into `relation` instead of `this`. -#}
{% macro _create_seed_table(relation, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {%- set columns = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
        {%- do columns.append(adapter.quote_seed_column(col_name | string, quote_seed_column) ~ ' ' ~ type) -%}
    {%- endfor -%}
    {%- do safeguard._execute('create table ' ~ safeguard._quote_table(relation.schema, relation.identifier) ~ ' (' ~ columns | join(', ') ~ ')') -%}
{% endmacro %}


{#- dbt-mysql's basic_load_csv_rows, into `relation` instead of `this`:
    batched INSERTs with bound values. Returns the first statement (dbt
    shows it as the compiled code). -#}
{% macro _load_seed_rows(relation, agate_table) %}
    {%- set cols_sql = get_seed_column_quoted_csv(model, agate_table.column_names) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set bindings = [] -%}
        {%- set rows = [] -%}
        {%- for row in chunk -%}
            {%- do bindings.extend(row) -%}
            {%- do rows.append('(' ~ (['%s'] * agate_table.column_names | length) | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ safeguard._quote_table(relation.schema, relation.identifier) ~ ' (' ~ cols_sql ~ ') values ' ~ rows | join(', ') -%}
        {%- do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) -%}
        {%- do statements.append(sql) if loop.first -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}
