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


{#- The one accessor for settings: a bad value fails with a clear line
    instead of being coerced silently. -#}
{% macro _setting(name) %}
    {%- set checked = safeguard._check_setting(name) -%}
    {%- if checked.problem is not none -%}
        {{ exceptions.raise_compiler_error("safeguard: " ~ checked.problem) }}
    {%- endif -%}
    {{ return(checked.value) }}
{% endmacro %}


{#- Every setting's problem, without raising. Hooks check this first: a
    failing on-run-start makes dbt 1.7 crash under --fail-fast and hides the
    message, so they log it instead and the guard fails each model with it. -#}
{% macro _settings_problems() %}
    {%- set problems = [] -%}
    {%- for name in safeguard._default_settings() -%}
        {%- set checked = safeguard._check_setting(name) -%}
        {%- if checked.problem is not none -%}
            {%- do problems.append(checked.problem) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}


{#- {'value': the setting, validated and normalized, 'problem': none or why not}. -#}
{% macro _check_setting(name) %}
    {%- set defaults = safeguard._default_settings() -%}
    {%- if name not in defaults -%}
        {{ return({'value': none, 'problem': "unknown setting '" ~ name ~ "'; known: " ~ defaults.keys() | join(', ')}) }}
    {%- endif -%}
    {%- set raw = var('safeguard_' ~ name, defaults[name]) -%}
    {%- set what = 'var safeguard_' ~ name -%}
    {%- set value = raw -%}
    {%- set problem = none -%}
    {%- if name in ['retention_days', 'keep_last', 'lease_hours'] -%}
        {%- set value = safeguard._as_whole_number(raw) -%}
        {%- if value is none -%}
            {%- set problem = what ~ " must be a whole number >= 0, got '" ~ raw ~ "'" -%}
        {%- endif -%}
    {%- elif name in ['enabled', 'rollback_failed'] -%}
        {%- set value = safeguard._as_boolean(raw) -%}
        {%- if value is none -%}
            {%- set problem = what ~ " must be true or false, got '" ~ raw ~ "'" -%}
        {%- endif -%}
    {%- elif name in ['backup_schema', 'catalog_schema'] -%}
        {%- if raw is not none and not modules.re.match('^[A-Za-z0-9_$]{1,64}$', raw | string) -%}
            {%- set problem = what ~ " must be a plain schema name (letters, digits, _ or $, at most 64 characters), got '" ~ raw ~ "'" -%}
        {%- endif -%}
    {%- elif name in ['extra_tables', 'commands'] -%}
        {%- set value = [raw] if raw is string else raw -%}
        {%- if value is mapping or value is not iterable -%}
            {%- set problem = what ~ " must be a list, even if there is only one item, got '" ~ raw ~ "'" -%}
        {%- elif name == 'extra_tables' -%}
            {%- set bad = [] -%}
            {%- for entry in value if not modules.re.match('^[A-Za-z0-9_$]{1,64}\\.[A-Za-z0-9_$]{1,64}$', entry | string) -%}
                {%- do bad.append(entry) -%}
            {%- endfor -%}
            {%- if bad -%}
                {%- set problem = what ~ " entries must be schema.table with plain names, got '" ~ bad[0] ~ "'" -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ return({'value': value, 'problem': problem}) }}
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


{#- Settings and arguments that count arrive from YAML as ints or strings.
    Returns the int, or none when the value is not a whole number >= 0. -#}
{% macro _as_whole_number(value) %}
    {%- if value is string and modules.re.match('^[0-9]+$', value) -%}
        {%- set value = value | int -%}
    {%- endif -%}
    {%- if value is not number or value is boolean or value < 0 or value != value | int -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(value | int) }}
{% endmacro %}


{% macro _as_boolean(value) %}
    {%- if value is boolean -%}
        {{ return(value) }}
    {%- elif value is string and value | lower in ['true', 'false'] -%}
        {{ return(value | lower == 'true') }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{% macro _whole_number(value, what) %}
    {%- set number = safeguard._as_whole_number(value) -%}
    {%- if number is none -%}
        {{ exceptions.raise_compiler_error("safeguard: " ~ what ~ " must be a whole number >= 0, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(number) }}
{% endmacro %}
