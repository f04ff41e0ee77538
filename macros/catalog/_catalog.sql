{% macro _catalog_table() %}
    {{ return(safeguard._quote_table(safeguard._catalog_schema(), 'safeguard_backups')) }}
{% endmacro %}


{% macro _table_exists(schema, table) %}
    {%- set sql -%}
        select count(*) from information_schema.tables
        where table_schema = {{ safeguard._sql_string(schema) }}
          and table_name = {{ safeguard._sql_string(table) }}
          and table_type = 'BASE TABLE'
    {%- endset -%}
    {{ return(run_query(sql).rows[0][0] | int > 0) }}
{% endmacro %}


{% macro _catalog_exists() %}
    {{ return(safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_backups')) }}
{% endmacro %}


{#- The catalog tables, and the columns later versions added:
    - safeguard_backups: one row per backup (or replaced) table. status is
      pending (being copied), verified (exists and matches), failed,
      planned (a swap is about to create it), restored, missing, dropped.
      foreign_keys: the source's own FK definitions as JSON (a copy made
      with CREATE TABLE ... LIKE has none). pinned: prune never drops it.
    - safeguard_journal: a swap's intent, written before its RENAME, so a
      crash between the RENAME and the catalog writes is reconciled.
    - safeguard_connections: the connection ids an invocation used, so a
      killed run's statements can be found and ended, and, under
      `safeguard etl`, the ETL lock that owns the invocation (its lease
      is alive exactly while that lock is held; macros/locking).
    - safeguard_run_lease: see macros/locking.
    - safeguard_audits: one row per check of each audited build of a
      protected model (macros/audit): its numbers, and the build's verdict,
      published, refused or allowed. The latest published or allowed row of
      a model is also the record of its materialization and relation, which
      the next build's audit compares with.
    CREATE ... IF NOT EXISTS is valid on MySQL 8 and MariaDB alike. -#}
{% macro _ensure_catalog() %}
    {%- set schema = safeguard._catalog_schema() -%}
    {%- do safeguard._ensure_schema(schema) -%}
    {%- set sql -%}
        create table if not exists {{ safeguard._catalog_table() }} (
            backup_id bigint unsigned not null auto_increment,
            backup_ts char(15) not null,
            invocation_id varchar(64) not null,
            kind varchar(16) not null,
            source_schema varchar(64) not null,
            source_table varchar(64) not null,
            backup_schema varchar(64) not null,
            backup_table varchar(64) not null,
            row_count bigint null,
            checksum bigint unsigned null,
            status varchar(16) not null,
            created_at datetime not null,
            updated_at datetime not null,
            note varchar(512) null,
            foreign_keys text null,
            pinned tinyint not null default 0,
            primary key (backup_id),
            unique key uq_safeguard_backup_table (backup_schema, backup_table),
            key ix_safeguard_source (source_schema, source_table, backup_ts)
        ) engine = InnoDB
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- set sql -%}
        create table if not exists {{ safeguard._lease_table() }} (
            lease_name varchar(64) not null,
            invocation_id varchar(64) not null,
            command varchar(32) not null,
            acquired_at datetime not null,
            primary key (lease_name)
        ) engine = InnoDB
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- set sql -%}
        create table if not exists {{ safeguard._journal_table() }} (
            journal_id bigint unsigned not null auto_increment,
            invocation_id varchar(64) not null,
            operation varchar(32) not null,
            connection_id bigint unsigned not null,
            swap_statement text not null,
            probe_schema varchar(64) not null,
            probe_table varchar(64) not null,
            restored_ids varchar(2048) not null,
            replaced_ids varchar(2048) not null,
            status varchar(16) not null,
            created_at datetime not null,
            updated_at datetime not null,
            primary key (journal_id),
            key ix_safeguard_journal_status (status)
        ) engine = InnoDB
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- set sql -%}
        create table if not exists {{ safeguard._connections_table() }} (
            invocation_id varchar(64) not null,
            connection_id bigint unsigned not null,
            etl_lock varchar(64) null,
            etl_connection_id bigint unsigned null,
            recorded_at datetime not null,
            primary key (invocation_id, connection_id),
            key ix_safeguard_connection (connection_id)
        ) engine = InnoDB
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- set sql -%}
        create table if not exists {{ safeguard._audits_table() }} (
            audit_id bigint unsigned not null auto_increment,
            invocation_id varchar(64) not null,
            command varchar(32) not null,
            model_unique_id varchar(512) not null,
            source_schema varchar(64) not null,
            source_table varchar(64) not null,
            materialized varchar(32) not null,
            previous_materialized varchar(32) null,
            check_name varchar(255) not null,
            passed tinyint not null,
            verdict varchar(16) not null,
            rows_before bigint null,
            rows_after bigint null,
            detail varchar(1024) null,
            candidate_schema varchar(64) null,
            candidate_table varchar(64) null,
            allowed_by varchar(255) null,
            created_at datetime(6) not null,
            primary key (audit_id),
            key ix_safeguard_audit_model (model_unique_id(191), audit_id),
            key ix_safeguard_audit_invocation (invocation_id)
        ) engine = InnoDB
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- do safeguard._migrate_catalog() -%}
    {%- do safeguard._commit() -%}
{% endmacro %}


{#- Catalogs made by older versions lack later columns: add them, with a
    bounded metadata-lock wait (a reader of the catalog must not hang it). -#}
{% macro _migrate_catalog() %}
    {%- set schema = safeguard._catalog_schema() -%}
    {%- set wanted = [
        ('safeguard_backups', 'foreign_keys', 'text null'),
        ('safeguard_backups', 'pinned', 'tinyint not null default 0'),
    ] -%}
    {%- set sql -%}
        select table_name, column_name from information_schema.columns
        where table_schema = {{ safeguard._sql_string(schema) }}
          and table_name in ('safeguard_backups', 'safeguard_run_lease')
    {%- endset -%}
    {%- set have = [] -%}
    {%- for row in run_query(sql).rows -%}{%- do have.append(row[0] ~ '.' ~ row[1]) -%}{%- endfor -%}
    {%- for table, column, definition in wanted if (table ~ '.' ~ column) not in have -%}
        {%- do safeguard._run_ddl_bounded('alter table ' ~ safeguard._quote_table(schema, table) ~ ' add column `' ~ column ~ '` ' ~ definition, 'catalog migration') -%}
        {%- do safeguard._log('MIGRATE', schema ~ '.' ~ table ~ ': added column ' ~ column) -%}
    {%- endfor -%}
{% endmacro %}


{% macro _audits_table() %}
    {{ return(safeguard._quote_table(safeguard._catalog_schema(), 'safeguard_audits')) }}
{% endmacro %}


{% macro _journal_table() %}
    {{ return(safeguard._quote_table(safeguard._catalog_schema(), 'safeguard_journal')) }}
{% endmacro %}


{% macro _connections_table() %}
    {{ return(safeguard._quote_table(safeguard._catalog_schema(), 'safeguard_connections')) }}
{% endmacro %}


{#- Catalog rows as dicts, newest first. `filters` maps a column to a value
    (column = value) or a list of values (column in (...)); a key ending in
    `__not` excludes the value(s). Every value is quoted here, so no caller
    builds SQL. -#}
{% macro _catalog_rows(filters={}) %}
    {%- if not safeguard._catalog_exists() -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set columns = ['backup_id', 'backup_ts', 'invocation_id', 'kind', 'source_schema', 'source_table',
                       'backup_schema', 'backup_table', 'status', 'pinned'] -%}
    {%- set conditions = ['1 = 1'] -%}
    {%- if filters is not mapping -%}
        {{ exceptions.raise_compiler_error("safeguard: catalog filters are a mapping of column to value(s), got '" ~ filters ~ "'") }}
    {%- endif -%}
    {%- for key, value in filters.items() -%}
        {%- set column = key[:-5] if key.endswith('__not') else key -%}
        {%- if column not in columns -%}
            {{ exceptions.raise_compiler_error("safeguard: cannot filter the catalog on '" ~ key ~ "'; known: " ~ columns | join(', ')) }}
        {%- endif -%}
        {%- set values = value if (value is iterable and value is not string) else [value] -%}
        {%- set quoted = [] -%}
        {%- for v in values -%}{%- do quoted.append(safeguard._sql_string(v)) -%}{%- endfor -%}
        {%- do conditions.append('`' ~ column ~ '` ' ~ ('not in' if key.endswith('__not') else 'in') ~ ' (' ~ (quoted | join(', ') or 'null') ~ ')') -%}
    {%- endfor -%}
    {%- set sql -%}
        select backup_id, backup_ts, invocation_id, kind, source_schema, source_table,
               backup_schema, backup_table, row_count, checksum, status, note, foreign_keys, pinned
        from {{ safeguard._catalog_table() }}
        where {{ conditions | join(' and ') }}
        order by backup_ts desc, backup_id desc
    {%- endset -%}
    {%- set rows = [] -%}
    {%- for row in run_query(sql).rows -%}
        {%- do rows.append({
            'backup_id': row[0] | int,
            'backup_ts': row[1],
            'invocation_id': row[2],
            'kind': row[3],
            'source_schema': row[4],
            'source_table': row[5],
            'backup_schema': row[6],
            'backup_table': row[7],
            'row_count': none if row[8] is none else row[8] | int,
            'checksum': none if row[9] is none else row[9] | int,
            'status': row[10],
            'note': row[11],
            'foreign_keys': row[12],
            'pinned': (row[13] or 0) | int == 1,
        }) -%}
    {%- endfor -%}
    {{ return(rows) }}
{% endmacro %}


{#- Inserts one catalog row and commits; returns its backup_id. `entry`
    may carry `foreign_keys` (JSON text) and `pinned` (boolean). -#}
{% macro _record_backup(entry, status, fingerprint=none, note=none) %}
    {%- set sql -%}
        insert into {{ safeguard._catalog_table() }}
            (backup_ts, invocation_id, kind, source_schema, source_table, backup_schema, backup_table,
             row_count, checksum, status, created_at, updated_at, note, foreign_keys, pinned)
        values (
            {{ safeguard._sql_string(entry.backup_ts) }}, {{ safeguard._sql_string(invocation_id) }},
            {{ safeguard._sql_string(entry.kind) }},
            {{ safeguard._sql_string(entry.source_schema) }}, {{ safeguard._sql_string(entry.source_table) }},
            {{ safeguard._sql_string(entry.backup_schema) }}, {{ safeguard._sql_string(entry.backup_table) }},
            {{ fingerprint.row_count if fingerprint else 'null' }}, {{ fingerprint.checksum if fingerprint and fingerprint.checksum is not none else 'null' }},
            {{ safeguard._sql_string(status) }}, utc_timestamp(), utc_timestamp(), {{ safeguard._sql_string(note) }},
            {{ safeguard._sql_string(entry.get('foreign_keys')) }}, {{ 1 if entry.get('pinned') else 0 }}
        )
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- set backup_id = run_query('select last_insert_id()').rows[0][0] | int -%}
    {%- do safeguard._commit() -%}
    {{ return(backup_id) }}
{% endmacro %}


{% macro _update_backup(backup_schema, backup_table, status, fingerprint=none, note=none) %}
    {%- set sql -%}
        update {{ safeguard._catalog_table() }}
        set status = {{ safeguard._sql_string(status) }},
            {%- if fingerprint %}
            row_count = {{ fingerprint.row_count }},
            checksum = {{ fingerprint.checksum if fingerprint.checksum is not none else 'null' }},
            {%- endif %}
            note = {{ safeguard._sql_string(note) }},
            updated_at = utc_timestamp()
        where backup_schema = {{ safeguard._sql_string(backup_schema) }}
          and backup_table = {{ safeguard._sql_string(backup_table) }}
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- do safeguard._commit() -%}
{% endmacro %}


{#- Row count and CHECKSUM TABLE of one table: what "verified" means. -#}
{% macro _fingerprint(schema, table) %}
    {{ return(adapter.dispatch('fingerprint', 'safeguard')(schema, table)) }}
{% endmacro %}

{% macro default__fingerprint(schema, table) %}
    {%- set relation = safeguard._quote_table(schema, table) -%}
    {%- set row_count = run_query('select count(*) from ' ~ relation).rows[0][0] | int -%}
    {%- set checksum = run_query('checksum table ' ~ relation).rows[0][1] -%}
    {{ return({'row_count': row_count, 'checksum': none if checksum is none else checksum | int}) }}
{% endmacro %}


{#- CREATE SCHEMA IF NOT EXISTS takes an exclusive metadata lock on the
    schema even when it exists: it waits behind every CREATE TABLE ... AS
    SELECT running there (for lock_wait_timeout, a day on MariaDB) and makes
    new ones queue behind it. So it runs only when the schema is missing. -#}
{% macro _ensure_schema(schema) %}
    {%- set sql -%}
        select count(*) from information_schema.schemata
        where schema_name = {{ safeguard._sql_string(schema) }}
    {%- endset -%}
    {%- if run_query(sql).rows[0][0] | int == 0 -%}
        {%- do safeguard._execute('create schema if not exists `' ~ safeguard._validate_identifier(schema, 'schema') ~ '`') -%}
    {%- endif -%}
{% endmacro %}

