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

    {#- Resolve first (bad arguments fail before anything is locked, and
        quietly: the answer may change), then lock, reconcile what a crash
        left and resolve again: a restore cut off after its RENAME is then
        reported as done, never followed by a second, older backup. -#}
    {%- set ids = invocation_id | string if invocation_id is not none else none -%}
    {%- set entries = safeguard._select_restore_entries(wanted, ts_prefix, ids, quiet=not dry_run) -%}
    {%- if not dry_run -%}
        {%- do safeguard._acquire_lock('restore_backup') -%}
        {%- do safeguard._refuse_if_leased('restore_backup') -%}
        {%- do safeguard._ensure_catalog() -%}
        {%- do safeguard._reconcile_catalog('restore_backup') -%}
        {%- set entries = safeguard._select_restore_entries(wanted, ts_prefix, ids) -%}
    {%- endif -%}
    {%- if entries | length == 0 -%}
        {%- if not dry_run -%}{%- do safeguard._release_lock() -%}{%- endif -%}
        {%- do safeguard._log('SUMMARY', 'nothing to restore: that backup is already in place (see SKIP above)') -%}
        {{ return([]) }}
    {%- endif -%}
    {%- do safeguard._refuse_missing_backups(entries) -%}
    {%- do safeguard._refuse_untrusted(entries, 'restore_backup') -%}
    {%- do safeguard._refuse_dangling_children(entries) -%}
    {%- set steps = safeguard._run_swap(safeguard._swap_plan(entries), 'restore_backup', dry_run) -%}
    {%- if not dry_run -%}
        {%- do safeguard._release_lock() -%}
    {%- endif -%}
    {%- do safeguard._log('SUMMARY', ('would restore ' if dry_run else 'restored ') ~ steps | length ~ ' table(s) from backup ' ~ entries[0].backup_ts
        ~ ('' if dry_run else ' (restore ' ~ steps[0].journal_id ~ ')' ~ safeguard._undo_hint(steps))) -%}
    {%- set result = [] -%}
    {%- for step in steps -%}
        {%- do result.append({
            'table': step.entry.source_schema ~ '.' ~ step.entry.source_table,
            'backup': step.entry.backup_schema ~ '.' ~ step.entry.backup_table,
            'backup_ts': step.entry.backup_ts,
            'live_rows': step.live_rows,
            'backup_rows': step.backup_rows,
            'replaced_by': (step.replaced.backup_schema ~ '.' ~ step.replaced.backup_table) if step.live_exists else none,
            'restore_id': step.get('journal_id'),
        }) -%}
    {%- endfor -%}
    {{ return(result) }}
{% endmacro %}


{#- `; undo it in one statement with: ...`, when the restore displaced a live table. -#}
{#- The undo, as a command a shell passes on intact: the ts stays quoted
    inside the YAML of --args (unquoted, 20260207_101502 is an integer). -#}
{% macro _undo_hint(steps) %}
    {%- set displaced = steps | selectattr('live_exists') | list -%}
    {%- if not displaced -%}{{ return('') }}{%- endif -%}
    {{ return('; undo it in one statement with: dbt run-operation safeguard.restore_backup --args '
        ~ "\"{ts: '" ~ displaced[0].replaced.backup_ts ~ "'}\"" ~ (' (or safeguard restore ' ~ displaced[0].entry.source_schema ~ '.' ~ displaced[0].entry.source_table ~ ' --ts ' ~ displaced[0].replaced.backup_ts ~ ')' if steps | length == 1 else '')) }}
{% endmacro %}


{#- Checked after the catalog is reconciled (a backup moved into place by
    a restore that was cut off is `restored` by then, not "gone"). -#}
{% macro _refuse_missing_backups(entries) %}
    {%- for r in entries if not safeguard._table_exists(r.backup_schema, r.backup_table) -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: the catalog lists " ~ r.backup_schema ~ "." ~ r.backup_table ~ " (" ~ r.status ~ ") but the table is gone; nothing was changed; see safeguard backups " ~ r.source_schema ~ "." ~ r.source_table) }}
    {%- endfor -%}
{% endmacro %}


{#- The catalog entries to restore, or a one-line error that lists what is
    available. Empty when there is nothing to do (logged as SKIP unless
    quiet): the backup is already in place. -#}
{% macro _select_restore_entries(wanted, ts_prefix, invocation_id, quiet=false) %}
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
            {%- set restore = safeguard._restored_since_last_run(rows) -%}
            {%- if restore is not none -%}
                {%- if not quiet -%}{%- do safeguard._log('SKIP', restore) -%}{%- endif -%}
                {{ return([]) }}
            {%- endif -%}
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
        {%- set matches = safeguard._select_restore_set(ts_prefix, invocation_id) -%}
    {%- endif -%}
    {%- do safeguard._check_restored_matches(matches, quiet) -%}
    {%- set matches = matches | rejectattr('status', 'equalto', 'restored') | list -%}
    {%- for r in matches if r.status not in usable -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: backup " ~ r.backup_schema ~ "." ~ r.backup_table ~ " is not verified (status " ~ r.status ~ ") and cannot be restored; verified backups of " ~ r.source_schema ~ "." ~ r.source_table ~ ": " ~ (safeguard._catalog_rows({'status': 'verified', 'source_schema': r.source_schema, 'source_table': r.source_table}) | map(attribute='backup_ts') | join(', ') or 'none')) }}
    {%- endfor -%}
    {{ return(matches) }}
{% endmacro %}


{#- A backup an earlier restore already put in place (for example one
    that crashed after its RENAME): its table became the live table.
    If the live table still matches it there is nothing to do; if it
    changed since, that backup is used up and says so. -#}
{% macro _check_restored_matches(matches, quiet) %}
    {%- for r in matches if r.status == 'restored' -%}
        {%- set live = r.source_schema ~ '.' ~ r.source_table -%}
        {%- if safeguard._table_exists(r.source_schema, r.source_table) and safeguard._matches_row(r.source_schema, r.source_table, r).same -%}
            {%- if not quiet -%}{%- do safeguard._log('SKIP', r.backup_schema ~ '.' ~ r.backup_table ~ ' (' ~ r.backup_ts ~ ') was already restored into ' ~ live ~ ' (' ~ r.note ~ ') and ' ~ live ~ ' still matches it; nothing to do') -%}{%- endif -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("safeguard.restore_backup: backup " ~ r.backup_schema ~ "." ~ r.backup_table ~ " was already restored into " ~ live ~ " (" ~ r.note ~ ") and " ~ live ~ " has changed since, so it cannot be restored again; nothing was changed; verified backups of " ~ live ~ ": " ~ (safeguard._catalog_rows({'status': 'verified', 'source_schema': r.source_schema, 'source_table': r.source_table}) | map(attribute='backup_ts') | join(', ') or 'none')) }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}


{#- The entries of the whole set a ts or invocation_id names. A set is a
    run's backups or the tables one restore replaced (its undo, one RENAME
    like the restore); a run that started in the second a restore did
    shares its ts, and the ts names the run's. -#}
{% macro _select_restore_set(ts_prefix, invocation_id) %}
    {%- set usable = ['verified'] -%}
    {%- set rows = safeguard._catalog_rows({'kind': ['backup', 'replaced'], 'status': ['verified', 'pending', 'failed', 'missing', 'restored']}) -%}
    {%- set matches = safeguard._rows_matching(rows, ts_prefix, invocation_id) -%}
    {%- if matches | selectattr('kind', 'equalto', 'backup') | list and matches | selectattr('kind', 'equalto', 'replaced') | list and matches | map(attribute='backup_ts') | unique | list | length == 1 -%}
        {%- set matches = matches | selectattr('kind', 'equalto', 'backup') | list -%}
    {%- endif -%}
    {%- set sets = matches | map(attribute='backup_ts') | unique | list -%}
    {%- if sets | length == 0 -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: no backup set at " ~ (ts_prefix or invocation_id) ~ "; available: " ~ (rows | selectattr('status', 'in', usable) | map(attribute='backup_ts') | unique | join(', ') or 'none')) }}
    {%- elif sets | length > 1 -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: " ~ (ts_prefix or invocation_id) ~ " matches " ~ sets | length ~ " backup sets: " ~ sets | join(', ') ~ "; give the full ts") }}
    {%- endif -%}
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


{#- When the table was restored (by restore_backup, or rolled back by
    finish_run or recover_run) after its newest backup was taken, i.e.
    since its last run: the line that says so, else none. A restore's
    displaced live table is its `replaced` row; backup_id is the server's
    insert order, so no clock decides "since". `rows`: the table's catalog
    rows, newest first. -#}
{% macro _restored_since_last_run(rows) %}
    {%- set replaced = rows | selectattr('kind', 'equalto', 'replaced') | rejectattr('status', 'equalto', 'planned') | list -%}
    {%- set backups = rows | selectattr('kind', 'equalto', 'backup') | list -%}
    {%- if not replaced or (backups and backups[0].backup_id > replaced[0].backup_id) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set r = replaced[0] -%}
    {%- set label = r.source_schema ~ '.' ~ r.source_table -%}
    {%- set sql -%}
        select journal_id, operation, restored_ids from {{ safeguard._journal_table() }}
        where status = 'applied' and find_in_set({{ r.backup_id }}, replaced_ids) > 0
    {%- endset -%}
    {%- set journal = run_query(sql).rows if safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_journal') else [] -%}
    {%- set restored = [] -%}
    {%- for j in journal -%}
        {%- for b in rows if (b.backup_id | string) in (j[2] | string).split(',') -%}{%- do restored.append(b) -%}{%- endfor -%}
    {%- endfor -%}
    {%- set older = backups | selectattr('status', 'equalto', 'verified') | map(attribute='backup_ts') | list -%}
    {{ return(label ~ ' was already restored since its last run: '
        ~ ((journal[0][1] ~ ' ' ~ journal[0][0]) if journal else 'a restore') ~ ' at ' ~ r.backup_ts
        ~ (' put back ' ~ restored[0].backup_schema ~ '.' ~ restored[0].backup_table ~ ' (' ~ restored[0].backup_ts ~ ')' if restored else '')
        ~ ' and kept the table it replaced as ' ~ r.backup_schema ~ '.' ~ r.backup_table
        ~ '; nothing was changed. To go further back, name the backup with --ts (ts: in --args): verified backups: ' ~ (older | join(', ') or 'none')) }}
{% endmacro %}


{#- Referential integrity: a parent restored without its children (tables
    with a declared InnoDB foreign key to it) must not leave child rows
    pointing at keys the backup lacks. InnoDB does not check existing rows
    when a RENAME moves a different table under a foreign key, so count
    them first and refuse, naming the child, the rows, and the whole-set
    restore that keeps them consistent. Children restored in the same set
    are consistent with it (a set is taken at one time). -#}
{% macro _refuse_dangling_children(entries) %}
    {%- set in_set = [] -%}
    {%- for e in entries -%}{%- do in_set.append(e.source_schema ~ '.' ~ e.source_table) -%}{%- endfor -%}
    {%- set problems = [] -%}
    {%- for e in entries if safeguard._table_exists(e.source_schema, e.source_table) -%}
        {%- for fk in safeguard._foreign_keys_referencing(e.source_schema, e.source_table)
              if (fk.schema ~ '.' ~ fk.table) not in in_set -%}
            {%- set child = fk.schema ~ '.' ~ fk.table -%}
            {%- set dangling = safeguard._dangling_rows(fk, e.backup_schema, e.backup_table) -%}
            {%- if dangling > 0 -%}
                {%- set together = safeguard._catalog_rows({'kind': 'backup', 'status': 'verified', 'source_schema': fk.schema, 'source_table': fk.table, 'backup_ts': e.backup_ts}) -%}
                {%- do problems.append(dangling ~ ' row(s) of ' ~ child ~ ' (foreign key ' ~ fk.name ~ ') point at keys ' ~ e.backup_schema ~ '.' ~ e.backup_table ~ ' lacks; '
                    ~ ('restore the set together: dbt run-operation safeguard.restore_backup --args ' ~ "'{ts: '" ~ e.backup_ts ~ "'}'" if together
                       else child ~ ' has no backup in the set ' ~ e.backup_ts ~ ': restore it to a backup that matches, or remove those rows, first')) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("safeguard.restore_backup: restoring " ~ in_set | join(', ') ~ " alone would leave orphans: " ~ problems | join('; ') ~ "; nothing was changed") }}
    {%- endif -%}
{% endmacro %}


{#- Rows of fk's child whose (non-NULL) key has no row in the would-be parent. -#}
{% macro _dangling_rows(fk, parent_schema, parent_table) %}
    {%- set not_null = [] -%}
    {%- set joined = [] -%}
    {%- for i in range(fk.columns | length) -%}
        {%- set c = '`' ~ safeguard._validate_identifier(fk.columns[i], 'a foreign key column') ~ '`' -%}
        {%- do not_null.append('c.' ~ c ~ ' is not null') -%}
        {%- do joined.append('p.`' ~ safeguard._validate_identifier(fk.ref_columns[i], 'a foreign key column') ~ '` = c.' ~ c) -%}
    {%- endfor -%}
    {%- set sql -%}
        select count(*) from {{ safeguard._quote_table(fk.schema, fk.table) }} as c
        where {{ not_null | join(' and ') }}
          and not exists (select 1 from {{ safeguard._quote_table(parent_schema, parent_table) }} as p
                          where {{ joined | join(' and ') }})
    {%- endset -%}
    {{ return(run_query(sql).rows[0][0] | int) }}
{% endmacro %}
