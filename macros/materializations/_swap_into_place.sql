{#- Puts a table model's freshly built `__dbt_tmp` in place with ONE
    statement, so the table is never missing (dbt's own table
    materialization uses two RENAMEs, and readers get error 1146 between
    them). `RENAME TABLE t TO kept, t__dbt_tmp TO t` is atomic.
    - keep_backup: the old table is the backup of this run. Its catalog row
      is written `planned` before the RENAME (intent; reconciled after a crash), and `verified` after,
      with no fingerprint: nobody writes the old table any more, so it is
      read only when a rollback or restore needs it (_row_print), and the
      backup stays O(1) in server work.
    - otherwise the old table goes to `t__dbt_backup` and is dropped.
    Returns the relation that now holds the old table, or none. -#}
{% macro _swap_into_place(existing_relation, intermediate_relation, target_relation, keep_backup) %}
    {%- set target = safeguard._quote_table(target_relation.schema, target_relation.identifier) -%}
    {%- set built = safeguard._quote_table(intermediate_relation.schema, intermediate_relation.identifier) -%}
    {%- if existing_relation is none -%}
        {%- do safeguard._run_ddl_bounded('rename table ' ~ built ~ ' to ' ~ target, 'swap of ' ~ target_relation) -%}
        {%- do adapter.cache_added(target_relation) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if keep_backup -%}
        {%- set schema = target_relation.schema -%}
        {%- set table = target_relation.identifier -%}
        {%- set planned = safeguard._backup_entry(schema, table, 'x') -%}
        {%- set ts = safeguard._free_ts([{'schema': schema, 'table': table, 'backup_schema': planned.backup_schema}], 'backup', safeguard._run_ts_start()) -%}
        {%- set entry = safeguard._backup_entry(schema, table, ts) -%}
        {%- do entry.update({'foreign_keys': safeguard._foreign_keys_json(schema, table)}) -%}
        {%- do safeguard._ensure_schema(entry.backup_schema) -%}
        {%- do safeguard._record_backup(entry, 'planned', none, 'kept at the swap of the table model') -%}
        {%- set kept = api.Relation.create(schema=entry.backup_schema, identifier=entry.backup_table, type='table') -%}
    {%- else -%}
        {%- set kept = make_backup_relation(target_relation, existing_relation.type) -%}
        {%- do adapter.drop_relation(kept) -%}
    {%- endif -%}
    {%- do safeguard._run_ddl_bounded('rename table ' ~ target ~ ' to ' ~ safeguard._quote_table(kept.schema, kept.identifier) ~ ', ' ~ built ~ ' to ' ~ target, 'swap of ' ~ target_relation) -%}
    {%- do adapter.cache_dropped(existing_relation) -%}
    {%- do adapter.cache_added(target_relation) -%}
    {%- if keep_backup -%}
        {%- do safeguard._update_backup(kept.schema, kept.identifier, 'verified', none, 'kept at the swap of the table model') -%}
        {%- do safeguard._log('BACKUP', target_relation.schema ~ '.' ~ target_relation.identifier ~ ' -> ' ~ kept.schema ~ '.' ~ kept.identifier ~ ' (the pre-run table kept at the swap; fingerprinted when a restore needs it)') -%}
    {%- endif -%}
    {{ return(kept) }}
{% endmacro %}
