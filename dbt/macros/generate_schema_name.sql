{#- Schemas are named exactly staging, silver and gold. SAFEGUARD_SCHEMA_PREFIX
    is empty in production; the test suite sets it when it shares a server it
    does not own, so that it never touches schemas it did not create. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ env_var('SAFEGUARD_SCHEMA_PREFIX', '') ~ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
