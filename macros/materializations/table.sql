{#- dbt's table materialization (dbt-core 1.7, materializations/models/
    table.sql; dbt-mysql has none of its own), with three changes and
    nothing else copied: safeguard's guard runs before the first statement;
    a protected model's `__dbt_tmp` is audited before it is published
    (macros/audit; a refused one is kept as a `refused` table and the live
    table is not touched); and the swap is ONE atomic RENAME that, for a
    protected model, keeps the old table as this run's backup. It cannot
    delegate, because the two RENAMEs it replaces are inside dbt's macro.
    The post-hooks run against the live table after the swap, so what they
    do is not audited. -#}
{% materialization table, adapter='mysql' %}
    {{ return(safeguard._materialize_table()) }}
{% endmaterialization %}

{% materialization table, adapter='mariadb' %}
    {{ return(safeguard._materialize_table()) }}
{% endmaterialization %}


{% macro _materialize_table() %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set preexisting_intermediate_relation = load_cached_relation(intermediate_relation) -%}
    {%- set backup_relation_type = 'table' if existing_relation is none else existing_relation.type -%}
    {%- set backup_relation = make_backup_relation(target_relation, backup_relation_type) -%}
    {%- set preexisting_backup_relation = load_cached_relation(backup_relation) -%}
    {%- set grant_config = config.get('grants') -%}

    {#- Before any statement that writes. -#}
    {%- set guard = safeguard._guard_write('table') -%}

    {{ drop_relation_if_exists(preexisting_intermediate_relation) }}
    {{ drop_relation_if_exists(preexisting_backup_relation) }}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% call statement('main') -%}
        {{ get_create_table_as_sql(False, intermediate_relation, sql) }}
    {%- endcall %}

    {#- existing_relation could have been dropped since it was read. -#}
    {%- set existing_relation = load_cached_relation(existing_relation) if existing_relation is not none else none -%}
    {%- if guard.protect -%}
        {#- CREATE TABLE ... AS SELECT reports the rows it wrote: no scan of the candidate. -#}
        {%- set audit = safeguard._audit_build('table', intermediate_relation, safeguard._rows_replaced(existing_relation),
                                               rows_after=load_result('main').response.rows_affected) -%}
        {%- if audit.verdict == 'refused' -%}
            {{ safeguard._refuse_publish(audit, intermediate_relation, 'rename') }}
        {%- endif -%}
    {%- endif -%}
    {%- set kept = safeguard._swap_into_place(existing_relation, intermediate_relation, target_relation,
                                              guard.zero_copy and existing_relation is not none and existing_relation.type == 'table') -%}

    {%- if guard.protect -%}
        {%- do safeguard._publish_audit(audit) -%}
        {%- do safeguard._pin_pre_run(audit) -%}
    {%- endif -%}
    {% do create_indexes(target_relation) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) -%}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}

    {#- The old table is dropped only when it is not this run's backup. -#}
    {%- if kept is not none and not (guard.zero_copy and existing_relation.type == 'table') -%}
        {{ drop_relation_if_exists(kept) }}
    {%- endif -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmacro %}
