{#- An incremental's unique_key must stay unique, with or without a unique
    test: a delete+insert whose increment repeats a key, or an append of a
    key the table holds, would otherwise publish two rows for one key. With
    an increment, only the keys the run wrote are grouped (rows of the
    candidate sharing a key with the increment). Returns none when the node
    has no unique_key, else {name, sql, scope, deferred}. -#}
{% macro _unique_key_plan(node, candidate, increment) %}
    {%- set unique_key = node.config.get('unique_key') -%}
    {%- if node.config.get('materialized') != 'incremental' or not unique_key -%}
        {{ return(none) }}
    {%- endif -%}
    {#- dbt-mysql pastes a string unique_key as is, so 'a, b' is two columns. -#}
    {%- set names = unique_key.split(',') | map('trim') | list if unique_key is string else unique_key | list -%}
    {%- set check = 'unique_key(' ~ names | join(', ') ~ ')' -%}
    {%- for column in names if not modules.re.match('^[A-Za-z0-9_$]{1,64}$', column | string) -%}
        {{ return({'name': check, 'deferred': 'unique_key ' ~ column ~ ' is not a column name, so it cannot be checked as one'}) }}
    {%- endfor -%}
    {%- set columns = safeguard._quoted_columns(names) -%}
    {%- set rows = candidate if increment is none else safeguard._rows_sharing_values(candidate, columns, increment) -%}
    {%- set sql -%}
        select {{ columns | join(', ') }}, count(*) as n_records
        from {{ rows }}
        where {{ columns | join(' is not null and ') }} is not null
        group by {{ columns | join(', ') }}
        having count(*) > 1
    {%- endset -%}
    {{ return({'name': check, 'sql': sql, 'deferred': none,
               'scope': 'the whole candidate ' ~ candidate if increment is none else 'the keys this run wrote'}) }}
{% endmacro %}
