{#- The hook lines a protected project needs, read from the graph: dbt keeps
    on-run-start and on-run-end hooks as nodes of resource type `operation`
    whose raw_code is the hook's text. Returns none when both lines are
    there, else one sentence naming the missing line and where it goes. -#}
{% macro _wiring_problem() %}
    {%- set found = {'on-run-start': false, 'on-run-end': false} -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'operation' -%}
        {%- set code = node.raw_code or '' -%}
        {%- if 'on-run-start' in node.unique_id and modules.re.search('safeguard\\.create_backups\\s*\\(', code) -%}
            {%- do found.update({'on-run-start': true}) -%}
        {%- elif 'on-run-end' in node.unique_id and modules.re.search('safeguard\\.finish_run\\s*\\(\\s*results', code) -%}
            {%- do found.update({'on-run-end': true}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not found['on-run-start'] -%}
        {{ return("dbt_project.yml has no on-run-start line \"{{ safeguard.create_backups() }}\", so no backup is taken; add it (see the install block in the docs)") }}
    {%- elif not found['on-run-end'] -%}
        {{ return("dbt_project.yml has no on-run-end line \"{{ safeguard.finish_run(results) }}\", so a failed model would not be rolled back and the run lease would never be given back; add it (see the install block in the docs)") }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{#- Does dbt build nodes materialized as `materialized` with safeguard's
    materialization? True when the root project overrides it with a macro
    that returns safeguard's (the documented one-line file). Without that
    file dbt 1.7 picks the package's materialization for a builtin, with a
    deprecation warning, unless the project sets the flag
    require_explicit_package_overrides_for_builtin_materializations (the
    default from dbt 1.8 on), which a macro cannot read: then dbt's own
    materializations write with no guard. So the file is a required line
    of the install on every dbt version (_materializations_problem). -#}
{% macro _materialization_is_safeguards(materialized) %}
    {%- set root = context.get('materialization_' ~ materialized ~ '_' ~ adapter.type()) -%}
    {%- if root is none or root.macro is not defined or root.macro.package_name != project_name -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return('safeguard.materialization_' ~ materialized ~ '_' in root.macro.macro_sql) }}
{% endmacro %}


{#- none when the root project returns safeguard's materialization for
    every kind of node that writes a protected table, else one sentence
    naming those it lacks and the file to add. -#}
{% macro _materializations_problem() %}
    {%- set missing = [] -%}
    {%- for materialized in ['table', 'incremental', 'seed', 'snapshot'] if not safeguard._materialization_is_safeguards(materialized) -%}
        {%- do missing.append(materialized) -%}
    {%- endfor -%}
    {%- if not missing -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("no root-project file returns safeguard's " ~ missing | join(', ') ~ " materialization for adapter " ~ adapter.type()
        ~ ", so dbt may build them with its own, unguarded; add macros/safeguard_materializations.sql from the install block in the docs (dbt/macros/safeguard_materializations.sql of the package)") }}
{% endmacro %}
