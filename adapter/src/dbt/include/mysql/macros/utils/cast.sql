{#- CAST on MySQL takes a short list of targets (SIGNED, UNSIGNED, DECIMAL,
    DOUBLE, CHAR, DATE, DATETIME, TIME, BINARY, JSON), not column types:
    `cast(x as int)` and `cast(x as varchar(20))` are syntax errors on
    MySQL 8 (MariaDB accepts some of them). dbt casts with column types in
    unit-test fixtures, contracts' empty schemas and cross-database macros,
    so every cast goes through cast_target. -#}

{% macro mysql__cast(field, type) -%}
    cast({{ field }} as {{ cast_target(type) }})
{%- endmacro %}

{% macro mysql__safe_cast(field, type) -%}
    {#- MySQL's CAST returns NULL (with a warning) where it cannot convert. -#}
    cast({{ field }} as {{ cast_target(type) }})
{%- endmacro %}

{% macro cast_target(type) -%}
    {{ return(adapter.dispatch('cast_target', 'dbt')(type)) }}
{%- endmacro %}

{% macro mysql__cast_target(type) -%}
    {%- set spelled = type | string | trim | lower -%}
    {%- set name = spelled.split('(')[0] | trim -%}
    {%- set size = '(' ~ spelled.split('(', 1)[1].split(')')[0] ~ ')' if '(' in spelled else '' -%}
    {%- set integers = ['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'bool', 'boolean',
                        'bit', 'year', 'serial', 'signed', 'int1', 'int2', 'int3', 'int4', 'int8'] -%}
    {%- set texts = ['char', 'varchar', 'text', 'tinytext', 'mediumtext', 'longtext', 'string', 'enum', 'set',
                     'character', 'character varying', 'nchar', 'nvarchar', 'national char', 'long varchar'] -%}
    {%- set binaries = ['binary', 'varbinary', 'blob', 'tinyblob', 'mediumblob', 'longblob'] -%}
    {%- if name in integers or name.startswith('int ') or name.startswith('integer ') or name.startswith('bigint ') -%}
        {{ return('unsigned' if 'unsigned' in spelled else 'signed') }}
    {%- elif name == 'unsigned' -%}
        {{ return('unsigned') }}
    {%- elif name in ['decimal', 'numeric', 'dec', 'fixed'] -%}
        {#- A bare DECIMAL is DECIMAL(10,0) on MySQL: it would drop the fraction. -#}
        {{ return('decimal' ~ (size or '(65,30)')) }}
    {%- elif name in ['float', 'double', 'real', 'double precision', 'float4', 'float8'] -%}
        {{ return('double') }}
    {%- elif name in texts -%}
        {{ return('char') }}
    {%- elif name in ['datetime', 'timestamp'] -%}
        {{ return('datetime' ~ size) }}
    {%- elif name in ['date', 'time'] -%}
        {{ return(name ~ (size if name == 'time' else '')) }}
    {%- elif name in binaries -%}
        {{ return('binary') }}
    {%- else -%}
        {#- json, or a type MySQL will name in its own error. -#}
        {{ return(spelled) }}
    {%- endif -%}
{%- endmacro %}
