{#- Identifiers that reach SQL are plain names: letters, digits, _ and $,
    at most 64 characters (MySQL's limit). Anything else is refused, never
    quoted-and-hoped. Returns the value as a string. `macro` names the
    public macro whose argument this is, so the error starts with it. -#}
{% macro _validate_identifier(value, argument, macro=none) %}
    {%- set text = value | string -%}
    {%- if value is none or not modules.re.match('^[A-Za-z0-9_$]{1,64}$', text) -%}
        {{ exceptions.raise_compiler_error(safeguard._error_prefix(macro) ~ argument ~ " must be a plain name (letters, digits, _ or $, at most 64 characters), got '" ~ text ~ "'") }}
    {%- endif -%}
    {{ return(text) }}
{% endmacro %}


{#- 'schema.table' or 'table' -> {'schema': ... or none, 'table': ...} -#}
{% macro _parse_table_name(value, argument, macro=none) %}
    {%- if value is not string -%}
        {{ exceptions.raise_compiler_error(safeguard._error_prefix(macro) ~ argument ~ " must be a table name like silver.tenant_status_history, got '" ~ value ~ "'") }}
    {%- endif -%}
    {%- set parts = value | trim | replace('`', '') | string -%}
    {%- set parts = parts.split('.') -%}
    {%- if parts | length == 1 -%}
        {{ return({'schema': none, 'table': safeguard._validate_identifier(parts[0], argument, macro)}) }}
    {%- elif parts | length == 2 -%}
        {{ return({'schema': safeguard._validate_identifier(parts[0], argument, macro), 'table': safeguard._validate_identifier(parts[1], argument, macro)}) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(safeguard._error_prefix(macro) ~ argument ~ " must be schema.table or table, got '" ~ value ~ "'") }}
    {%- endif -%}
{% endmacro %}


{#- "safeguard.<macro>: " or "safeguard: " -#}
{% macro _error_prefix(macro=none) %}
    {{ return('safeguard.' ~ macro ~ ': ' if macro else 'safeguard: ') }}
{% endmacro %}


{% macro _quote_table(schema, table) -%}
    `{{ safeguard._validate_identifier(schema, 'schema') }}`.`{{ safeguard._validate_identifier(table, 'table') }}`
{%- endmacro %}


{#- A string literal for values we did not validate as names (messages). -#}
{% macro _sql_string(value) -%}
    {%- if value is none -%}null{%- else -%}'{{ value | string | replace("\\", "\\\\") | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}


{#- `{table}_{tag}_{YYYYMMDD_HHMMSS}`, or, when that would pass MySQL's 64
    character limit, the table name cut short plus 8 hex digits of its md5,
    so the name is deterministic and still unique per table. In a shared
    backup schema the source schema is part of the name. -#}
{% macro _backup_name(source_schema, source_table, backup_schema, tag, ts) %}
    {%- set base = source_table if backup_schema == source_schema else source_schema ~ '__' ~ source_table -%}
    {%- set suffix = '_' ~ tag ~ '_' ~ ts -%}
    {%- if (base ~ suffix) | length <= 64 -%}
        {{ return(base ~ suffix) }}
    {%- endif -%}
    {%- set keep = 64 - (suffix | length) - 9 -%}
    {{ return(base[:keep] ~ '_' ~ local_md5(base)[:8] ~ suffix) }}
{% endmacro %}


{#- The timestamp for a set of new backup (or replaced) tables: the first
    second, from `start` (UTC) on, at which none of their names exists as a
    table or in the catalog. Backup names carry seconds only, and two dbt
    invocations (a run and a restore, or `dbt seed` and `dbt run` from the
    driver) can start within the same second. One timestamp for the whole
    set keeps a set restorable by its ts.
    tables: [{'schema', 'table', 'backup_schema'}]. -#}
{% macro _free_ts(tables, tag, start) %}
    {%- for offset in range(120) -%}
        {%- set ts = (start + modules.datetime.timedelta(seconds=offset)).strftime('%Y%m%d_%H%M%S') -%}
        {%- set names = [] -%}
        {%- for t in tables -%}
            {%- do names.append(safeguard._sql_string(t.backup_schema ~ '.' ~ safeguard._backup_name(t.schema, t.table, t.backup_schema, tag, ts))) -%}
        {%- endfor -%}
        {%- if names | length == 0 -%}
            {{ return(ts) }}
        {%- endif -%}
        {%- set sql -%}
            select count(*) from information_schema.tables
            where concat(table_schema, '.', table_name) in ({{ names | join(', ') }})
        {%- endset -%}
        {%- set taken = run_query(sql).rows[0][0] | int -%}
        {%- if taken == 0 and safeguard._catalog_exists() -%}
            {%- set sql -%}
                select count(*) from {{ safeguard._catalog_table() }}
                where concat(backup_schema, '.', backup_table) in ({{ names | join(', ') }})
            {%- endset -%}
            {%- set taken = run_query(sql).rows[0][0] | int -%}
        {%- endif -%}
        {%- if taken == 0 -%}
            {{ return(ts) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("safeguard: no free " ~ tag ~ " name in the two minutes after " ~ start ~ "; nothing was changed") }}
{% endmacro %}


{#- The server's clock, UTC, to the second: backup and replaced-table
    timestamps come from it, never from the client (run_started_at is the
    client's clock, and a client clock days off would make a new backup
    look old to "latest" and to retention). -#}
{% macro _server_now() %}
    {%- set text = run_query("select date_format(utc_timestamp(), '%Y%m%d%H%i%s')").rows[0][0] -%}
    {{ return(modules.datetime.datetime.strptime(text | string, '%Y%m%d%H%M%S')) }}
{% endmacro %}


{#- Where this invocation's backup timestamps start, in server time: the
    timestamp of its first backup (so a table model kept at its swap joins
    the set create_backups copied), else the time its run lease was taken,
    else now. -#}
{% macro _run_ts_start() %}
    {%- if safeguard._catalog_exists() -%}
        {%- set sql -%}
            select min(backup_ts) from {{ safeguard._catalog_table() }}
            where invocation_id = {{ safeguard._sql_string(invocation_id) }} and kind = 'backup'
        {%- endset -%}
        {%- set first = run_query(sql).rows[0][0] -%}
        {%- if first is not none -%}
            {{ return(modules.datetime.datetime.strptime(first | string, '%Y%m%d_%H%M%S')) }}
        {%- endif -%}
        {%- set sql -%}
            select date_format(acquired_at, '%Y%m%d%H%i%s') from {{ safeguard._lease_table() }}
            where invocation_id = {{ safeguard._sql_string(invocation_id) }}
        {%- endset -%}
        {%- set leased = run_query(sql).rows -%}
        {%- if leased -%}
            {{ return(modules.datetime.datetime.strptime(leased[0][0] | string, '%Y%m%d%H%M%S')) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(safeguard._server_now()) }}
{% endmacro %}


{#- Accepts every way a user types a backup timestamp and returns the prefix
    to match catalog timestamps with: 'YYYYMMDD', 'YYYYMMDD_HHMM' or
    'YYYYMMDD_HHMMSS'. --args is YAML, so 20260206_070000 arrives as the
    integer 20260206070000 and 2026-02-06 07:00:00 as a datetime. -#}
{% macro _parse_ts(value, macro=none) %}
    {%- if value is none or (value is string and value | trim | lower in ['', 'latest']) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set raw = value | string | trim -%}
    {%- set pattern = '^(\\d{4})-?(\\d{2})-?(\\d{2})(?:[ _T-]?(\\d{2}):?(\\d{2})(?::?(\\d{2}))?(?:\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?$' -%}
    {%- set match = modules.re.match(pattern, raw) -%}
    {%- set problem = none -%}
    {%- if not match -%}
        {%- set problem = 'is not a timestamp' -%}
    {%- else -%}
        {%- set g = match.groups() -%}
        {%- if g[6] and g[6] not in ['Z', '+00:00', '+0000', '-00:00', '-0000'] -%}
            {%- set problem = 'has a time zone other than UTC (backup timestamps are UTC)' -%}
        {%- elif not (1 <= g[1] | int <= 12 and 1 <= g[2] | int <= 31) -%}
            {%- set problem = 'is not a valid date' -%}
        {%- elif g[3] and not (g[3] | int < 24 and g[4] | int < 60 and (g[5] or '0') | int < 60) -%}
            {%- set problem = 'is not a valid time' -%}
        {%- endif -%}
    {%- endif -%}
    {%- if problem -%}
        {{ exceptions.raise_compiler_error(safeguard._error_prefix(macro) ~ "ts '" ~ raw ~ "' " ~ problem ~ "; use YYYYMMDD_HHMMSS (UTC), e.g. ts: '20260206_070000', or a date like 2026-02-06") }}
    {%- endif -%}
    {%- set prefix = g[0] ~ g[1] ~ g[2] -%}
    {%- if g[3] -%}
        {%- set prefix = prefix ~ '_' ~ g[3] ~ g[4] ~ (g[5] or '') -%}
    {%- endif -%}
    {{ return(prefix) }}
{% endmacro %}
