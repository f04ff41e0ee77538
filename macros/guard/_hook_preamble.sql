{#- What every hook, guard and package materialization checks first, in one
    place: {'act': whether safeguard should act in this invocation,
    'problems': every bad setting's reason}. It never raises: a failing
    on-run-start crashes dbt 1.7 under --fail-fast, so each caller decides
    how to report the problems (a hook logs them, a guard refuses the write). -#}
{% macro _hook_preamble() %}
    {%- if not execute -%}
        {{ return({'act': false, 'problems': []}) }}
    {%- endif -%}
    {%- set problems = safeguard._settings_problems() -%}
    {%- if problems -%}
        {{ return({'act': false, 'problems': problems}) }}
    {%- endif -%}
    {{ return({'act': safeguard._setting('enabled') and safeguard._invocation_writes(), 'problems': []}) }}
{% endmacro %}
