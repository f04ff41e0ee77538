{#- MariaDB has no JSON cast target (its JSON is LONGTEXT). -#}
{% macro mariadb__cast_target(type) -%}
    {%- set target = mysql__cast_target(type) -%}
    {{ return('char' if target == 'json' else target) }}
{%- endmacro %}
