{#- on-run-end: "{{ safeguard.finish_run(results) }}"
    Rolls back every protected table that this run changed but did not
    build successfully (an error, a failed post-hook, a cancelled thread),
    from the backup taken at the start of the run, then gives back the run
    lease. on-run-end still runs after --fail-fast. -#}
{% macro finish_run(results) %}
    {%- set gate = safeguard._hook_preamble() -%}
    {%- if gate.problems -%}
        {%- do safeguard._log('SKIP', 'finish_run: the safeguard settings are invalid (see create_backups above); nothing to roll back') -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not gate.act -%}{{ return('') }}{%- endif -%}
    {%- do safeguard._report_changed_without_backup() -%}
    {%- if not safeguard._holds_lease() -%}
        {%- do safeguard._log('SKIP', 'this run holds no safeguard lease: nothing to roll back or release') -%}
        {{ return('') }}
    {%- endif -%}

    {%- set plan = safeguard._rollback_plan(invocation_id, results or []) if safeguard._setting('rollback_failed') else {'to_restore': [], 'live_prints': {}} -%}
    {%- set to_restore = plan.to_restore -%}

    {#- Act. The named lock also lets finish_run reconcile the catalog and
        drop this run's half-made backups (macros/catalog/_reconcile.sql). -#}
    {%- if to_restore -%}
        {%- do safeguard._acquire_lock('finish_run') -%}
    {%- endif -%}
    {%- if to_restore or safeguard._try_lock() is none -%}
        {%- do safeguard._reconcile_catalog('finish_run', own_pending=true) -%}
        {%- if to_restore -%}
            {%- do safeguard._run_swap(safeguard._swap_plan(to_restore, plan.live_prints), 'finish_run', false) -%}
        {%- endif -%}
        {%- do safeguard._release_lock() -%}
    {%- endif -%}
    {%- do safeguard._give_back_lease() -%}
    {%- do safeguard._log('SUMMARY', 'rolled back ' ~ to_restore | length ~ ' table(s); run lease released') -%}
    {{ return('') }}
{% endmacro %}


{#- A table whose backup of this run failed verification has nothing to be
    rolled back to: if it no longer holds what the failed copy read, say so
    in one line (the run, or something beside it, changed it). Runs with or
    without the lease: a run refused for that failure can still have run
    hooks. Reads only. -#}
{% macro _report_changed_without_backup() %}
    {%- for row in safeguard._catalog_rows({'kind': 'backup', 'status': 'failed', 'invocation_id': invocation_id})
          if row.row_count is not none and safeguard._table_exists(row.source_schema, row.source_table) -%}
        {%- if not safeguard._matches_row(row.source_schema, row.source_table, row).same -%}
            {%- do safeguard._log('ERROR', row.source_schema ~ '.' ~ row.source_table ~ ' changed, no backup to roll back to (its backup ' ~ row.backup_ts ~ ' failed verification: ' ~ row.note ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
