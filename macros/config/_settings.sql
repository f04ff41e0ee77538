{#- Every safeguard setting: its default and its type, in one place. A user
    overrides a setting with the var `safeguard_<name>` (README
    "Configuration", docs/configuration.md). Types:
    - boolean: true/false (YAML may deliver the strings 'true'/'false');
    - count: a whole number >= 0 (YAML may deliver it as a string);
    - seconds: a number > 0, fractions allowed;
    - schema: none or a plain schema name;
    - table_list: a list of schema.table plain names;
    - list: a list of strings;
    - percent: a number from 0 to 100, fractions allowed;
    - model_list: a list of model, seed or snapshot names (or unique_ids)
      of this project.
    The audit's thresholds (max_shrink_percent, allow_empty) can also be set
    per model under meta: {safeguard: {...}}; read them with _model_setting. -#}
{% macro _setting_specs() %}
    {{ return({
        'enabled': {'default': true, 'type': 'boolean'},
        'retention_days': {'default': 3, 'type': 'count'},
        'keep_last': {'default': 2, 'type': 'count'},
        'max_backups_per_table': {'default': 10, 'type': 'count'},
        'backup_schema': {'default': none, 'type': 'schema'},
        'catalog_schema': {'default': none, 'type': 'schema'},
        'extra_tables': {'default': [], 'type': 'table_list'},
        'rollback_failed': {'default': true, 'type': 'boolean'},
        'allow_full_refresh': {'default': false, 'type': 'boolean'},
        'allow': {'default': [], 'type': 'model_list'},
        'max_shrink_percent': {'default': 10, 'type': 'percent'},
        'allow_empty': {'default': false, 'type': 'boolean'},
        'lease_hours': {'default': 6, 'type': 'count'},
        'lock_wait_seconds': {'default': 3, 'type': 'seconds'},
        'lock_wait_total_seconds': {'default': 60, 'type': 'seconds'},
        'commands': {'default': ['run', 'build', 'seed', 'snapshot', 'retry'], 'type': 'list'},
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
    {%- for name in safeguard._setting_specs() -%}
        {%- set checked = safeguard._check_setting(name) -%}
        {%- if checked.problem is not none -%}
            {%- do problems.append(checked.problem) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}


{#- {'value': the setting, validated and normalized, 'problem': none or why not}. -#}
{% macro _check_setting(name) %}
    {%- set specs = safeguard._setting_specs() -%}
    {%- if name not in specs -%}
        {{ return({'value': none, 'problem': "unknown setting '" ~ name ~ "'; known: " ~ specs.keys() | join(', ')}) }}
    {%- endif -%}
    {{ return(safeguard._check_value(specs[name].type, var('safeguard_' ~ name, specs[name].default), 'var safeguard_' ~ name)) }}
{% endmacro %}


{#- One setting of one model: meta {safeguard: {<name>: value}} on the node
    wins over the var safeguard_<name>. A bad value raises, naming the model. -#}
{% macro _model_setting(node, name) %}
    {%- set meta = node.config.meta if node.config is defined and node.config.meta else (node.meta or {}) -%}
    {%- set options = meta.get('safeguard') or {} -%}
    {%- if options is not mapping or name not in options -%}
        {{ return(safeguard._setting(name)) }}
    {%- endif -%}
    {%- set checked = safeguard._check_value(safeguard._setting_specs()[name].type, options[name], 'meta safeguard.' ~ name ~ ' of ' ~ node.unique_id) -%}
    {%- if checked.problem is not none -%}
        {{ exceptions.raise_compiler_error("safeguard: " ~ checked.problem) }}
    {%- endif -%}
    {{ return(checked.value) }}
{% endmacro %}


{#- Validates one raw value of a setting type; `what` names where it came from. -#}
{% macro _check_value(kind, raw, what) %}
    {%- set value = raw -%}
    {%- set problem = none -%}
    {%- if kind == 'count' -%}
        {%- set value = safeguard._as_whole_number(raw) -%}
        {%- if value is none -%}
            {%- set problem = what ~ " must be a whole number >= 0, got '" ~ raw ~ "'" -%}
        {%- endif -%}
    {%- elif kind == 'seconds' -%}
        {%- set value = safeguard._as_positive_number(raw) -%}
        {%- if value is none -%}
            {%- set problem = what ~ " must be a number of seconds > 0, got '" ~ raw ~ "'" -%}
        {%- endif -%}
    {%- elif kind == 'percent' -%}
        {%- set value = 0 if (raw is not boolean and raw in [0, '0']) else safeguard._as_positive_number(raw) -%}
        {%- if value is none or value > 100 -%}
            {%- set problem = what ~ " must be a percentage from 0 to 100, got '" ~ raw ~ "'" -%}
        {%- endif -%}
    {%- elif kind == 'boolean' -%}
        {%- set value = safeguard._as_boolean(raw) -%}
        {%- if value is none -%}
            {%- set problem = what ~ " must be true or false, got '" ~ raw ~ "'" -%}
        {%- endif -%}
    {%- elif kind == 'schema' -%}
        {%- if raw is not none and not modules.re.match('^[A-Za-z0-9_$]{1,64}$', raw | string) -%}
            {%- set problem = what ~ " must be a plain schema name (letters, digits, _ or $, at most 64 characters), got '" ~ raw ~ "'" -%}
        {%- endif -%}
    {%- elif kind == 'model_list' -%}
        {%- set value = [raw] if raw is string else raw -%}
        {%- if value is mapping or value is not iterable -%}
            {%- set problem = what ~ " must be a list of model names, even if there is only one, got '" ~ raw ~ "'" -%}
        {%- else -%}
            {%- set unknown = safeguard._unknown_node_names(value) -%}
            {%- if unknown -%}
                {%- set problem = what ~ " names '" ~ unknown[0] ~ "', which is no model, seed or snapshot of this project; protected ones: " ~ (safeguard._protected_node_names() | join(', ') or 'none') -%}
            {%- endif -%}
        {%- endif -%}
    {%- elif kind in ['table_list', 'list'] -%}
        {%- set value = [raw] if raw is string else raw -%}
        {%- if value is mapping or value is not iterable -%}
            {%- set problem = what ~ " must be a list, even if there is only one item, got '" ~ raw ~ "'" -%}
        {%- elif kind == 'table_list' -%}
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


{#- A number of seconds > 0 (int or float, or a string of one), or none. -#}
{% macro _as_positive_number(value) %}
    {%- if value is string and modules.re.match('^[0-9]+(\\.[0-9]+)?$', value) -%}
        {%- set value = value | float -%}
    {%- endif -%}
    {%- if value is not number or value is boolean or value <= 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(value) }}
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


{#- The entries of `names` that name no model, seed or snapshot of the graph
    (by name or unique_id). -#}
{% macro _unknown_node_names(names) %}
    {%- set known = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'snapshot'] -%}
        {%- do known.extend([node.name, node.unique_id]) -%}
    {%- endfor -%}
    {{ return(names | reject('in', known) | list) }}
{% endmacro %}


{% macro _protected_node_names() %}
    {%- set names = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'snapshot'] and safeguard._is_protected(node) -%}
        {%- do names.append(node.name) -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{% endmacro %}
