{#- A protected model built as a view: dbt's view materialization drops a
    table of the same name, so when a table is there (a history or table
    model turned into a view, the case create_backups backs up) the view's
    rows are audited against it first, under the previous
    materialization's rule. The refused candidate is the view's rows, kept
    as a table. Nothing is audited when no table is replaced. -#}
{% macro _audit_view(guard) %}
    {%- if not guard.protect -%}{{ return(none) }}{%- endif -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set replaced = safeguard._rows_replaced(existing) -%}
    {%- if replaced.rows is none -%}{{ return(none) }}{%- endif -%}
    {%- set rows_after = run_query('select count(*) from (' ~ sql ~ ') as safeguard_candidate').rows[0][0] | int -%}
    {%- set audit = safeguard._audit_build('view', none, replaced, destructive=true, rows_after=rows_after) -%}
    {%- if audit.verdict == 'refused' -%}
        {{ safeguard._refuse_publish(audit, none, 'select') }}
    {%- endif -%}
    {{ return(audit) }}
{% endmacro %}


{% macro _publish_view_audit(audit) %}
    {%- if audit is not none -%}
        {%- do safeguard._publish_audit(audit) -%}
        {%- do safeguard._pin_pre_run(audit) -%}
    {%- endif -%}
{% endmacro %}
