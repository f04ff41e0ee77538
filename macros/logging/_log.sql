{#- One log line: `[safeguard] VERB     message`, verbs aligned. -#}
{% macro _log(verb, message) %}
    {%- do log('[safeguard] ' ~ '%-8s' | format(verb) ~ ' ' ~ message, info=True) -%}
{% endmacro %}
