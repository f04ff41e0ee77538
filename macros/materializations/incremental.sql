{#- dbt-mysql's incremental materialization, behind safeguard's guard: the
    model refuses before its first statement when its backup was not taken
    (and takes the copy itself when none was planned, as on `dbt retry`),
    and a protected --full-refresh needs explicit permission. -#}
{% materialization incremental, adapter='mysql' %}
    {%- do safeguard._guard_write('incremental') -%}
    {{ return(dbt.materialization_incremental_mysql()) }}
{% endmaterialization %}

{% materialization incremental, adapter='mariadb' %}
    {%- do safeguard._guard_write('incremental') -%}
    {{ return(dbt.materialization_incremental_mariadb()) }}
{% endmaterialization %}
