{#- The rows a test reads, so that with an increment its cost follows the
    increment, not the table. Each test is scoped by what it checks:
    - uniqueness (unique; dbt_utils.unique_combination_of_columns): the
      candidate's rows whose value (or combination) is among the
      increment's, so a re-appended duplicate of an old row is caught;
    - a predicate on each row (not_null, accepted_values, relationships'
      child rows; dbt_utils.expression_is_true, accepted_range,
      not_accepted_values, not_empty_string): the increment's own rows, which
      are the new and changed rows as written (dbt-mysql's append and
      delete+insert write the increment's rows whole);
    - anything else: the whole candidate, since its result may depend on rows
      the run did not touch.
    The increment is read once per query: MySQL 8 cannot open a TEMPORARY
    table (dbt-mysql's `__dbt_tmp`) twice in one statement (error 1137).
    Returns {model, scope}. -#}
{% macro _scoped_model(namespace, name, kwargs, candidate, increment) %}
    {%- set whole = {'model': candidate, 'scope': 'the whole candidate ' ~ candidate} -%}
    {%- if increment is none -%}
        {{ return(whole) }}
    {%- endif -%}
    {%- set key = namespace ~ '.' ~ name if namespace else name -%}
    {%- set row_tests = ['not_null', 'accepted_values', 'relationships', 'dbt_utils.expression_is_true',
                         'dbt_utils.accepted_range', 'dbt_utils.not_accepted_values', 'dbt_utils.not_empty_string'] -%}
    {%- if key in row_tests -%}
        {{ return({'model': increment, 'scope': 'the rows this run wrote (' ~ increment ~ ')'}) }}
    {%- elif key == 'unique' and kwargs.get('column_name') -%}
        {%- set columns = [kwargs.column_name] -%}
    {%- elif key == 'dbt_utils.unique_combination_of_columns' and kwargs.get('combination_of_columns') -%}
        {%- set columns = kwargs.combination_of_columns -%}
        {%- if kwargs.get('quote_columns') -%}
            {%- set columns = safeguard._quoted_columns(columns) -%}
        {%- endif -%}
    {%- else -%}
        {{ return(whole) }}
    {%- endif -%}
    {{ return({'model': safeguard._rows_sharing_values(candidate, columns, increment),
               'scope': 'the rows sharing ' ~ columns | join(', ') ~ ' with the rows this run wrote'}) }}
{% endmacro %}


{#- `(select * from candidate where (c1, c2) in (select c1, c2 from increment)) dbt_scoped`:
    a row-value IN, valid on MySQL 8 and MariaDB; NULLs never match, as
    dbt's unique ignores them. The columns are the test's own expressions,
    used exactly as the test macro uses them. -#}
{% macro _rows_sharing_values(candidate, columns, increment) -%}
    {%- set list = columns | join(', ') -%}
    {{ return('(select * from ' ~ candidate ~ ' where (' ~ list ~ ') in (select ' ~ list ~ ' from ' ~ increment ~ ')) dbt_scoped') }}
{%- endmacro %}


{% macro _quoted_columns(columns) %}
    {%- set quoted = [] -%}
    {%- for column in columns -%}
        {%- do quoted.append(adapter.quote(column)) -%}
    {%- endfor -%}
    {{ return(quoted) }}
{% endmacro %}
