{#- The restore plan for catalog entries: one RENAME TABLE that moves each
    live table aside (kept as a `replaced` entry) and each backup into place.
    RENAME of several tables is one atomic statement, so there is never a
    moment without the table and never a half-restored set. -#}
{#- live_prints: fingerprints of live tables the caller has already taken,
    by `schema.table`, so a large table is not read again. -#}
{% macro _swap_plan(entries, live_prints={}) %}
    {%- set steps = [] -%}
    {%- for entry in entries -%}
        {%- set name = entry.source_schema ~ '.' ~ entry.source_table -%}
        {%- do steps.append({
            'entry': entry,
            'live_exists': name in live_prints or safeguard._table_exists(entry.source_schema, entry.source_table),
            'live_print': live_prints.get(name),
            'replaced_schema': safeguard._backup_schema_for(entry.source_schema),
        }) -%}
    {%- endfor -%}
    {%- set live = [] -%}
    {%- for step in steps if step.live_exists -%}
        {%- do live.append({'schema': step.entry.source_schema, 'table': step.entry.source_table, 'backup_schema': step.replaced_schema}) -%}
    {%- endfor -%}
    {#- _free_ts picks names that are neither tables nor catalog entries. -#}
    {%- set ts = safeguard._free_ts(live, 'replaced', safeguard._server_now()) -%}
    {%- for step in steps -%}
        {%- set e = step.entry -%}
        {%- do step.update({'replaced': {
            'backup_ts': ts, 'kind': 'replaced',
            'source_schema': e.source_schema, 'source_table': e.source_table,
            'backup_schema': step.replaced_schema,
            'backup_table': safeguard._backup_name(e.source_schema, e.source_table, step.replaced_schema, 'replaced', ts),
        } if step.live_exists else none}) -%}
    {%- endfor -%}
    {{ return(steps) }}
{% endmacro %}


{#- `2 of 3 s.t (10 rows) <- s.t_backup_<ts> (9 rows, <ts>), live table kept as ...` -#}
{% macro _step_line(step, index, total) %}
    {%- set e = step.entry -%}
    {{ return(index ~ ' of ' ~ total ~ ' ' ~ e.source_schema ~ '.' ~ e.source_table
        ~ ' (' ~ (step.live_rows ~ ' rows' if step.live_exists else 'absent') ~ ') <- '
        ~ e.backup_schema ~ '.' ~ e.backup_table ~ ' (' ~ (e.row_count if e.row_count is not none else 'not yet counted') ~ ' rows, ' ~ e.backup_ts ~ ')'
        ~ (', live table kept as ' ~ step.replaced.backup_schema ~ '.' ~ step.replaced.backup_table if step.live_exists else '')) }}
{% endmacro %}


{% macro _swap_statement(steps) %}
    {%- set pairs = [] -%}
    {%- for step in steps -%}
        {%- set e = step.entry -%}
        {%- if step.live_exists -%}
            {%- do pairs.append(safeguard._quote_table(e.source_schema, e.source_table) ~ ' to ' ~ safeguard._quote_table(step.replaced.backup_schema, step.replaced.backup_table)) -%}
        {%- endif -%}
        {%- do pairs.append(safeguard._quote_table(e.backup_schema, e.backup_table) ~ ' to ' ~ safeguard._quote_table(e.source_schema, e.source_table)) -%}
    {%- endfor -%}
    {{ return('rename table ' ~ pairs | join(', ')) }}
{% endmacro %}


{#- Logs the plan and, unless dry_run, verifies the backups, swaps and
    records the replaced tables. A real swap logs its RESTORE and VERIFY
    lines only once its RENAME is done: a restore that gives up prints only
    its refusal. Call with the named lock held. Returns the steps with the
    live and backup row counts and the restore's journal_id. -#}
{% macro _run_swap(steps, operation, dry_run) %}
    {%- for step in steps -%}
        {%- set e = step.entry -%}
        {%- if step.live_exists and step.live_print is none -%}
            {#- A dry run shows row counts only; a real swap records the
                replaced table's count and checksum, read once here. -#}
            {%- do step.update({'live_print': {'row_count': run_query('select count(*) from ' ~ safeguard._quote_table(e.source_schema, e.source_table)).rows[0][0] | int, 'checksum': none}
                if dry_run else safeguard._fingerprint(e.source_schema, e.source_table)}) -%}
        {%- endif -%}
        {%- set live_rows = step.live_print.row_count if step.live_exists else none -%}
        {%- do step.update({'live_rows': live_rows, 'backup_rows': e.row_count}) -%}
        {%- if dry_run -%}{%- do safeguard._log('PLAN', safeguard._step_line(step, loop.index, steps | length)) -%}{%- endif -%}
    {%- endfor -%}
    {%- if dry_run -%}
        {%- do safeguard._log('PLAN', safeguard._swap_statement(steps)) -%}
        {{ return(steps) }}
    {%- endif -%}

    {%- do safeguard._verify_backups(steps, operation) -%}

    {#- Intent first: the displaced tables as planned rows, then a journal
        row. A crash between the RENAME (which commits on its own) and the
        catalog writes after it is completed by _reconcile_catalog. -#}
    {%- set statement = safeguard._swap_statement(steps) -%}
    {%- set restored_ids = [] -%}
    {%- set replaced_ids = [] -%}
    {%- for step in steps -%}
        {%- set e = step.entry -%}
        {%- do restored_ids.append(e.backup_id) -%}
        {%- if step.live_exists -%}
            {%- do replaced_ids.append(safeguard._record_backup(step.replaced, 'planned', step.live_print, 'live table before ' ~ operation ~ ' of ' ~ e.backup_ts)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set first = steps[0] -%}
    {%- set probe = (first.replaced.backup_schema, first.replaced.backup_table) if first.live_exists else (first.entry.source_schema, first.entry.source_table) -%}
    {%- set journal_id = safeguard._plan_swap_journal(operation, statement, probe, restored_ids, replaced_ids) -%}

    {%- set swapped = safeguard._try_ddl_bounded(statement) -%}
    {%- if not swapped.done -%}
        {%- do safeguard._settle_journal(journal_id, restored_ids | join(','), replaced_ids | join(','), false, none) -%}
        {{ exceptions.raise_compiler_error(safeguard._ddl_gave_up(swapped, operation, statement)) }}
    {%- endif -%}
    {%- do safeguard._settle_journal(journal_id, restored_ids | join(','), replaced_ids | join(','), true, operation ~ ' ' ~ journal_id ~ ' by invocation ' ~ invocation_id) -%}
    {%- do safeguard._log('VERIFY', steps | length ~ ' backup(s) matched their catalog rows (row count and fingerprint) before the swap') -%}
    {%- for step in steps -%}
        {%- do step.update({'journal_id': journal_id, 'backup_rows': step.entry.row_count}) -%}
        {%- do safeguard._log('RESTORE', safeguard._step_line(step, loop.index, steps | length) ~ ' (' ~ operation ~ ' ' ~ journal_id ~ ')') -%}
    {%- endfor -%}
    {%- do safeguard._repoint_foreign_keys(steps, operation) -%}

    {{ return(steps) }}
{% endmacro %}


{#- Referential integrity after a swap. RENAME moves an InnoDB table's
    foreign keys with it: a child outside the swap now references the
    displaced table (`..._replaced_<ts>`), so point it back at the restored
    table. A restored table whose backup was made without its foreign keys
    (CREATE TABLE ... LIKE drops them) gets the definitions recorded in the
    catalog's `foreign_keys` back. FK names are unique per schema, so the
    displaced table gives its constraint up first. foreign_key_checks = 0
    makes each ADD FOREIGN KEY a metadata change, not a scan; the server
    then stores a RESTRICT rule as NO ACTION, which InnoDB enforces the same
    way (both are checked at once; MySQL 8 manual, "Referential Actions"). -#}
{% macro _repoint_foreign_keys(steps, operation) %}
    {%- set statements = [] -%}
    {%- set displaced = [] -%}
    {%- for step in steps if step.live_exists -%}
        {%- do displaced.append(step.replaced.backup_schema ~ '.' ~ step.replaced.backup_table) -%}
    {%- endfor -%}
    {%- for step in steps if step.live_exists -%}
        {%- set e = step.entry -%}
        {%- for fk in safeguard._foreign_keys_referencing(step.replaced.backup_schema, step.replaced.backup_table)
              if (fk.schema ~ '.' ~ fk.table) not in displaced -%}
            {%- set child = safeguard._quote_table(fk.schema, fk.table) -%}
            {%- do statements.append(('alter table ' ~ child ~ ' drop foreign key `' ~ fk.name ~ '`', fk.schema ~ '.' ~ fk.table ~ '.' ~ fk.name ~ ' -> ' ~ e.source_schema ~ '.' ~ e.source_table)) -%}
            {%- do fk.update({'ref_schema': e.source_schema, 'ref_table': e.source_table}) -%}
            {%- do statements.append(('alter table ' ~ child ~ ' add ' ~ safeguard._foreign_key_clause(fk), none)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for step in steps if step.entry.foreign_keys -%}
        {%- set e = step.entry -%}
        {%- set have = safeguard._foreign_keys_of(e.source_schema, e.source_table) | map(attribute='name') | list -%}
        {%- for fk in fromjson(e.foreign_keys) if fk.name not in have -%}
            {%- if step.live_exists and fk.name in (safeguard._foreign_keys_of(step.replaced.backup_schema, step.replaced.backup_table) | map(attribute='name') | list) -%}
                {%- do statements.append(('alter table ' ~ safeguard._quote_table(step.replaced.backup_schema, step.replaced.backup_table) ~ ' drop foreign key `' ~ safeguard._validate_identifier(fk.name, 'a recorded foreign key name') ~ '`', none)) -%}
            {%- endif -%}
            {%- do statements.append(('alter table ' ~ safeguard._quote_table(e.source_schema, e.source_table) ~ ' add ' ~ safeguard._foreign_key_clause(fk), e.source_schema ~ '.' ~ e.source_table ~ '.' ~ fk.name ~ ' (recorded with its backup)')) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not statements -%}{{ return(0) }}{%- endif -%}
    {%- do run_query('set foreign_key_checks = 0') -%}
    {%- for statement, label in statements -%}
        {%- do safeguard._run_ddl_bounded(statement, operation) -%}
        {%- if label -%}{%- do safeguard._log('FK', label) -%}{%- endif -%}
    {%- endfor -%}
    {%- do run_query('set foreign_key_checks = 1') -%}
    {{ return(statements | length) }}
{% endmacro %}


{#- `constraint fk foreign key (a, b) references s.t (x, y) on update .. on delete ..` -#}
{% macro _foreign_key_clause(fk) %}
    {%- set columns = [] -%}
    {%- for c in fk.columns -%}{%- do columns.append('`' ~ safeguard._validate_identifier(c, 'a foreign key column') ~ '`') -%}{%- endfor -%}
    {%- set ref_columns = [] -%}
    {%- for c in fk.ref_columns -%}{%- do ref_columns.append('`' ~ safeguard._validate_identifier(c, 'a foreign key column') ~ '`') -%}{%- endfor -%}
    {%- set rules = ['RESTRICT', 'CASCADE', 'SET NULL', 'NO ACTION', 'SET DEFAULT'] -%}
    {%- for rule in [fk.on_update, fk.on_delete] if (rule or 'RESTRICT') | upper not in rules -%}
        {{ exceptions.raise_compiler_error("safeguard: foreign key " ~ fk.name ~ " has the rule '" ~ rule ~ "', expected one of " ~ rules | join(', ')) }}
    {%- endfor -%}
    {{ return('constraint `' ~ safeguard._validate_identifier(fk.name, 'a foreign key name') ~ '` foreign key (' ~ columns | join(', ') ~ ') references '
        ~ safeguard._quote_table(fk.ref_schema, fk.ref_table) ~ ' (' ~ ref_columns | join(', ') ~ ') on update ' ~ (fk.on_update or 'RESTRICT') | upper
        ~ ' on delete ' ~ (fk.on_delete or 'RESTRICT') | upper) }}
{% endmacro %}


{#- Foreign keys as [{schema, table, name, columns, ref_schema, ref_table,
    ref_columns, on_update, on_delete}] from information_schema. -#}
{% macro _foreign_keys_where(condition) %}
    {%- set sql -%}
        select k.table_schema, k.table_name, k.constraint_name, k.column_name,
               k.referenced_table_schema, k.referenced_table_name, k.referenced_column_name,
               r.update_rule, r.delete_rule
        from information_schema.key_column_usage as k
        join information_schema.referential_constraints as r
          on r.constraint_schema = k.constraint_schema and r.constraint_name = k.constraint_name
         and r.table_name = k.table_name
        where k.referenced_table_name is not null and {{ condition }}
        order by k.table_schema, k.table_name, k.constraint_name, k.ordinal_position
    {%- endset -%}
    {%- set found = {} -%}
    {%- set order = [] -%}
    {%- for row in run_query(sql).rows -%}
        {%- set key = row[0] ~ '.' ~ row[1] ~ '.' ~ row[2] -%}
        {%- if key not in found -%}
            {%- do order.append(key) -%}
            {%- do found.update({key: {'schema': row[0], 'table': row[1], 'name': row[2], 'columns': [],
                'ref_schema': row[4], 'ref_table': row[5], 'ref_columns': [], 'on_update': row[7], 'on_delete': row[8]}}) -%}
        {%- endif -%}
        {%- do found[key].columns.append(row[3]) -%}
        {%- do found[key].ref_columns.append(row[6]) -%}
    {%- endfor -%}
    {%- set result = [] -%}
    {%- for key in order -%}{%- do result.append(found[key]) -%}{%- endfor -%}
    {{ return(result) }}
{% endmacro %}


{% macro _foreign_keys_referencing(schema, table) %}
    {{ return(safeguard._foreign_keys_where('k.referenced_table_schema = ' ~ safeguard._sql_string(schema) ~ ' and k.referenced_table_name = ' ~ safeguard._sql_string(table))) }}
{% endmacro %}


{% macro _foreign_keys_of(schema, table) %}
    {{ return(safeguard._foreign_keys_where('k.table_schema = ' ~ safeguard._sql_string(schema) ~ ' and k.table_name = ' ~ safeguard._sql_string(table))) }}
{% endmacro %}


{#- Verify before anything moves: a backup whose rows no longer match its
    catalog row (edited by hand, damaged) is refused while the live table
    is still in place. Nobody writes a backup, and the named lock keeps
    other safeguard operations out, so the table swapped in is the one
    checked here. This scan is the restore's only size-dependent step. -#}
{% macro _verify_backups(steps, operation) %}
    {%- set mismatches = [] -%}
    {%- for step in steps -%}
        {%- set e = step.entry -%}
        {%- set recorded = {'row_count': e.row_count, 'checksum': e.checksum} -%}
        {%- set compared = safeguard._matches_row(e.backup_schema, e.backup_table, e) -%}
        {%- set backup_print = compared.print -%}
        {%- if not compared.same -%}
            {%- do mismatches.append(e.backup_schema ~ '.' ~ e.backup_table ~ ' (catalog: ' ~ recorded.row_count ~ ' rows, checksum ' ~ recorded.checksum ~ '; table: ' ~ backup_print.row_count ~ ' rows, checksum ' ~ backup_print.checksum ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if mismatches -%}
        {{ exceptions.raise_compiler_error("safeguard." ~ operation ~ ": refusing to restore " ~ mismatches | join('; ') ~ ": the backup no longer matches its catalog row; nothing was changed") }}
    {%- endif -%}

{% endmacro %}
