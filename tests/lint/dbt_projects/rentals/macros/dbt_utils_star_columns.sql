{% macro dbt_utils_star_columns(columns, aggregate='sum') -%}
    {%- for column in columns -%}
        {{ aggregate }}({{ column }}) as total_{{ column }}{{ ',' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
