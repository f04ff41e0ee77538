{% macro grant_select(role) %}
    {% set sql %}
        grant select on {{ this.schema }}.* to {{ role }}
    {% endset %}
    {% do run_query(sql) %}
{% endmacro %}
