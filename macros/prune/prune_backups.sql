{#- on-run-start: "{{ safeguard.prune_backups() }}", or
    dbt run-operation prune_backups --args '{dry_run: true}'
    Drops backups older than retention_days, and the oldest beyond
    max_backups_per_table of each table, but always keeps the newest
    keep_last verified backups of each table and every pinned one. Drops
    only tables the catalog says safeguard created, under names the package
    generates: a user table that merely looks like a backup, or a catalog
    row pointing elsewhere, is never touched. -#}
{% macro prune_backups(dry_run=false, retention_days=none, keep_last=none) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- if flags.WHICH == 'run-operation' -%}
        {{ return(safeguard._prune_operation(dry_run, retention_days, keep_last)) }}
    {%- endif -%}
    {{ return(safeguard._prune_hook()) }}
{% endmacro %}


{#- As a hook: only in a run whose create_backups succeeded (it holds the
    lease), with the settings; problems are logged, never raised, because
    a failing on-run-start crashes dbt 1.7 under --fail-fast. -#}
{% macro _prune_hook() %}
    {%- if safeguard._settings_problems() or not safeguard._setting('enabled') or not safeguard._invocation_writes() -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not safeguard._catalog_exists() -%}
        {%- do safeguard._log('SKIP', 'no backup catalog yet: nothing to prune') -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not safeguard._holds_lease() -%}
        {%- do safeguard._log('SKIP', 'prune_backups: this run holds no safeguard lease (see create_backups above)') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set busy = safeguard._try_lock() -%}
    {%- if busy is not none -%}
        {%- do safeguard._log('SKIP', 'prune_backups: ' ~ busy ~ '; nothing pruned this run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- do safeguard._reconcile_catalog('prune_backups') -%}
    {#- A protected table model's backup of this run is made later, at its
        swap: its slot under max_backups_per_table is kept free now. -#}
    {%- set reserved = [] -%}
    {%- for t in safeguard._protected_tables() -%}
        {%- do reserved.append(t.schema ~ '.' ~ t.table) -%}
    {%- endfor -%}
    {%- set plan = safeguard._prune_plan(safeguard._setting('retention_days'), safeguard._setting('keep_last'), reserved) -%}
    {%- if plan.refused -%}
        {%- do safeguard._release_lock() -%}
        {%- do safeguard._log('ERROR', 'prune_backups: refusing catalog rows the package did not write: ' ~ plan.refused | join('; ') ~ '; nothing was pruned; fix or delete those rows') -%}
        {{ return('') }}
    {%- endif -%}
    {%- do safeguard._prune_act(plan, false) -%}
    {%- do safeguard._release_lock() -%}
    {{ return('') }}
{% endmacro %}


{#- As a run-operation: arguments are validated first; returns the names
    it dropped (or would drop). -#}
{% macro _prune_operation(dry_run, retention_days, keep_last) %}
    {%- for name, value in [('retention_days', retention_days), ('keep_last', keep_last)] if value is not none and safeguard._as_whole_number(value) is none -%}
        {{ exceptions.raise_compiler_error("safeguard.prune_backups: the " ~ name ~ " argument must be a whole number >= 0, got '" ~ value ~ "'") }}
    {%- endfor -%}
    {%- set retention_days = safeguard._as_whole_number(retention_days) if retention_days is not none else safeguard._setting('retention_days') -%}
    {%- set keep_last = safeguard._as_whole_number(keep_last) if keep_last is not none else safeguard._setting('keep_last') -%}
    {%- if dry_run is not boolean -%}
        {{ exceptions.raise_compiler_error("safeguard.prune_backups: dry_run must be true or false, got '" ~ dry_run ~ "'") }}
    {%- endif -%}
    {%- if not safeguard._catalog_exists() -%}
        {%- do safeguard._log('SKIP', 'no backup catalog yet: nothing to prune') -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if not dry_run -%}
        {%- do safeguard._acquire_lock('prune_backups') -%}
        {%- do safeguard._refuse_if_leased('prune_backups') -%}
        {%- do safeguard._ensure_catalog() -%}
        {%- do safeguard._reconcile_catalog('prune_backups') -%}
    {%- endif -%}
    {%- set plan = safeguard._prune_plan(retention_days, keep_last) -%}
    {%- if plan.refused -%}
        {{ exceptions.raise_compiler_error("safeguard.prune_backups: refusing catalog rows the package did not write: " ~ plan.refused | join('; ') ~ "; nothing was changed; fix or delete those rows in " ~ safeguard._catalog_schema() ~ ".safeguard_backups") }}
    {%- endif -%}
    {%- do safeguard._prune_act(plan, dry_run) -%}
    {%- if not dry_run -%}
        {%- do safeguard._release_lock() -%}
    {%- endif -%}
    {{ return(plan.drop | map(attribute='backup_table') | list) }}
{% endmacro %}


{#- The one classifier, for the hook, the run-operation and its dry run:
    {'drop': rows, 'keep': rows, 'refused': problems, and the limits}.
    Per source table, newest first: pinned rows and the newest keep_last
    verified backups are kept; past max_backups_per_table kept rows (0: no
    cap) the rest is dropped even within retention; otherwise a row is kept
    while it is younger than retention_days or belongs to this invocation. -#}
{#- reserved: `schema.table` of tables this run backs up; each that has no
    backup of this run yet counts one kept row already. -#}
{% macro _prune_plan(retention_days, keep_last, reserved=[]) %}
    {%- set cap = safeguard._setting('max_backups_per_table') -%}
    {%- set cutoff = (run_started_at - modules.datetime.timedelta(days=retention_days)).strftime('%Y%m%d_%H%M%S') -%}
    {%- set rows = safeguard._catalog_rows({'status': ['verified', 'pending', 'failed', 'missing']}) -%}
    {%- set sources = safeguard._trusted_sources() -%}
    {%- set plan = {'drop': [], 'keep': [], 'refused': [], 'retention_days': retention_days, 'keep_last': keep_last, 'cap': cap} -%}
    {%- set newest_kept = {} -%}
    {%- set kept = {} -%}
    {%- set taken_now = [] -%}
    {%- for r in rows if r.invocation_id == invocation_id -%}
        {%- do taken_now.append(r.source_schema ~ '.' ~ r.source_table) -%}
    {%- endfor -%}
    {%- for source in reserved if source not in taken_now -%}
        {%- do kept.update({source: 1}) -%}
    {%- endfor -%}
    {%- for r in rows -%}
        {%- set problem = safeguard._distrust(r, sources) -%}
        {%- if problem is not none -%}
            {%- do plan.refused.append(problem) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for r in rows if not plan.refused -%}
        {%- set source = r.source_schema ~ '.' ~ r.source_table -%}
        {%- set verified_kept = newest_kept.get(source, 0) -%}
        {%- set count = kept.get(source, 0) -%}
        {%- set reason = none -%}
        {%- if r.pinned -%}
            {%- set reason = 'pinned' -%}
        {%- elif r.kind == 'backup' and r.status == 'verified' and verified_kept < keep_last -%}
            {%- do newest_kept.update({source: verified_kept + 1}) -%}
            {%- set reason = 'newest ' ~ keep_last ~ ' of ' ~ source -%}
        {%- elif r.invocation_id == invocation_id -%}
            {%- set reason = 'taken by this run' -%}
        {%- elif cap > 0 and count >= cap -%}
            {%- set reason = none -%}
        {%- elif r.backup_ts >= cutoff and r.status != 'missing' -%}
            {%- set reason = r.status ~ ', within ' ~ retention_days ~ ' days' -%}
        {%- endif -%}
        {%- if reason is not none -%}
            {#- A refused candidate (macros/audit) is kept for inspection only:
                it takes no place of a backup under the cap. -#}
            {%- if not r.pinned and r.kind != 'refused' -%}{%- do kept.update({source: count + 1}) -%}{%- endif -%}
            {%- do plan.keep.append({'row': r, 'reason': reason}) -%}
        {%- else -%}
            {%- do r.update({'why': 'over max_backups_per_table ' ~ cap if cap > 0 and count >= cap and r.backup_ts >= cutoff else 'older than ' ~ retention_days ~ ' days'}) -%}
            {%- do plan.drop.append(r) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(plan) }}
{% endmacro %}


{#- Logs the plan and, unless dry_run, drops each table (bounded wait: a
    DROP waits for an exclusive metadata lock) and marks its row dropped. -#}
{% macro _prune_act(plan, dry_run) %}
    {%- for k in plan.keep -%}
        {%- do safeguard._log('KEEP', k.row.backup_schema ~ '.' ~ k.row.backup_table ~ ' (' ~ k.reason ~ ')') -%}
    {%- endfor -%}
    {%- for r in plan.drop -%}
        {%- set name = r.backup_schema ~ '.' ~ r.backup_table -%}
        {%- if dry_run -%}
            {%- do safeguard._log('PLAN', 'drop ' ~ name ~ ' (' ~ r.status ~ ' ' ~ r.kind ~ ' of ' ~ r.source_schema ~ '.' ~ r.source_table ~ ', ' ~ r.backup_ts ~ ', ' ~ r.why ~ ')') -%}
        {%- else -%}
            {%- do safeguard._run_ddl_bounded('drop table if exists ' ~ safeguard._quote_table(r.backup_schema, r.backup_table), 'prune_backups') -%}
            {%- do safeguard._update_backup(r.backup_schema, r.backup_table, 'dropped', none, 'pruned by invocation ' ~ invocation_id ~ ' (' ~ r.why ~ ')') -%}
            {%- do safeguard._log('DROP', loop.index ~ ' of ' ~ plan.drop | length ~ ' ' ~ name ~ ' (' ~ r.status ~ ' ' ~ r.kind ~ ', ' ~ r.backup_ts ~ ', ' ~ r.why ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do safeguard._log('SUMMARY', ('would drop ' if dry_run else 'dropped ') ~ plan.drop | length ~ ', kept ' ~ plan.keep | length
        ~ ' (retention ' ~ plan.retention_days ~ ' days, keep_last ' ~ plan.keep_last ~ ', max_backups_per_table ' ~ plan.cap ~ ')') -%}
{% endmacro %}
