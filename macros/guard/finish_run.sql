{% macro finish_run(results=none) %}
    {#- placeholder: being written -#}
{% endmacro %}
