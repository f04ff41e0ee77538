{#- dbt run-operation recover_run [--args '{invocation_id: ..., dry_run: true}']
    Recovers a run that was killed (SIGKILL, a job timeout) before its
    on-run-end, exactly as its finish_run would have: ends the statements
    it left running on the server, reconciles the catalog, rolls back every
    protected table that changed since that run's backups, drops its
    leftover `__dbt_tmp` tables and gives back its lease.

    Without invocation_id it recovers every run that is dead by
    _invocation_alive's rule: one started by `safeguard etl` whose ETL lock
    is gone, or a plain dbt run whose heartbeat is older than
    safeguard_heartbeat_grace_seconds with no statement running. A run
    that may be alive is never taken over. -#}
{% macro recover_run(invocation_id=none, dry_run=false) %}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- if invocation_id is not none and not modules.re.match('^[0-9a-fA-F-]{8,64}$', invocation_id | string) -%}
        {{ exceptions.raise_compiler_error("safeguard.recover_run: invocation_id must be a dbt invocation id like 1c0f...-... (see the error that refused your run), got '" ~ invocation_id ~ "'") }}
    {%- endif -%}
    {%- if dry_run is not boolean -%}
        {{ exceptions.raise_compiler_error("safeguard.recover_run: dry_run must be true or false, got '" ~ dry_run ~ "'") }}
    {%- endif -%}
    {%- if not safeguard._catalog_exists() -%}
        {%- do safeguard._log('SKIP', 'recover_run: no backup catalog yet: nothing to recover') -%}
        {{ return([]) }}
    {%- endif -%}
    {%- do safeguard._ensure_catalog() -%}

    {#- Plan: which runs, and are they dead? -#}
    {%- set targets = safeguard._runs_to_recover(invocation_id | string if invocation_id is not none else none) -%}
    {%- if not targets -%}
        {%- do safeguard._log('SUMMARY', 'recover_run: no interrupted run to recover') -%}
        {{ return([]) }}
    {%- endif -%}

    {#- Act: first end what the dead runs left running (it may hold the
        named lock, or metadata locks the rollback needs). -#}
    {%- for owner in targets -%}
        {%- do safeguard._end_statements_of(owner, dry_run) -%}
    {%- endfor -%}
    {%- if not dry_run -%}
        {%- do safeguard._acquire_lock('recover_run') -%}
        {%- set lease = safeguard._foreign_lease() -%}
        {%- if lease is not none and lease.invocation_id not in targets -%}
            {{ exceptions.raise_compiler_error("safeguard.recover_run: " ~ safeguard._describe_lease(lease) ~ "; nothing was changed") }}
        {%- endif -%}
        {%- do safeguard._reconcile_catalog('recover_run') -%}
    {%- endif -%}
    {%- set recovered = [] -%}
    {%- for owner in targets -%}
        {%- set plan = safeguard._rollback_plan(owner, none) -%}
        {%- if plan.to_restore -%}
            {%- do safeguard._run_swap(safeguard._swap_plan(plan.to_restore, plan.live_prints), 'recover_run', dry_run) -%}
        {%- endif -%}
        {%- if not dry_run -%}
            {%- do safeguard._give_back_lease(owner) -%}
        {%- endif -%}
        {%- set rolled_back = [] -%}
        {%- for e in plan.to_restore -%}{%- do rolled_back.append(e.source_schema ~ '.' ~ e.source_table) -%}{%- endfor -%}
        {%- do recovered.append({'invocation_id': owner, 'rolled_back': rolled_back}) -%}
        {%- do safeguard._log('PLAN' if dry_run else 'RECOVER', 'invocation ' ~ owner ~ ': ' ~ plan.to_restore | length ~ ' table(s) rolled back' ~ (' (dry run)' if dry_run else '') ~ ', lease released') -%}
    {%- endfor -%}
    {%- set leftovers = safeguard._drop_leftover_tmp_tables(dry_run) -%}
    {%- if not dry_run -%}
        {%- do safeguard._release_lock() -%}
    {%- endif -%}
    {%- do safeguard._log('SUMMARY', ('would recover ' if dry_run else 'recovered ') ~ recovered | length ~ ' run(s): ' ~ targets | join(', ') ~ '; ' ~ leftovers | length ~ ' leftover __dbt_tmp table(s) ' ~ ('to drop' if dry_run else 'dropped')) -%}
    {{ return(recovered) }}
{% endmacro %}
