{#- No backup, no write, checked by safeguard's materializations themselves
    before their first statement, so protection does not depend on a
    pre-hook line. Raises (the model fails, nothing written) when:
    - a setting is bad;
    - this invocation does not hold the run lease (create_backups missing,
      did not complete, or another run is in progress);
    - a protected table's backup of this invocation failed, or cannot be taken;
    - a protected incremental is fully refreshed without being allowed to
      (safeguard_allow naming it, or the older allow_full_refresh; the
      refusal is recorded in safeguard_audits). An allowed one is audited
      and its backup pinned by the materialization (macros/audit).
    Otherwise returns {'protect': bool, 'zero_copy': bool}: zero_copy means
    the table materialization keeps the old table as the backup, because no
    copy of it was taken in this invocation. A protected table without a
    backup of this invocation (`dbt retry`, whose selected_resources is
    empty; a model create_backups could not foresee) is copied here. -#}
{% macro _guard_write(materialized) %}
    {%- set name = this.schema ~ '.' ~ this.identifier -%}
    {%- set gate = safeguard._hook_preamble() -%}
    {%- if gate.problems -%}
        {{ safeguard._refuse(name, gate.problems | join('; ')) }}
    {%- endif -%}
    {%- if not gate.act -%}
        {{ return({'protect': false, 'zero_copy': false}) }}
    {%- endif -%}
    {%- if not safeguard._holds_lease() -%}
        {{ safeguard._refuse(name, safeguard._lease_problem()) }}
    {%- endif -%}
    {#- The model's connection: recover_run can end its statement if dbt is killed. -#}
    {%- do safeguard._record_connection() -%}
    {%- set protect = safeguard._is_protected(model) -%}
    {%- if not protect or not safeguard._table_exists(this.schema, this.identifier) -%}
        {{ return({'protect': protect, 'zero_copy': false}) }}
    {%- endif -%}

    {%- set full_refresh = materialized == 'incremental' and should_full_refresh() -%}
    {%- if full_refresh and safeguard._allowed_by(model) is none -%}
        {%- set reason = "--full-refresh would rebuild this protected incremental from scratch; allow it for one run with --vars '{safeguard_allow: [" ~ model.name ~ "]}' (or the older --vars '{safeguard_allow_full_refresh: true}', or meta {safeguard: {allow_full_refresh: true}} on the model); its backup is then pinned" -%}
        {%- do safeguard._record_audit({'materialized': materialized, 'previous': none, 'verdict': 'refused', 'allowed_by': none,
                                        'rows_before': none, 'rows_after': none,
                                        'checks': [{'check': 'full_refresh', 'passed': false, 'detail': '--full-refresh refused before any write'}]}) -%}
        {%- do safeguard._commit() -%}
        {{ safeguard._refuse(name, reason) }}
    {%- endif -%}

    {%- set rows = safeguard._catalog_rows({'source_schema': this.schema, 'source_table': this.identifier, 'invocation_id': invocation_id, 'kind': 'backup'}) -%}
    {%- set verified = rows | selectattr('status', 'equalto', 'verified') | list -%}
    {%- if rows and not verified -%}
        {{ safeguard._refuse(name, "its backup in this run is " ~ rows[0].status ~ " (" ~ (rows[0].note or 'see the on-run-start log') ~ ")") }}
    {%- endif -%}
    {%- if not verified and materialized == 'table' -%}
        {%- set children = safeguard._referencing_tables(this.schema, this.identifier) -%}
        {%- if children -%}
            {{ safeguard._refuse(name, "tables " ~ children | join(', ') ~ " reference it by foreign key, and RENAME TABLE would move their references to the kept backup") }}
        {%- endif -%}
        {{ return({'protect': true, 'zero_copy': true}) }}
    {%- endif -%}
    {%- if not verified -%}
        {%- set taken = safeguard._take_backup(this.schema, this.identifier, 'in ' ~ materialized ~ ' materialization') -%}
        {%- if not taken.verified -%}
            {{ safeguard._refuse(name, "its backup failed verification (" ~ taken.note ~ ")") }}
        {%- endif -%}
        {%- set verified = [taken.entry] -%}
    {%- endif -%}
    {{ return({'protect': true, 'zero_copy': false}) }}
{% endmacro %}


{% macro _refuse(name, reason) %}
    {{ exceptions.raise_compiler_error("safeguard: refusing to build " ~ name ~ ": " ~ reason ~ "; nothing was written") }}
{% endmacro %}


{#- Why this invocation holds no run lease, as one sentence. -#}
{% macro _lease_problem() %}
    {%- set wiring = safeguard._wiring_problem() -%}
    {%- if wiring is not none -%}
        {{ return(wiring) }}
    {%- endif -%}
    {%- set lease = safeguard._foreign_lease() -%}
    {%- if lease is not none -%}
        {{ return(safeguard._describe_lease(lease)) }}
    {%- endif -%}
    {%- set busy = safeguard._try_lock() -%}
    {%- if busy is none -%}
        {%- do safeguard._release_lock() -%}
        {%- set busy = "create_backups did not complete in this run (see the [safeguard] lines of on-run-start)" -%}
    {%- endif -%}
    {{ return(busy) }}
{% endmacro %}


{#- meta {safeguard: {allow_full_refresh: true}} on the node, or the var. -#}
{% macro _full_refresh_allowed(node) %}
    {%- set meta = node.config.meta if node.config is defined and node.config.meta else (node.meta or {}) -%}
    {%- set options = meta.get('safeguard') or {} -%}
    {{ return((options is mapping and options.get('allow_full_refresh') is sameas true) or safeguard._setting('allow_full_refresh')) }}
{% endmacro %}


{#- `schema.table` of every other table whose foreign keys reference this one. -#}
{% macro _referencing_tables(schema, table) %}
    {%- set sql -%}
        select distinct constraint_schema, table_name
        from information_schema.referential_constraints
        where unique_constraint_schema = {{ safeguard._sql_string(schema) }}
          and referenced_table_name = {{ safeguard._sql_string(table) }}
          and not (constraint_schema = {{ safeguard._sql_string(schema) }} and table_name = {{ safeguard._sql_string(table) }})
        order by 1, 2
    {%- endset -%}
    {%- set names = [] -%}
    {%- for row in run_query(sql).rows -%}
        {%- do names.append(row[0] ~ '.' ~ row[1]) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}


{#- A pinned backup outlives retention and keep_last until released. -#}
{% macro _pin_backup(backup_schema, backup_table, note) %}
    {%- set sql -%}
        update {{ safeguard._catalog_table() }}
        set pinned = 1, note = {{ safeguard._sql_string(note) }}, updated_at = utc_timestamp()
        where backup_schema = {{ safeguard._sql_string(backup_schema) }}
          and backup_table = {{ safeguard._sql_string(backup_table) }}
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- do safeguard._commit() -%}
    {%- do safeguard._log('PIN', backup_schema ~ '.' ~ backup_table ~ ': kept past retention until released') -%}
{% endmacro %}
