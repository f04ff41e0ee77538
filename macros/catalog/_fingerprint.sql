{#- What "verified" means: a backup holds the same rows as its source.

    A fingerprint is {'row_count', 'checksum', 'method'}. The current method,
    `rowhash1`, covers exactly what a backup must equal: the non-generated
    columns (a copy writes those; the server recomputes generated ones). Per
    row it takes CRC32 over every such column, each as `<octet length>:<bytes>`
    (NULL as `-`, so NULL, '' and '-' differ, and the length fixes column
    boundaries), and sums them modulo 2^64: order does not matter and, unlike
    BIT_XOR, two equal rows do not cancel. CRC32 per row is what CHECKSUM
    TABLE itself sums, so it detects a changed row as surely; a 64-bit MD5
    per row cost up to 5x more at 1M rows (docs/benchmarks.md).
    CHECKSUM TABLE (`checksum_table`, what catalogs of older versions hold,
    fingerprint_method NULL) also reads STORED generated columns, and on
    MariaDB a faithful copy of such a table at ~1M rows checksums
    differently from its source (issue 16), so it is kept only to compare
    old rows with the method that made them. -#}
{% macro _fingerprint(schema, table, method='rowhash1') %}
    {{ return(adapter.dispatch('fingerprint', 'safeguard')(schema, table, method)) }}
{% endmacro %}

{% macro default__fingerprint(schema, table, method='rowhash1') %}
    {%- set relation = safeguard._quote_table(schema, table) -%}
    {%- if method == 'checksum_table' -%}
        {%- set row_count = run_query('select count(*) from ' ~ relation).rows[0][0] | int -%}
        {%- set checksum = run_query('checksum table ' ~ relation).rows[0][1] -%}
        {{ return({'row_count': row_count, 'checksum': none if checksum is none else checksum | int, 'method': method}) }}
    {%- elif method != 'rowhash1' -%}
        {{ exceptions.raise_compiler_error("safeguard: unknown fingerprint method '" ~ method ~ "' for " ~ schema ~ "." ~ table ~ "; known: rowhash1, checksum_table") }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for column in safeguard._stored_column_names(schema, table) -%}
        {%- set c = '`' ~ (column | replace('`', '``')) ~ '`' -%}
        {%- do parts.append("ifnull(concat(octet_length(" ~ c ~ "), ':', cast(" ~ c ~ " as binary)), '-')") -%}
    {%- endfor -%}
    {%- set sql -%}
        select count(*),
               coalesce(sum(crc32(concat_ws(0x1f, {{ parts | join(', ') }}))), 0) mod 18446744073709551616
        from {{ relation }}
    {%- endset -%}
    {%- set row = run_query(sql).rows[0] -%}
    {{ return({'row_count': row[0] | int, 'checksum': row[1] | int, 'method': method}) }}
{% endmacro %}


{#- The fingerprint a catalog row records, taking it now for a table
    model's kept table that was recorded without one (nobody writes a
    backup, so its fingerprint now is its fingerprint at the swap). -#}
{% macro _row_print(row) %}
    {%- if row.row_count is none and row.checksum is none and row.status == 'verified' -%}
        {%- set print = safeguard._fingerprint(row.backup_schema, row.backup_table) -%}
        {%- do safeguard._update_backup(row.backup_schema, row.backup_table, row.status, print, row.note) -%}
        {%- do row.update({'row_count': print.row_count, 'checksum': print.checksum, 'fingerprint_method': print.method}) -%}
    {%- endif -%}
    {{ return({'row_count': row.row_count, 'checksum': row.checksum, 'method': row.fingerprint_method or 'checksum_table'}) }}
{% endmacro %}


{#- Does schema.table hold what catalog row `row` recorded? Compared with
    the row's own method. Returns {'same': bool, 'print': the table's}. -#}
{% macro _matches_row(schema, table, row) %}
    {%- set unprinted = row.row_count is none and row.checksum is none -%}
    {%- set recorded = safeguard._row_print(row) -%}
    {%- if unprinted and schema == row.backup_schema and table == row.backup_table -%}
        {#- just taken from this very table -#}
        {{ return({'same': true, 'print': recorded}) }}
    {%- endif -%}
    {%- set print = safeguard._fingerprint(schema, table, recorded.method) -%}
    {{ return({'same': print.row_count == recorded.row_count and print.checksum == recorded.checksum, 'print': print}) }}
{% endmacro %}
