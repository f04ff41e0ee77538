{#- The restore plan for catalog entries: one RENAME TABLE that moves each
    live table aside (kept as a `replaced` entry) and each backup into place.
    RENAME of several tables is one atomic statement, so there is never a
    moment without the table and never a half-restored set. -#}
{% macro _swap_plan(entries) %}
    {%- set live = [] -%}
    {%- for entry in entries if safeguard._table_exists(entry.source_schema, entry.source_table) -%}
        {%- do live.append({'schema': entry.source_schema, 'table': entry.source_table, 'backup_schema': safeguard._backup_schema_for(entry.source_schema)}) -%}
    {%- endfor -%}
    {%- set ts = safeguard._free_ts(live, 'replaced', modules.datetime.datetime.utcnow()) -%}
    {%- set steps = [] -%}
    {%- for entry in entries -%}
        {%- set live_exists = safeguard._table_exists(entry.source_schema, entry.source_table) -%}
        {%- set replaced_schema = safeguard._backup_schema_for(entry.source_schema) -%}
        {%- do steps.append({
            'entry': entry,
            'live_exists': live_exists,
            'replaced': {
                'backup_ts': ts, 'kind': 'replaced',
                'source_schema': entry.source_schema, 'source_table': entry.source_table,
                'backup_schema': replaced_schema,
                'backup_table': safeguard._backup_name(entry.source_schema, entry.source_table, replaced_schema, 'replaced', ts),
            } if live_exists else none,
        }) -%}
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


{#- Logs the plan; with execute_it, swaps, records and verifies. Call with
    the named lock held. Returns the steps with before/after row counts. -#}
{% macro _run_swap(steps, operation, dry_run) %}
    {%- for step in steps -%}
        {%- set e = step.entry -%}
        {%- set live = e.source_schema ~ '.' ~ e.source_table -%}
        {%- set live_rows = safeguard._fingerprint(e.source_schema, e.source_table).row_count if step.live_exists else none -%}
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

    {%- set replaced_prints = {} -%}
    {%- for step in steps if step.live_exists -%}
        {%- do replaced_prints.update({step.replaced.backup_table: safeguard._fingerprint(step.entry.source_schema, step.entry.source_table)}) -%}
        {%- if safeguard._table_exists(step.replaced.backup_schema, step.replaced.backup_table) -%}
            {{ exceptions.raise_compiler_error("safeguard." ~ operation ~ ": " ~ step.replaced.backup_schema ~ "." ~ step.replaced.backup_table ~ " already exists; nothing was changed; retry in a second") }}
        {%- endif -%}
    {%- endfor -%}
    {%- do safeguard._execute(safeguard._swap_statement(steps)) -%}

    {%- set mismatches = [] -%}
    {%- for step in steps -%}
        {%- set e = step.entry -%}
        {%- do safeguard._update_backup(e.backup_schema, e.backup_table, 'restored', none, operation ~ ' by invocation ' ~ invocation_id) -%}
        {%- if step.live_exists -%}
            {%- do safeguard._record_backup(step.replaced, 'verified', replaced_prints[step.replaced.backup_table], 'live table before ' ~ operation ~ ' of ' ~ e.backup_ts) -%}
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
