{% macro _catalog_table() %}
    {{ return(safeguard._quote_table(safeguard._catalog_schema(), 'safeguard_backups')) }}
{% endmacro %}


{% macro _lease_table() %}
    {{ return(safeguard._quote_table(safeguard._catalog_schema(), 'safeguard_run_lease')) }}
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


{#- CREATE ... IF NOT EXISTS is valid on MySQL 8 and MariaDB alike. -#}
{% macro _ensure_catalog() %}
    {%- set schema = safeguard._catalog_schema() -%}
    {%- do safeguard._execute('create schema if not exists `' ~ schema ~ '`') -%}
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
{% endmacro %}


{#- Catalog rows as dicts, newest first. `where` is SQL built only from
    validated names by the callers. -#}
{% macro _catalog_rows(where='1 = 1') %}
    {%- if not safeguard._catalog_exists() -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set sql -%}
        select backup_id, backup_ts, invocation_id, kind, source_schema, source_table,
               backup_schema, backup_table, row_count, checksum, status, note
        from {{ safeguard._catalog_table() }}
        where {{ where }}
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
        }) -%}
    {%- endfor -%}
    {{ return(rows) }}
{% endmacro %}


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
    {%- do safeguard._commit() -%}
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
