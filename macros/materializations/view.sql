{#- A view, behind safeguard's guard (it refuses in a run without the lease
    like every model, and a protected model that turns from a table into a
    view needs the table's verified backup first, and its view is audited
    against the table it replaces: macros/audit/_audit_view.sql), replaced
    atomically: dbt's own view materialization renames the old view away
    and the new one into place, and a reader between the two statements
    gets error 1146. `CREATE OR REPLACE VIEW` is one atomic statement on
    MySQL 8 and MariaDB, so a reader sees the old view or the new one,
    never none. -#}
{% materialization view, adapter='mysql' %}
    {%- set audit = safeguard._audit_view(safeguard._guard_write('view')) -%}
    {%- set built = safeguard._materialize_view() -%}
    {%- do safeguard._publish_view_audit(audit) -%}
    {{ return(built) }}
{% endmaterialization %}

{% materialization view, adapter='mariadb' %}
    {%- set audit = safeguard._audit_view(safeguard._guard_write('view')) -%}
    {%- set built = safeguard._materialize_view() -%}
    {%- do safeguard._publish_view_audit(audit) -%}
    {{ return(built) }}
{% endmaterialization %}


{% macro _materialize_view() %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- set grant_config = config.get('grants') -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if existing_relation is none or existing_relation.is_view -%}
        {% call statement('main') -%}
            {{ safeguard._create_or_replace_view_sql(target_relation, sql) }}
        {%- endcall %}
        {%- set replaced = none -%}
    {%- else -%}
        {%- set replaced = safeguard._view_over_table(existing_relation, target_relation) -%}
    {%- endif -%}

    {%- set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) -%}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ drop_relation_if_exists(replaced) }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmacro %}


{#- A table of the view's name: CREATE OR REPLACE VIEW refuses to replace a
    table (error 1347). The view is built beside it and ONE
    `RENAME TABLE t TO t__dbt_backup, t__dbt_tmp TO t` swaps both (RENAME
    TABLE moves views within a schema, atomically). Returns the relation
    now holding the old table, for the caller to drop after COMMIT. -#}
{% macro _view_over_table(existing_relation, target_relation) %}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set backup_relation = make_backup_relation(target_relation, existing_relation.type) -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
    {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}
    {% call statement('main') -%}
        {{ safeguard._create_or_replace_view_sql(intermediate_relation, sql) }}
    {%- endcall %}
    {%- set target = safeguard._quote_table(target_relation.schema, target_relation.identifier) -%}
    {%- do safeguard._run_ddl_bounded('rename table ' ~ target ~ ' to '
        ~ safeguard._quote_table(backup_relation.schema, backup_relation.identifier) ~ ', '
        ~ safeguard._quote_table(intermediate_relation.schema, intermediate_relation.identifier) ~ ' to ' ~ target,
        'swap of ' ~ target_relation) -%}
    {%- do adapter.cache_dropped(existing_relation) -%}
    {%- do adapter.cache_added(target_relation) -%}
    {%- do adapter.cache_added(backup_relation) -%}
    {{ return(backup_relation) }}
{% endmacro %}


{#- The view's one statement, with the model's sql_header first as dbt's
    create_view_as sends it. -#}
{% macro _create_or_replace_view_sql(relation, sql) %}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    create or replace view {{ safeguard._quote_table(relation.schema, relation.identifier) }} as
    {{ sql }}
{% endmacro %}
