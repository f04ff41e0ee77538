{% macro create_backups() %}
    {#- placeholder: being written -#}
{% endmacro %}
