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
    {%- set ts = safeguard._free_ts(live, 'replaced', modules.datetime.datetime.utcnow()) -%}
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


{#- Logs the plan and, unless dry_run, swaps, records the replaced tables
    and verifies the restored ones. Call with the named lock held. Returns
    the steps with the live and backup row counts. -#}
{% macro _run_swap(steps, operation, dry_run) %}
    {%- for step in steps -%}
        {%- set e = step.entry -%}
        {%- set live = e.source_schema ~ '.' ~ e.source_table -%}
        {%- if step.live_exists and step.live_print is none -%}
            {#- A dry run shows row counts only; a real swap records the
                replaced table's count and checksum, read once here. -#}
            {%- do step.update({'live_print': {'row_count': run_query('select count(*) from ' ~ safeguard._quote_table(e.source_schema, e.source_table)).rows[0][0] | int, 'checksum': none}
                if dry_run else safeguard._fingerprint(e.source_schema, e.source_table)}) -%}
        {%- endif -%}
        {%- set live_rows = step.live_print.row_count if step.live_exists else none -%}
        {%- do step.update({'live_rows': live_rows, 'backup_rows': e.row_count}) -%}
        {%- do safeguard._log('PLAN' if dry_run else 'RESTORE', loop.index ~ ' of ' ~ steps | length ~ ' ' ~ live
            ~ ' (' ~ (live_rows ~ ' rows' if step.live_exists else 'absent') ~ ') <- '
            ~ e.backup_schema ~ '.' ~ e.backup_table ~ ' (' ~ e.row_count ~ ' rows, ' ~ e.backup_ts ~ ')'
            ~ (', live table kept as ' ~ step.replaced.backup_schema ~ '.' ~ step.replaced.backup_table if step.live_exists else '')) -%}
    {%- endfor -%}
    {%- if dry_run -%}
        {%- do safeguard._log('PLAN', safeguard._swap_statement(steps)) -%}
        {{ return(steps) }}
    {%- endif -%}

    {%- do safeguard._execute(safeguard._swap_statement(steps)) -%}

    {%- set mismatches = [] -%}
    {%- for step in steps -%}
        {%- set e = step.entry -%}
        {%- do safeguard._update_backup(e.backup_schema, e.backup_table, 'restored', none, operation ~ ' by invocation ' ~ invocation_id) -%}
        {%- if step.live_exists -%}
            {%- do safeguard._record_backup(step.replaced, 'verified', step.live_print, 'live table before ' ~ operation ~ ' of ' ~ e.backup_ts) -%}
        {%- endif -%}
        {%- set now_print = safeguard._fingerprint(e.source_schema, e.source_table) -%}
        {%- if now_print.row_count != e.row_count or now_print.checksum != e.checksum -%}
            {%- do mismatches.append(e.source_schema ~ '.' ~ e.source_table) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if mismatches -%}
        {{ exceptions.raise_compiler_error("safeguard." ~ operation ~ ": restored " ~ mismatches | join(', ') ~ " but its checksum differs from the catalog's; inspect it before use") }}
    {%- endif -%}
    {{ return(steps) }}
{% endmacro %}
