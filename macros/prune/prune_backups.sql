{#- on-run-start: "{{ safeguard.prune_backups() }}", or
    dbt run-operation prune_backups --args '{dry_run: true}'
    Drops backups older than retention_days, but always keeps the newest
    keep_last verified backups of each table. Drops only tables the catalog
    says safeguard created: a user table that merely looks like a backup is
    never touched. -#}
{% macro prune_backups(dry_run=false, retention_days=none, keep_last=none) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- if flags.WHICH != 'run-operation' and safeguard._settings_problems() -%}{{ return('') }}{%- endif -%}
    {%- if not safeguard._setting('enabled') -%}{{ return('') }}{%- endif -%}
    {%- if flags.WHICH != 'run-operation' and not safeguard._invocation_writes() -%}{{ return('') }}{%- endif -%}
    {%- set retention_days = safeguard._whole_number(retention_days, 'the retention_days argument') if retention_days is not none else safeguard._setting('retention_days') -%}
    {%- set keep_last = safeguard._whole_number(keep_last, 'the keep_last argument') if keep_last is not none else safeguard._setting('keep_last') -%}
    {%- if dry_run is not boolean -%}
        {{ exceptions.raise_compiler_error("safeguard.prune_backups: dry_run must be true or false, got '" ~ dry_run ~ "'") }}
    {%- endif -%}
    {%- if not safeguard._catalog_exists() -%}
        {%- do safeguard._log('SKIP', 'no backup catalog yet: nothing to prune') -%}
        {{ return('' if flags.WHICH != 'run-operation' else []) }}
    {%- endif -%}

    {%- if flags.WHICH != 'run-operation' and not safeguard._holds_lease() -%}
        {#- As a hook, prune only in a run whose create_backups succeeded. -#}
        {%- do safeguard._log('SKIP', 'prune_backups: this run holds no safeguard lease (see create_backups above)') -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not dry_run -%}
        {%- do safeguard._acquire_lock('prune_backups') -%}
        {%- do safeguard._refuse_if_leased('prune_backups') -%}
    {%- endif -%}

    {#- Plan -#}
    {%- set cutoff = (run_started_at - modules.datetime.timedelta(days=retention_days)).strftime('%Y%m%d_%H%M%S') -%}
    {%- set rows = safeguard._catalog_rows("status in ('verified', 'pending', 'failed')") -%}
    {%- set kept_per_table = {} -%}
    {%- set plan = [] -%}
    {%- for r in rows -%}
        {%- set source = r.source_schema ~ '.' ~ r.source_table -%}
        {%- set name = r.backup_schema ~ '.' ~ r.backup_table -%}
        {%- set newest = kept_per_table.get(source, 0) -%}
        {%- if r.kind == 'backup' and r.status == 'verified' and newest < keep_last -%}
            {%- do kept_per_table.update({source: newest + 1}) -%}
            {%- do safeguard._log('KEEP', name ~ ' (newest ' ~ keep_last ~ ' of ' ~ source ~ ')') -%}
        {%- elif r.backup_ts >= cutoff or r.invocation_id == invocation_id -%}
            {%- do safeguard._log('KEEP', name ~ ' (' ~ r.status ~ ', within ' ~ retention_days ~ ' days)') -%}
        {%- else -%}
            {%- do plan.append(r) -%}
        {%- endif -%}
    {%- endfor -%}

    {#- Act -#}
    {%- for r in plan -%}
        {%- set name = r.backup_schema ~ '.' ~ r.backup_table -%}
        {%- if dry_run -%}
            {%- do safeguard._log('PLAN', 'drop ' ~ name ~ ' (' ~ r.status ~ ' ' ~ r.kind ~ ' of ' ~ r.source_schema ~ '.' ~ r.source_table ~ ', ' ~ r.backup_ts ~ ')') -%}
        {%- else -%}
            {%- do safeguard._execute('drop table if exists ' ~ safeguard._quote_table(r.backup_schema, r.backup_table)) -%}
            {%- do safeguard._update_backup(r.backup_schema, r.backup_table, 'dropped', none, 'pruned by invocation ' ~ invocation_id) -%}
            {%- do safeguard._log('DROP', loop.index ~ ' of ' ~ plan | length ~ ' ' ~ name ~ ' (' ~ r.status ~ ' ' ~ r.kind ~ ', ' ~ r.backup_ts ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not dry_run -%}
        {%- do safeguard._release_lock() -%}
    {%- endif -%}
    {%- do safeguard._log('SUMMARY', ('would drop ' if dry_run else 'dropped ') ~ plan | length ~ ', kept ' ~ (rows | length - plan | length) ~ ' (retention ' ~ retention_days ~ ' days, keep_last ' ~ keep_last ~ ')') -%}
    {%- if flags.WHICH == 'run-operation' -%}
        {{ return(plan | map(attribute='backup_table') | list) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
