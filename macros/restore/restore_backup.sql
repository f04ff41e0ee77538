{#- dbt run-operation restore_backup --args '{table: silver.tenant_status_history, ts: 20260206_070000}'
    Puts a verified backup back in place with one atomic RENAME TABLE and
    keeps the table it replaces. Without `table`, restores every table of
    the backup set named by `ts` or `invocation_id` in the same statement. -#}
{% macro restore_backup(table=none, ts=none, invocation_id=none, dry_run=false) %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {#- Validate everything before touching anything. -#}
    {%- set wanted = safeguard._parse_table_name(table, 'the table argument', 'restore_backup') if table is not none else none -%}
    {%- set ts_prefix = safeguard._parse_ts(ts, 'restore_backup') -%}
    {%- if invocation_id is not none and not modules.re.match('^[0-9a-fA-F-]{8,64}$', invocation_id | string) -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: invocation_id must be a dbt invocation id like 1c0f...-...; got '" ~ invocation_id ~ "'") }}
    {%- endif -%}
    {%- if dry_run is not boolean -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: dry_run must be true or false, got '" ~ dry_run ~ "'") }}
    {%- endif -%}
    {%- if wanted is none and ts_prefix is none and invocation_id is none -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: name a table (--args '{table: silver.tenant_status_history}'), or a ts or invocation_id to restore a whole backup set") }}
    {%- endif -%}
    {%- if not safeguard._catalog_exists() -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: no backup catalog in schema " ~ safeguard._catalog_schema() ~ " yet: no backups have been taken") }}
    {%- endif -%}

    {#- Resolve first (bad arguments fail before anything is locked), then
        lock, reconcile what a crash left, and resolve again if it repaired. -#}
    {%- set ids = invocation_id | string if invocation_id is not none else none -%}
    {%- set entries = safeguard._select_restore_entries(wanted, ts_prefix, ids) -%}
    {%- if not dry_run -%}
        {%- do safeguard._acquire_lock('restore_backup') -%}
        {%- do safeguard._refuse_if_leased('restore_backup') -%}
        {%- do safeguard._ensure_catalog() -%}
        {%- if safeguard._reconcile_catalog('restore_backup') > 0 -%}
            {%- set entries = safeguard._select_restore_entries(wanted, ts_prefix, ids) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if entries | length == 0 -%}
        {%- if not dry_run -%}{%- do safeguard._release_lock() -%}{%- endif -%}
        {%- do safeguard._log('SUMMARY', 'nothing to restore: that backup is already in place (see SKIP above)') -%}
        {{ return([]) }}
    {%- endif -%}
    {%- do safeguard._refuse_untrusted(entries, 'restore_backup') -%}
    {%- set steps = safeguard._run_swap(safeguard._swap_plan(entries), 'restore_backup', dry_run) -%}
    {%- if not dry_run -%}
        {%- do safeguard._release_lock() -%}
    {%- endif -%}
    {%- do safeguard._log('SUMMARY', ('would restore ' if dry_run else 'restored ') ~ steps | length ~ ' table(s) from backup ' ~ entries[0].backup_ts) -%}
    {%- set result = [] -%}
    {%- for step in steps -%}
        {%- do result.append({
            'table': step.entry.source_schema ~ '.' ~ step.entry.source_table,
            'backup': step.entry.backup_schema ~ '.' ~ step.entry.backup_table,
            'backup_ts': step.entry.backup_ts,
            'live_rows': step.live_rows,
            'backup_rows': step.backup_rows,
            'replaced_by': (step.replaced.backup_schema ~ '.' ~ step.replaced.backup_table) if step.live_exists else none,
        }) -%}
    {%- endfor -%}
    {{ return(result) }}
{% endmacro %}


{#- The catalog entries to restore, or a one-line error that lists what is
    available. Never returns an empty list. -#}
{% macro _select_restore_entries(wanted, ts_prefix, invocation_id) %}
    {%- set usable = ['verified'] -%}
    {%- if wanted is not none -%}
        {%- set filters = {'source_table': wanted.table, 'status': ['verified', 'pending', 'failed', 'missing', 'restored']} -%}
        {%- if wanted.schema is not none -%}
            {%- do filters.update({'source_schema': wanted.schema}) -%}
        {%- endif -%}
        {%- set rows = safeguard._catalog_rows(filters) -%}
        {%- set label = (wanted.schema ~ '.' if wanted.schema is not none else '') ~ wanted.table -%}
        {%- if rows | length == 0 -%}
            {%- set known = [] -%}
            {%- for r in safeguard._catalog_rows({'status': 'verified'}) -%}
                {%- set name = r.source_schema ~ '.' ~ r.source_table -%}
                {%- if name not in known -%}{%- do known.append(name) -%}{%- endif -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error("safeguard.restore_backup: no backup of " ~ label ~ "; tables with backups: " ~ (known | join(', ') or 'none')) }}
        {%- endif -%}
        {%- set schemas = rows | map(attribute='source_schema') | unique | list -%}
        {%- if schemas | length > 1 -%}
            {{ exceptions.raise_compiler_error("safeguard.restore_backup: " ~ label ~ " is ambiguous; name the schema: " ~ schemas | join('.' ~ wanted.table ~ ', ') ~ '.' ~ wanted.table) }}
        {%- endif -%}
        {%- set label = schemas[0] ~ '.' ~ wanted.table -%}
        {%- set verified_ts = rows | selectattr('status', 'in', usable) | map(attribute='backup_ts') | list -%}
        {%- set matches = safeguard._rows_matching(rows, ts_prefix, invocation_id) -%}
        {%- if matches | length == 0 -%}
            {{ exceptions.raise_compiler_error("safeguard.restore_backup: no backup of " ~ label ~ " at " ~ (ts_prefix or invocation_id) ~ "; available: " ~ (verified_ts | join(', ') or 'none')) }}
        {%- endif -%}
        {%- if ts_prefix is none and invocation_id is none -%}
            {#- The default is the latest verified backup, never a table a restore replaced. -#}
            {%- set matches = matches | selectattr('status', 'in', usable) | selectattr('kind', 'equalto', 'backup') | list -%}
            {%- if matches | length == 0 -%}
                {{ exceptions.raise_compiler_error("safeguard.restore_backup: " ~ label ~ " has no verified backup; its backups are " ~ rows | map(attribute='status') | join(', ')) }}
            {%- endif -%}
            {%- set matches = matches[:1] -%}
        {%- elif matches | length > 1 -%}
            {#- A run can start in the very second a restore moved a live table
                aside: then one full ts names a backup and a replaced table. The
                ts names the backup; the replaced table is reached by its
                invocation_id. -#}
            {%- set backups = matches | selectattr('kind', 'equalto', 'backup') | list -%}
            {%- if backups | length == 1 and matches | map(attribute='backup_ts') | unique | list | length == 1 -%}
                {%- set matches = backups -%}
            {%- else -%}
                {{ exceptions.raise_compiler_error("safeguard.restore_backup: " ~ (ts_prefix or invocation_id) ~ " matches " ~ matches | length ~ " backups of " ~ label ~ ": " ~ matches | map(attribute='backup_ts') | join(', ') ~ "; give the full ts") }}
            {%- endif -%}
        {%- endif -%}
    {%- else -%}
        {%- set rows = safeguard._catalog_rows({'kind': 'backup', 'status': ['verified', 'pending', 'failed', 'missing', 'restored']}) -%}
        {%- set matches = safeguard._rows_matching(rows, ts_prefix, invocation_id) -%}
        {%- set sets = matches | map(attribute='backup_ts') | unique | list -%}
        {%- if sets | length == 0 -%}
            {{ exceptions.raise_compiler_error("safeguard.restore_backup: no backup set at " ~ (ts_prefix or invocation_id) ~ "; available: " ~ (rows | selectattr('status', 'in', usable) | map(attribute='backup_ts') | unique | join(', ') or 'none')) }}
        {%- elif sets | length > 1 -%}
            {{ exceptions.raise_compiler_error("safeguard.restore_backup: " ~ (ts_prefix or invocation_id) ~ " matches " ~ sets | length ~ " backup sets: " ~ sets | join(', ') ~ "; give the full ts") }}
        {%- endif -%}
    {%- endif -%}
    {#- A backup an earlier restore already put in place (for example one
        that crashed after its RENAME): its table became the live table.
        If the live table still matches it there is nothing to do; if it
        changed since, that backup is used up and says so. -#}
    {%- for r in matches if r.status == 'restored' -%}
        {%- set live = r.source_schema ~ '.' ~ r.source_table -%}
        {%- if safeguard._table_exists(r.source_schema, r.source_table) and safeguard._fingerprint(r.source_schema, r.source_table) == {'row_count': r.row_count, 'checksum': r.checksum} -%}
            {%- do safeguard._log('SKIP', r.backup_schema ~ '.' ~ r.backup_table ~ ' (' ~ r.backup_ts ~ ') was already restored into ' ~ live ~ ' (' ~ r.note ~ ') and ' ~ live ~ ' still matches it; nothing to do') -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("safeguard.restore_backup: backup " ~ r.backup_schema ~ "." ~ r.backup_table ~ " was already restored into " ~ live ~ " (" ~ r.note ~ ") and " ~ live ~ " has changed since, so it cannot be restored again; nothing was changed; verified backups of " ~ live ~ ": " ~ (safeguard._catalog_rows({'status': 'verified', 'source_schema': r.source_schema, 'source_table': r.source_table}) | map(attribute='backup_ts') | join(', ') or 'none')) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set matches = matches | rejectattr('status', 'equalto', 'restored') | list -%}
    {%- for r in matches if r.status not in usable -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: backup " ~ r.backup_schema ~ "." ~ r.backup_table ~ " is not verified (status " ~ r.status ~ ") and cannot be restored; verified backups of " ~ r.source_schema ~ "." ~ r.source_table ~ ": " ~ (safeguard._catalog_rows({'status': 'verified', 'source_schema': r.source_schema, 'source_table': r.source_table}) | map(attribute='backup_ts') | join(', ') or 'none')) }}
    {%- endfor -%}
    {%- for r in matches if not safeguard._table_exists(r.backup_schema, r.backup_table) -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: the catalog lists " ~ r.backup_schema ~ "." ~ r.backup_table ~ " but the table is gone; nothing was changed") }}
    {%- endfor -%}
    {{ return(matches) }}
{% endmacro %}


{#- Catalog rows whose backup_ts starts with ts_prefix and that belong to
    invocation_id, each filter applying only when given. -#}
{% macro _rows_matching(rows, ts_prefix, invocation_id) %}
    {%- set matches = [] -%}
    {%- for r in rows
          if (ts_prefix is none or r.backup_ts.startswith(ts_prefix))
          and (invocation_id is none or r.invocation_id == invocation_id) -%}
        {%- do matches.append(r) -%}
    {%- endfor -%}
    {{ return(matches) }}
{% endmacro %}
