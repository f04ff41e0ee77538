{#- dbt's view materialization, behind safeguard's guard: it refuses in a
    run without the lease like every model, and a protected model that
    turns from a table into a view (dbt drops the table) needs the table's
    verified backup first. -#}
{% materialization view, adapter='mysql' %}
    {%- do safeguard._guard_write('view') -%}
    {{ return(dbt.materialization_view_default()) }}
{% endmaterialization %}

{% materialization view, adapter='mariadb' %}
    {%- do safeguard._guard_write('view') -%}
    {{ return(dbt.materialization_view_default()) }}
{% endmaterialization %}
