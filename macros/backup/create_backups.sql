{#- on-run-start: "{{ safeguard.create_backups() }}"
    Backs up, and verifies, every protected table this invocation will build
    and that already exists, then takes the run lease. Table models built by
    safeguard's table materialization are not copied: their old table is
    kept as the backup at the swap.

    Without the root-project materializations file it refuses the whole
    run, before any node: dbt would otherwise build with its own,
    unguarded materializations. Other expected failures (a concurrent run,
    a backup that fails verification, a missing finish_run line) are
    logged as ERROR and do not fail the hook:
    safeguard's materializations refuse the models instead. A failed
    on-run-start would not stop dbt 1.7 anyway, and with --fail-fast it
    crashes dbt before on-run-end, so the run could not roll back or give
    back its lease. The lease is taken last, so a database error part-way
    through leaves no lease behind. -#}
{% macro create_backups() %}
    {%- if not safeguard._backups_wanted() -%}{{ return('') }}{%- endif -%}
    {%- set tables = safeguard._protected_tables() -%}
    {%- set busy = safeguard._lock_for_backups(tables) -%}
    {%- if busy is not none -%}
        {%- do safeguard._log('ERROR', 'create_backups: ' ~ busy ~ '; no backup taken, so every model of this run will refuse to build') -%}
        {{ return('') }}
    {%- endif -%}

    {#- Named lock held and no other live run: repair what a crash left
        (a half-made copy from a full disk is dropped here, freeing space). -#}
    {%- do safeguard._reconcile_catalog('create_backups') -%}

    {#- Plan -#}
    {%- set present = [] -%}
    {%- set kept_at_swap = [] -%}
    {%- for t in tables -%}
        {%- if not safeguard._table_exists(t.schema, t.table) -%}
            {%- do safeguard._log('SKIP', t.schema ~ '.' ~ t.table ~ ' does not exist yet (first build): nothing to back up') -%}
        {%- elif t.zero_copy -%}
            {%- do kept_at_swap.append(t.schema ~ '.' ~ t.table) -%}
        {%- else -%}
            {%- do present.append({'schema': t.schema, 'table': t.table, 'backup_schema': safeguard._backup_schema_for(t.schema)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set ts = safeguard._free_ts(present, 'backup', safeguard._server_now()) -%}
    {%- set plan = [] -%}
    {%- for t in present -%}
        {%- do plan.append(safeguard._backup_entry(t.schema, t.table, ts)) -%}
    {%- endfor -%}

    {#- Act -#}
    {%- set failed = [] -%}
    {%- set extra_failed = [] -%}
    {%- for entry in plan -%}
        {%- set label = entry.source_schema ~ '.' ~ entry.source_table -%}
        {#- _free_ts chose names that are free, under the named lock. -#}
        {%- set taken = safeguard._take_backup_entry(entry) -%}
        {%- if taken.verified -%}
            {%- do safeguard._log('BACKUP', loop.index ~ ' of ' ~ plan | length ~ ' ' ~ label ~ ' -> ' ~ entry.backup_schema ~ '.' ~ entry.backup_table ~ ' (' ~ entry.row_count ~ ' rows, checksum ' ~ entry.checksum ~ ')') -%}
        {%- else -%}
            {%- do failed.append(label ~ ' (' ~ taken.note ~ ')') -%}
            {%- if not (tables | selectattr('schema', 'equalto', entry.source_schema) | selectattr('table', 'equalto', entry.source_table) | map(attribute='unique_id') | select | list) -%}{%- do extra_failed.append(label ~ ' (' ~ taken.note ~ ')') -%}{%- endif -%}
            {%- do safeguard._log('FAIL', label ~ ': verification failed: ' ~ taken.note) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in kept_at_swap -%}
        {%- do safeguard._log('SWAP', name ~ ': its current table becomes the backup at the model'"'"'s swap (no copy)') -%}
    {%- endfor -%}
    {#- No model builds an extra table, so no model would refuse for it: a
        run whose extra table has no verified backup takes no lease, and
        every model refuses before anything (a hook included) writes. -#}
    {%- if extra_failed -%}
        {%- do safeguard._release_lock() -%}
        {%- do safeguard._log('ERROR', 'create_backups: the backup of safeguard_extra_tables ' ~ extra_failed | join('; ') ~ ' is not verified; no lease taken, so every model of this run will refuse to build') -%}
        {{ return('') }}
    {%- endif -%}
    {%- do safeguard._take_lease() -%}
    {%- do safeguard._release_lock() -%}

    {%- if failed -%}
        {%- do safeguard._log('ERROR', 'create_backups: backup failed for ' ~ failed | join('; ') ~ '; those models will refuse to build') -%}
    {%- endif -%}
    {%- do safeguard._log('SUMMARY', (plan | length - failed | length) ~ ' verified backup(s) at ' ~ ts ~ ', ' ~ failed | length ~ ' failed, ' ~ kept_at_swap | length ~ ' kept at swap, ' ~ (tables | length - plan | length - kept_at_swap | length) ~ ' skipped') -%}
    {{ return('') }}
{% endmacro %}


{#- Whether create_backups should act in this invocation: settings valid,
    enabled, a writing command, the install complete. Logs why not; raises
    (ending the invocation before any node) when dbt would build with its
    own, unguarded materializations. -#}
{% macro _backups_wanted() %}
    {%- set gate = safeguard._hook_preamble() -%}
    {%- for problem in gate.problems -%}
        {%- do safeguard._log('ERROR', 'create_backups: ' ~ problem ~ '; no backup taken, so every model of this run will refuse to build') -%}
    {%- endfor -%}
    {%- if not execute or gate.problems -%}{{ return(false) }}{%- endif -%}
    {%- if not safeguard._setting('enabled') -%}
        {%- do safeguard._log('OFF', 'safeguard_enabled is false: no backups are taken and nothing is guarded') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if not gate.act -%}{{ return(false) }}{%- endif -%}
    {%- set wiring = safeguard._wiring_problem() -%}
    {%- if wiring is not none -%}
        {#- Without finish_run the lease would never be given back: every
            later run would be refused for lease_hours. Take none. -#}
        {%- do safeguard._log('ERROR', 'create_backups: ' ~ wiring ~ '; no backup taken, so every model of this run will refuse to build') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set unguarded = safeguard._materializations_problem() -%}
    {%- if unguarded is not none -%}
        {#- dbt's own materializations would write with no guard, and a
            failed on-run-start does not stop dbt 1.7 (safe_run_hooks catches
            every DbtRuntimeError, and models run). A DbtInternalError is the
            one error a macro can raise that it lets through: the invocation
            ends before any node runs, nothing written, no lease taken. -#}
        {%- do exceptions.raise_cache_inconsistent('safeguard.create_backups: ' ~ unguarded ~ '; the run is refused, nothing was written') -%}
    {%- endif -%}
    {{ return(true) }}
{% endmacro %}


{#- Takes the named lock for the backups, once no other run may be alive
    and the user may write where the run will. Returns none with the lock
    held, else why not (lock not held). -#}
{% macro _lock_for_backups(tables) %}
    {%- do safeguard._ensure_catalog() -%}
    {%- set busy = safeguard._try_lock() -%}
    {%- if busy is none -%}
        {%- set lease = safeguard._foreign_lease() -%}
        {%- if lease is not none -%}
            {%- do safeguard._release_lock() -%}
            {%- set busy = safeguard._describe_lease(lease) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if busy is not none -%}
        {{ return(busy) }}
    {%- endif -%}

    {#- Before anything is built: may this user write where the run will? -#}
    {%- set denied = safeguard._probe_privileges(tables) -%}
    {%- if denied is not none -%}
        {%- do safeguard._release_lock() -%}
    {%- endif -%}
    {{ return(denied) }}
{% endmacro %}
