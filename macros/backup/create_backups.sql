{#- on-run-start: "{{ safeguard.create_backups() }}"
    Backs up, and verifies, every protected table this invocation will build
    and that already exists, then takes the run lease.

    Expected failures (a concurrent run, a backup that fails verification)
    are logged as ERROR and do not fail the hook: require_backup() stops the
    models instead. A failed on-run-start would not stop dbt 1.7 anyway, and
    with --fail-fast it crashes dbt before on-run-end, so the run could not
    roll back or give back its lease. The lease is taken last, so a database
    error part-way through leaves no lease behind. -#}
{% macro create_backups() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set problems = safeguard._settings_problems() -%}
    {%- if problems -%}
        {%- for problem in problems -%}
            {%- do safeguard._log('ERROR', 'create_backups: ' ~ problem ~ '; no backup taken, so every model of this run will refuse to build') -%}
        {%- endfor -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not safeguard._setting('enabled') -%}
        {%- do safeguard._log('OFF', 'safeguard_enabled is false: no backups are taken and nothing is guarded') -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not safeguard._invocation_writes() -%}{{ return('') }}{%- endif -%}

    {%- set tables = safeguard._protected_tables() -%}
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
        {%- do safeguard._log('ERROR', 'create_backups: ' ~ busy ~ '; no backup taken, so every model of this run will refuse to build') -%}
        {{ return('') }}
    {%- endif -%}

    {#- Named lock held and no other live run: repair what a crash left
        (a half-made copy from a full disk is dropped here, freeing space). -#}
    {%- do safeguard._reconcile_catalog('create_backups') -%}

    {#- Plan -#}
    {%- set present = [] -%}
    {%- for t in tables -%}
        {%- if safeguard._table_exists(t.schema, t.table) -%}
            {%- do present.append({'schema': t.schema, 'table': t.table, 'backup_schema': safeguard._backup_schema_for(t.schema)}) -%}
        {%- else -%}
            {%- do safeguard._log('SKIP', t.schema ~ '.' ~ t.table ~ ' does not exist yet (first build): nothing to back up') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set ts = safeguard._free_ts(present, 'backup', run_started_at) -%}
    {%- set plan = [] -%}
    {%- for t in present -%}
        {%- do plan.append({
            'backup_ts': ts, 'kind': 'backup',
            'source_schema': t.schema, 'source_table': t.table,
            'backup_schema': t.backup_schema,
            'backup_table': safeguard._backup_name(t.schema, t.table, t.backup_schema, 'backup', ts),
        }) -%}
    {%- endfor -%}

    {#- Act -#}
    {%- set failed = [] -%}
    {%- for entry in plan -%}
        {%- set label = entry.source_schema ~ '.' ~ entry.source_table -%}
        {%- set target_name = entry.backup_schema ~ '.' ~ entry.backup_table -%}
        {#- _free_ts chose names that are free, under the named lock. -#}
        {%- do safeguard._execute('create schema if not exists `' ~ entry.backup_schema ~ '`') -%}
        {#- Recorded before the copy, so a crash leaves a row that prune can clean up. -#}
        {%- do safeguard._record_backup(entry, 'pending') -%}
        {%- do safeguard._copy_table(entry.source_schema, entry.source_table, entry.backup_schema, entry.backup_table) -%}
        {%- set source_print = safeguard._fingerprint(entry.source_schema, entry.source_table) -%}
        {%- set backup_print = safeguard._fingerprint(entry.backup_schema, entry.backup_table) -%}
        {%- if source_print == backup_print -%}
            {%- do safeguard._update_backup(entry.backup_schema, entry.backup_table, 'verified', backup_print) -%}
            {%- do safeguard._log('BACKUP', loop.index ~ ' of ' ~ plan | length ~ ' ' ~ label ~ ' -> ' ~ target_name ~ ' (' ~ backup_print.row_count ~ ' rows, checksum ' ~ backup_print.checksum ~ ')') -%}
        {%- else -%}
            {%- set note = 'source ' ~ source_print.row_count ~ ' rows/checksum ' ~ source_print.checksum ~ ', backup ' ~ backup_print.row_count ~ ' rows/checksum ' ~ backup_print.checksum -%}
            {%- do safeguard._update_backup(entry.backup_schema, entry.backup_table, 'failed', backup_print, note) -%}
            {%- do failed.append(label ~ ' (' ~ note ~ ')') -%}
            {%- do safeguard._log('FAIL', label ~ ': verification failed: ' ~ note) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do safeguard._take_lease() -%}
    {%- do safeguard._release_lock() -%}

    {%- if failed -%}
        {%- do safeguard._log('ERROR', 'create_backups: backup failed for ' ~ failed | join('; ') ~ '; those models will refuse to build') -%}
    {%- endif -%}
    {%- do safeguard._log('SUMMARY', (plan | length - failed | length) ~ ' verified backup(s) at ' ~ ts ~ ', ' ~ failed | length ~ ' failed, ' ~ (tables | length - plan | length) ~ ' skipped') -%}
    {{ return('') }}
{% endmacro %}
