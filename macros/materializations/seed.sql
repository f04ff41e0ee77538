{#- dbt's seed materialization (dbt-mysql keeps dbt-core's and overrides
    only its helpers), behind safeguard's guard: a protected seed is never
    truncated without this run's verified backup. -#}
{% materialization seed, adapter='mysql' %}
    {%- do safeguard._guard_write('seed') -%}
    {{ return(dbt.materialization_seed_default()) }}
{% endmaterialization %}

{% materialization seed, adapter='mariadb' %}
    {%- do safeguard._guard_write('seed') -%}
    {{ return(dbt.materialization_seed_default()) }}
{% endmaterialization %}
