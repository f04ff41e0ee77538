{#- CREATE TABLE ... SELECT and CREATE VIEW, with dbt's model contracts. -#}

{% macro mysql__create_table_as(temporary, relation, sql) -%}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    create {% if temporary -%}temporary {% endif -%} table {{ relation }}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced %}
    {{ get_assert_columns_equivalent(sql) }}
    {{ get_table_columns_and_constraints() }}
    {#- With declared columns, CREATE TABLE ... SELECT fills them by name;
        the subquery puts them in the contract's order. -#}
    {%- set sql = get_select_subquery(sql) %}
    {%- endif %}
    as {{ sql }}
{%- endmacro %}

{% macro mysql__create_view_as(relation, sql) -%}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    create view {{ relation }}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced %}
    {{ get_assert_columns_equivalent(sql) }}
    {%- endif %}
    as {{ sql }}
{%- endmacro %}
