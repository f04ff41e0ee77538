{% macro prune_backups(dry_run=false) %}
    {#- placeholder: being written -#}
{% endmacro %}
