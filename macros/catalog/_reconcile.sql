{#- Makes the catalog tell the truth again after a crash. Call with the
    named lock held and after checking that no other live run holds the
    lease: then no other swap or backup is in progress, and whatever is
    half-done belongs to an operation that died.

    - A swap journal still `planned`: RENAME TABLE is atomic, so it either
      happened or not; its first target table tells which. If it happened,
      finish its catalog writes (backups `restored`, the displaced tables
      `verified`); if not, forget the planned rows.
    - A row written before a table model's swap (planned): verified if the
      swap happened, removed if not.
    - A `pending` copy of another invocation (its copy died, e.g. on a
      full disk) or a `failed` one: drop its table, so the space is freed
      and the next night can succeed; the row stays as `failed`.
      `own_pending`: also this invocation's (finish_run after a failed
      on-run-start).
    - A `verified` row whose table is gone becomes `missing`: verified
      means "exists and matches", and prune must not count it.
    Returns the number of rows it repaired. -#}
{% macro _reconcile_catalog(operation, own_pending=false) %}
    {%- if not safeguard._catalog_exists() -%}{{ return(0) }}{%- endif -%}
    {%- set ns = namespace(repaired=0) -%}

    {%- if safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_journal') -%}
        {%- set sql -%}
            select journal_id, invocation_id, operation, probe_schema, probe_table, restored_ids, replaced_ids
            from {{ safeguard._journal_table() }} where status = 'planned' order by journal_id
        {%- endset -%}
        {%- for j in run_query(sql).rows -%}
            {%- set applied = safeguard._table_exists(j[3], j[4]) -%}
            {%- do safeguard._settle_journal(j[0], j[5], j[6], applied, operation ~ ' after a crash of ' ~ j[2] ~ ' by invocation ' ~ j[1]) -%}
            {%- do safeguard._log('RECONCILE', j[2] ~ ' ' ~ j[0] ~ ' of invocation ' ~ j[1] ~ ' was cut off; its RENAME '
                ~ ('HAD happened: the tables are restored and the catalog is now completed; nothing more to run (safeguard backups shows the result)' if applied
                   else 'had NOT happened: nothing was changed and its plan is discarded; run the same command again')) -%}
            {%- set ns.repaired = ns.repaired + 1 -%}
        {%- endfor -%}
    {%- endif -%}

    {#- Rows written before a swap's RENAME outside a journal: the table
        model's old table kept as its backup (status planned, or pending
        with the note the table materialization writes). RENAME is atomic:
        if the table is there it is the pre-run table, so it is marked
        verified (fingerprinted when a restore or rollback needs it, see
        _row_print); if not, the swap never happened. -#}
    {%- set sql -%}
        select c.backup_id, c.backup_schema, c.backup_table, c.invocation_id, t.table_name is not null
        from {{ safeguard._catalog_table() }} as c
        left join information_schema.tables as t
          on t.table_schema = c.backup_schema and t.table_name = c.backup_table
        where (c.status = 'planned' or (c.status = 'pending' and c.note like 'kept at the swap%'))
          and c.invocation_id <> {{ safeguard._sql_string(invocation_id) }}
          and not exists (select 1 from {{ safeguard._journal_table() }} as j
                          where j.status = 'planned' and find_in_set(c.backup_id, j.replaced_ids))
    {%- endset -%}
    {%- set kept_rows = run_query(sql).rows -%}
    {%- for r in kept_rows -%}
        {%- if r[4] -%}
            {%- do safeguard._update_backup(r[1], r[2], 'verified', none, 'kept at a swap by invocation ' ~ r[3] ~ '; recorded by ' ~ operation ~ ' after a crash') -%}
            {%- do safeguard._log('RECONCILE', r[1] ~ '.' ~ r[2] ~ ': the swap of invocation ' ~ r[3] ~ ' had happened: its kept table is now verified') -%}
        {%- else -%}
            {%- do safeguard._execute('delete from ' ~ safeguard._catalog_table() ~ ' where backup_id = ' ~ r[0]) -%}
            {%- do safeguard._commit() -%}
            {%- do safeguard._log('RECONCILE', r[1] ~ '.' ~ r[2] ~ ': the swap of invocation ' ~ r[3] ~ ' never happened: its planned row removed') -%}
        {%- endif -%}
        {%- set ns.repaired = ns.repaired + 1 -%}
    {%- endfor -%}

    {#- Half-made or failed copies: drop their tables. -#}
    {%- set sql -%}
        select c.backup_id, c.backup_schema, c.backup_table, c.status, c.invocation_id, t.table_name is not null
        from {{ safeguard._catalog_table() }} as c
        left join information_schema.tables as t
          on t.table_schema = c.backup_schema and t.table_name = c.backup_table
        where ((c.status = 'pending' and (c.invocation_id <> {{ safeguard._sql_string(invocation_id) }} or {{ 'true' if own_pending else 'false' }}))
               or (c.status = 'failed' and t.table_name is not null))
          and coalesce(c.note, '') not like 'kept at the swap%'
    {%- endset -%}
    {%- set half_made = run_query(sql).rows -%}
    {%- if half_made -%}
        {%- set sources = safeguard._trusted_sources() -%}
    {%- endif -%}
    {%- for r in half_made -%}
        {%- set row = safeguard._catalog_rows({'backup_id': r[0]})[0] -%}
        {%- set problem = safeguard._distrust(row, sources) -%}
        {%- if problem is not none -%}
            {%- do safeguard._log('REFUSE', 'not dropping ' ~ problem) -%}
        {%- else -%}
            {%- if r[5] -%}
                {%- do safeguard._run_ddl_bounded('drop table if exists ' ~ safeguard._quote_table(r[1], r[2]), operation) -%}
            {%- endif -%}
            {%- do safeguard._execute('update ' ~ safeguard._catalog_table() ~ " set status = 'failed', updated_at = utc_timestamp(), note = "
                ~ safeguard._sql_string('left ' ~ r[3] ~ ' by invocation ' ~ r[4] ~ '; table dropped by ' ~ operation ~ ' of invocation ' ~ invocation_id)
                ~ ' where backup_id = ' ~ r[0]) -%}
            {%- do safeguard._commit() -%}
            {%- do safeguard._log('RECONCILE', r[1] ~ '.' ~ r[2] ~ ' (' ~ r[3] ~ ' backup of invocation ' ~ r[4] ~ ') dropped to free its space') -%}
            {%- set ns.repaired = ns.repaired + 1 -%}
        {%- endif -%}
    {%- endfor -%}

    {#- Verified rows whose table is gone. -#}
    {%- set sql -%}
        select c.backup_id, c.backup_schema, c.backup_table
        from {{ safeguard._catalog_table() }} as c
        left join information_schema.tables as t
          on t.table_schema = c.backup_schema and t.table_name = c.backup_table
        where c.status = 'verified' and t.table_name is null
    {%- endset -%}
    {%- for r in run_query(sql).rows -%}
        {%- do safeguard._execute('update ' ~ safeguard._catalog_table() ~ " set status = 'missing', updated_at = utc_timestamp(), note = "
            ~ safeguard._sql_string('table not found by ' ~ operation ~ ' of invocation ' ~ invocation_id) ~ ' where backup_id = ' ~ r[0]) -%}
        {%- do safeguard._commit() -%}
        {%- do safeguard._log('RECONCILE', r[1] ~ '.' ~ r[2] ~ ' was verified but no longer exists: marked missing') -%}
        {%- set ns.repaired = ns.repaired + 1 -%}
    {%- endfor -%}
    {#- Connections recorded by operations that died without a lease (a
        failed restore, a copy that hit a full disk) once all are closed:
        nothing is left to recover there. Not a repair: the catalog did not lie. -#}
    {%- if safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_connections') -%}
        {%- set sql -%}
            select distinct c.invocation_id from {{ safeguard._connections_table() }} as c
            where c.invocation_id <> {{ safeguard._sql_string(invocation_id) }}
              and not exists (select 1 from {{ safeguard._lease_table() }} as l where l.invocation_id = c.invocation_id)
              and not exists (select 1 from information_schema.processlist as p
                              join {{ safeguard._connections_table() }} as o on o.connection_id = p.id
                              where o.invocation_id = c.invocation_id)
        {%- endset -%}
        {%- set finished = [] -%}
        {%- for row in run_query(sql).rows -%}{%- do finished.append(safeguard._sql_string(row[0])) -%}{%- endfor -%}
        {%- if finished -%}
            {%- do safeguard._execute('delete from ' ~ safeguard._connections_table() ~ ' where invocation_id in (' ~ finished | join(', ') ~ ')') -%}
            {%- do safeguard._commit() -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(ns.repaired) }}
{% endmacro %}


{#- Writes the intent of one swap before its RENAME: the displaced tables
    as `planned` rows, and a journal row naming what the RENAME will do.
    probe: a table that exists after the RENAME and not before it. Returns
    the journal id. -#}
{% macro _plan_swap_journal(operation, statement, probe, restored_ids, replaced_ids) %}
    {%- set sql -%}
        insert into {{ safeguard._journal_table() }}
            (invocation_id, operation, connection_id, swap_statement, probe_schema, probe_table,
             restored_ids, replaced_ids, status, created_at, updated_at)
        values ({{ safeguard._sql_string(invocation_id) }}, {{ safeguard._sql_string(operation) }}, connection_id(),
                {{ safeguard._sql_string(statement) }}, {{ safeguard._sql_string(probe[0]) }}, {{ safeguard._sql_string(probe[1]) }},
                {{ safeguard._sql_string(restored_ids | join(',')) }}, {{ safeguard._sql_string(replaced_ids | join(',')) }},
                'planned', utc_timestamp(), utc_timestamp())
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- set journal_id = run_query('select last_insert_id()').rows[0][0] | int -%}
    {%- do safeguard._commit() -%}
    {{ return(journal_id) }}
{% endmacro %}


{#- The catalog writes after a swap (applied) or after a swap that never
    happened, in one transaction with the journal's status. -#}
{% macro _settle_journal(journal_id, restored_ids, replaced_ids, applied, note) %}
    {%- set restored = (restored_ids or '') | string -%}
    {%- set replaced = (replaced_ids or '') | string -%}
    {%- for ids in [restored, replaced] if not modules.re.match('^[0-9]*(,[0-9]+)*$', ids) -%}
        {{ exceptions.raise_compiler_error("safeguard: journal row " ~ journal_id ~ " lists ids '" ~ ids ~ "', not a list of numbers; fix it in " ~ safeguard._catalog_schema() ~ ".safeguard_journal") }}
    {%- endfor -%}
    {%- if applied -%}
        {%- if restored -%}
            {%- do safeguard._execute('update ' ~ safeguard._catalog_table() ~ " set status = 'restored', updated_at = utc_timestamp(), note = " ~ safeguard._sql_string(note) ~ ' where backup_id in (' ~ restored ~ ')') -%}
        {%- endif -%}
        {%- if replaced -%}
            {%- do safeguard._execute('update ' ~ safeguard._catalog_table() ~ " set status = 'verified', updated_at = utc_timestamp() where status = 'planned' and backup_id in (" ~ replaced ~ ')') -%}
        {%- endif -%}
    {%- elif replaced -%}
        {%- do safeguard._execute('delete from ' ~ safeguard._catalog_table() ~ " where status = 'planned' and backup_id in (" ~ replaced ~ ')') -%}
    {%- endif -%}
    {#- The journal bridges the window between the RENAME and these writes.
        An applied swap's row stays as its record: its journal_id is the
        restore's id, which a retried restore reports. A swap that never
        happened (it gave up on a lock, or died before its RENAME) leaves
        nothing behind: its refusal line is the whole record. -#}
    {%- if applied -%}
        {%- do safeguard._execute('update ' ~ safeguard._journal_table() ~ " set status = 'applied', updated_at = utc_timestamp() where journal_id = " ~ journal_id | int) -%}
    {%- else -%}
        {%- do safeguard._execute('delete from ' ~ safeguard._journal_table() ~ ' where journal_id = ' ~ journal_id | int) -%}
    {%- endif -%}
    {%- do safeguard._commit() -%}
{% endmacro %}
