{#- models: +pre-hook: "{{ safeguard.require_backup() }}"
    No backup, no write. dbt 1.7 keeps running models after a failed
    on-run-start hook, so this pre-hook is what stops a protected model
    whose backup was not taken and verified in this invocation, and any
    model of a run that does not hold the run lease (a concurrent run). -#}
{% macro require_backup() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set problems = safeguard._settings_problems() -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("safeguard: refusing to build " ~ this.schema ~ "." ~ this.identifier ~ ": " ~ problems | join('; ') ~ "; nothing was written") }}
    {%- endif -%}
    {%- if not safeguard._setting('enabled') or not safeguard._invocation_writes() -%}{{ return('') }}{%- endif -%}
    {%- set name = this.schema ~ '.' ~ this.identifier -%}

    {%- if not safeguard._holds_lease() -%}
        {%- set lease = safeguard._foreign_lease() -%}
        {%- set busy = safeguard._describe_lease(lease) if lease is not none else safeguard._try_lock() -%}
        {%- if busy is none -%}
            {%- do safeguard._release_lock() -%}
            {%- set busy = "create_backups did not complete in this run (see the [safeguard] lines of on-run-start; is it wired in on-run-start?)" -%}
        {%- endif -%}
        {{ exceptions.raise_compiler_error("safeguard: refusing to build " ~ name ~ ": " ~ busy ~ "; nothing was written") }}
    {%- endif -%}

    {#- The model's connection: recover_run can end its statement if dbt is killed. -#}
    {%- do safeguard._record_connection() -%}
    {%- if not safeguard._is_protected(model) -%}{{ return('') }}{%- endif -%}
    {%- if not safeguard._table_exists(this.schema, this.identifier) -%}
        {{ return('') }}
    {%- endif -%}
    {%- if safeguard._catalog_rows({'source_schema': this.schema, 'source_table': this.identifier, 'invocation_id': invocation_id, 'kind': 'backup', 'status': 'verified'}) | length == 0 -%}
        {{ exceptions.raise_compiler_error("safeguard: refusing to build " ~ name ~ ": no verified backup of it was taken in this run (see the on-run-start log); nothing was written. Fix the backup, or skip protection with --vars '{safeguard_enabled: false}'") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
