{% macro dbt_utils_surrogate_key(field_list) -%}
    {{ return(adapter.dispatch('dbt_utils_surrogate_key')(field_list)) }}
{%- endmacro %}

{% macro default__dbt_utils_surrogate_key(field_list) -%}
    {%- set fields = [] -%}
    {%- for field in field_list -%}
        {%- do fields.append("coalesce(cast(" ~ field ~ " as char), '_null_')") -%}
        {%- if not loop.last %}{%- do fields.append("'-'") -%}{%- endif -%}
    {%- endfor -%}
    md5(concat({{ fields | join(', ') }}))
{%- endmacro %}
