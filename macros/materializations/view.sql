{#- dbt's view materialization, behind safeguard's guard: it refuses in a
    run without the lease like every model, and a protected model that
    turns from a table into a view (dbt drops the table) needs the table's
    verified backup first, and its view is audited against the table it
    replaces (macros/audit/_audit_view.sql). -#}
{% materialization view, adapter='mysql' %}
    {%- set audit = safeguard._audit_view(safeguard._guard_write('view')) -%}
    {%- set built = dbt.materialization_view_default() -%}
    {%- do safeguard._publish_view_audit(audit) -%}
    {{ return(built) }}
{% endmaterialization %}

{% materialization view, adapter='mariadb' %}
    {%- set audit = safeguard._audit_view(safeguard._guard_write('view')) -%}
    {%- set built = dbt.materialization_view_default() -%}
    {%- do safeguard._publish_view_audit(audit) -%}
    {{ return(built) }}
{% endmaterialization %}
