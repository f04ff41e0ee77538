{#- Every safeguard setting and its default, in one place. A user overrides a
    setting with the var `safeguard_<name>` (README "Configuration"). -#}
{% macro _default_settings() %}
    {{ return({
        'enabled': true,
        'retention_days': 3,
        'keep_last': 2,
        'backup_schema': none,
        'catalog_schema': none,
        'extra_tables': [],
        'rollback_failed': true,
        'lease_hours': 6,
        'commands': ['run', 'build', 'seed', 'snapshot', 'retry'],
    }) }}
{% endmacro %}


{#- The one accessor for settings: validates the value, so that a typo in
    --vars fails with a clear line instead of being coerced silently. -#}
{% macro _setting(name) %}
    {%- set defaults = safeguard._default_settings() -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("safeguard: unknown setting '" ~ name ~ "'; known: " ~ defaults.keys() | join(', ')) }}
    {%- endif -%}
    {%- set value = var('safeguard_' ~ name, defaults[name]) -%}
    {%- if name in ['retention_days', 'keep_last', 'lease_hours'] -%}
        {%- set value = safeguard._whole_number(value, 'var safeguard_' ~ name) -%}
    {%- elif name in ['enabled', 'rollback_failed'] -%}
        {%- if value is string and value | lower in ['true', 'false'] -%}
            {%- set value = value | lower == 'true' -%}
        {%- endif -%}
        {%- if value is not boolean -%}
            {{ exceptions.raise_compiler_error("safeguard: var safeguard_" ~ name ~ " must be true or false, got '" ~ value ~ "'") }}
        {%- endif -%}
    {%- elif name in ['backup_schema', 'catalog_schema'] and value is not none -%}
        {%- set value = safeguard._validate_identifier(value, 'var safeguard_' ~ name) -%}
    {%- elif name in ['extra_tables', 'commands'] -%}
        {%- if value is string -%}
            {%- set value = [value] -%}
        {%- endif -%}
        {%- if value is mapping or value is not iterable -%}
            {{ exceptions.raise_compiler_error("safeguard: var safeguard_" ~ name ~ " must be a list, even if there is only one item, got '" ~ value ~ "'") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}


{#- The catalog lives in its own setting's schema, else the target schema. -#}
{% macro _catalog_schema() %}
    {%- set configured = safeguard._setting('catalog_schema') -%}
    {{ return(configured if configured is not none else safeguard._validate_identifier(target.schema, 'target schema')) }}
{% endmacro %}


{#- Hooks act only for commands that write tables (dbt also runs on-run-start
    for `dbt test`); run-operations always act. -#}
{% macro _invocation_writes() %}
    {{ return(flags.WHICH in safeguard._setting('commands')) }}
{% endmacro %}


{#- Settings and arguments that count arrive from YAML as ints or strings. -#}
{% macro _whole_number(value, what) %}
    {%- if value is string and modules.re.match('^[0-9]+$', value) -%}
        {%- set value = value | int -%}
    {%- endif -%}
    {%- if value is not number or value is boolean or value < 0 or value != value | int -%}
        {{ exceptions.raise_compiler_error("safeguard: " ~ what ~ " must be a whole number >= 0, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value | int) }}
{% endmacro %}
