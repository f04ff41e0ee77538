{% macro require_backup() %}
    {#- placeholder: being written -#}
{% endmacro %}
