{#- models: +pre-hook: "{{ safeguard.require_backup() }}"   (optional)
    safeguard's materializations now check everything before they write, so
    this pre-hook is no longer needed. It stays harmless for projects that
    have it, and still guards a project whose dbt uses its builtin
    materializations (dbt >= 1.8, or the flag
    require_explicit_package_overrides_for_builtin_materializations, without
    the root-project file): it refuses a model of a run that does not hold
    the run lease, and a protected model whose table exists but has no
    verified backup from this invocation. -#}
{% macro require_backup() %}
    {%- set gate = safeguard._hook_preamble() -%}
    {%- set name = this.schema ~ '.' ~ this.identifier -%}
    {%- if gate.problems -%}
        {{ safeguard._refuse(name, gate.problems | join('; ')) }}
    {%- endif -%}
    {%- if not gate.act -%}{{ return('') }}{%- endif -%}
    {#- The model's connection: recover_run can end its statement if dbt is killed. -#}
    {%- do safeguard._record_connection() -%}
    {%- if not safeguard._holds_lease() -%}
        {{ safeguard._refuse(name, safeguard._lease_problem()) }}
    {%- endif -%}
    {%- do safeguard._beat_heartbeat() -%}
    {%- if not safeguard._is_protected(model) or not safeguard._table_exists(this.schema, this.identifier) -%}
        {{ return('') }}
    {%- endif -%}
    {#- safeguard's table materialization keeps the old table as the backup
        at its swap, after this pre-hook. -#}
    {%- if model.config.materialized == 'table' and safeguard._materialization_is_safeguards('table') -%}
        {{ return('') }}
    {%- endif -%}
    {%- if safeguard._catalog_rows({'source_schema': this.schema, 'source_table': this.identifier, 'invocation_id': invocation_id, 'kind': 'backup', 'status': 'verified'}) | length == 0 -%}
        {{ safeguard._refuse(name, "no verified backup of it was taken in this run (see the on-run-start log). Fix the backup and run again; the last verified backups are listed by `dbt run-operation list_backups`") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
