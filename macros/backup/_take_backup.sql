{#- The plan entry of one backup: where the copy of schema.table goes at ts. -#}
{% macro _backup_entry(schema, table, ts) %}
    {%- set backup_schema = safeguard._backup_schema_for(schema) -%}
    {{ return({
        'backup_ts': ts, 'kind': 'backup',
        'source_schema': schema, 'source_table': table,
        'backup_schema': backup_schema,
        'backup_table': safeguard._backup_name(schema, table, backup_schema, 'backup', ts),
    }) }}
{% endmacro %}


{#- Copies one planned backup, verifies it against its source and records
    it: `pending` before the copy (a crash leaves a row prune can clean up),
    then `verified` or `failed`. The source's foreign keys are recorded with
    it, because CREATE TABLE ... LIKE does not copy them.
    Returns {'verified': bool, 'entry': the catalog row, 'note': why not}. -#}
{% macro _take_backup_entry(entry) %}
    {%- do entry.update({'foreign_keys': safeguard._foreign_keys_json(entry.source_schema, entry.source_table)}) -%}
    {%- do safeguard._ensure_schema(entry.backup_schema) -%}
    {%- do safeguard._record_backup(entry, 'pending') -%}
    {%- set copy_failed = safeguard._copy_table(entry.source_schema, entry.source_table, entry.backup_schema, entry.backup_table) -%}
    {%- if copy_failed is not none -%}
        {%- set note = 'the copy failed: ' ~ copy_failed ~ '; the half-made copy was dropped' -%}
        {%- do safeguard._update_backup(entry.backup_schema, entry.backup_table, 'dropped', none, note) -%}
        {%- do entry.update({'status': 'dropped'}) -%}
        {{ return({'verified': false, 'entry': entry, 'note': note}) }}
    {%- endif -%}
    {#- Both tables are read: the source may change between the copy and its
        fingerprint only if something else writes it during the run's own
        backup, which is exactly what verification has to catch. -#}
    {%- set source_print = safeguard._fingerprint(entry.source_schema, entry.source_table) -%}
    {%- set backup_print = safeguard._fingerprint(entry.backup_schema, entry.backup_table) -%}
    {%- do entry.update({'row_count': backup_print.row_count, 'checksum': backup_print.checksum}) -%}
    {%- if source_print == backup_print -%}
        {%- do safeguard._update_backup(entry.backup_schema, entry.backup_table, 'verified', backup_print) -%}
        {%- do entry.update({'status': 'verified'}) -%}
        {{ return({'verified': true, 'entry': entry, 'note': none}) }}
    {%- endif -%}
    {%- set note = 'source ' ~ source_print.row_count ~ ' rows/checksum ' ~ source_print.checksum ~ ', backup ' ~ backup_print.row_count ~ ' rows/checksum ' ~ backup_print.checksum -%}
    {#- A failed row keeps the SOURCE's fingerprint (the note has both): what
        the table held when its backup was tried, so finish_run can tell
        whether it changed with no backup to roll back to. -#}
    {%- do safeguard._update_backup(entry.backup_schema, entry.backup_table, 'failed', source_print, note) -%}
    {%- do entry.update({'status': 'failed'}) -%}
    {{ return({'verified': false, 'entry': entry, 'note': note}) }}
{% endmacro %}


{#- One backup of schema.table taken outside create_backups (by a package
    materialization, under this invocation's run lease), logged. -#}
{% macro _take_backup(schema, table, why) %}
    {%- set planned = safeguard._backup_entry(schema, table, 'x') -%}
    {%- set ts = safeguard._free_ts([{'schema': schema, 'table': table, 'backup_schema': planned.backup_schema}], 'backup', safeguard._run_ts_start()) -%}
    {%- set taken = safeguard._take_backup_entry(safeguard._backup_entry(schema, table, ts)) -%}
    {%- if taken.verified -%}
        {%- do safeguard._log('BACKUP', schema ~ '.' ~ table ~ ' -> ' ~ taken.entry.backup_schema ~ '.' ~ taken.entry.backup_table ~ ' (' ~ taken.entry.row_count ~ ' rows, checksum ' ~ taken.entry.checksum ~ ', ' ~ why ~ ')') -%}
    {%- else -%}
        {%- do safeguard._log('FAIL', schema ~ '.' ~ table ~ ': verification failed: ' ~ taken.note) -%}
    {%- endif -%}
    {{ return(taken) }}
{% endmacro %}


{#- The table's own foreign keys as the JSON list the catalog keeps:
    [{name, columns, ref_schema, ref_table, ref_columns, on_update, on_delete}].
    none when it has none. -#}
{% macro _foreign_keys_json(schema, table) %}
    {%- set sql -%}
        select rc.constraint_name, kcu.column_name, kcu.referenced_table_schema,
               kcu.referenced_table_name, kcu.referenced_column_name, rc.update_rule, rc.delete_rule
        from information_schema.referential_constraints as rc
        join information_schema.key_column_usage as kcu
          on kcu.constraint_schema = rc.constraint_schema
         and kcu.constraint_name = rc.constraint_name
         and kcu.table_name = rc.table_name
        where rc.constraint_schema = {{ safeguard._sql_string(schema) }}
          and rc.table_name = {{ safeguard._sql_string(table) }}
        order by rc.constraint_name, kcu.ordinal_position
    {%- endset -%}
    {%- set keys = [] -%}
    {%- set by_name = {} -%}
    {%- for row in run_query(sql).rows -%}
        {%- if row[0] not in by_name -%}
            {%- set key = {'name': row[0], 'columns': [], 'ref_schema': row[2], 'ref_table': row[3], 'ref_columns': [], 'on_update': row[5], 'on_delete': row[6]} -%}
            {%- do by_name.update({row[0]: key}) -%}
            {%- do keys.append(key) -%}
        {%- endif -%}
        {%- do by_name[row[0]]['columns'].append(row[1]) -%}
        {%- do by_name[row[0]]['ref_columns'].append(row[4]) -%}
    {%- endfor -%}
    {{ return(tojson(keys) if keys else none) }}
{% endmacro %}
