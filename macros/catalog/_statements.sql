{#- Run one statement. run_query works in hooks, run-operations and pre-hooks. -#}
{% macro _execute(sql) %}
    {%- do run_query(sql) -%}
{% endmacro %}


{#- dbt-mysql opens a transaction in hooks and run-operations and never
    commits it: a catalog write is lost unless something commits after it. -#}
{% macro _commit() %}
    {%- do run_query('commit') -%}
{% endmacro %}
