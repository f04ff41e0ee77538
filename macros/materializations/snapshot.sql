{#- dbt-mysql's snapshot materialization, behind safeguard's guard. A
    snapshot that fails after writing is rolled back by finish_run from the
    backup the guard made sure of. -#}
{% materialization snapshot, adapter='mysql' %}
    {%- do safeguard._guard_write('snapshot') -%}
    {{ return(dbt.materialization_snapshot_mysql()) }}
{% endmaterialization %}

{% materialization snapshot, adapter='mariadb' %}
    {%- do safeguard._guard_write('snapshot') -%}
    {{ return(dbt.materialization_snapshot_mariadb()) }}
{% endmaterialization %}
