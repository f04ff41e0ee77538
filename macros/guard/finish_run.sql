{#- on-run-end: "{{ safeguard.finish_run(results) }}"
    Rolls back every protected table that this run changed but did not
    build successfully (an error, a failed post-hook, a cancelled thread),
    from the backup taken at the start of the run, then gives back the run
    lease. on-run-end still runs after --fail-fast. -#}
{% macro finish_run(results) %}
    {%- set gate = safeguard._hook_preamble() -%}
    {%- if gate.problems -%}
        {%- do safeguard._log('SKIP', 'finish_run: the safeguard settings are invalid (see create_backups above); nothing to roll back') -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not gate.act -%}{{ return('') }}{%- endif -%}
    {%- if not safeguard._holds_lease() -%}
        {%- do safeguard._log('SKIP', 'this run holds no safeguard lease: nothing to roll back or release') -%}
        {{ return('') }}
    {%- endif -%}

    {#- The status of each table a node of this run built, by `schema.table`,
        from the results themselves: on `dbt retry` selected_resources is empty. -#}
    {%- set status_by_table = {} -%}
    {%- set ns = namespace(run_failed=false) -%}
    {%- for result in results or [] -%}
        {#- A failed on-run-start hook adds a result with no node. -#}
        {%- if result.node is defined and result.node and result.node.resource_type in ['model', 'seed', 'snapshot'] -%}
            {%- do status_by_table.update({result.node.schema ~ '.' ~ (result.node.alias or result.node.name): result.status | string}) -%}
        {%- endif -%}
        {%- if result.status | string in ['error', 'fail', 'runtime error'] -%}
            {%- set ns.run_failed = true -%}
        {%- endif -%}
    {%- endfor -%}

    {#- Plan: which of this run's backups must go back. -#}
    {%- set graph_tables = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'snapshot'] -%}
        {%- do graph_tables.append(node.schema ~ '.' ~ (node.alias or node.name)) -%}
    {%- endfor -%}
    {%- set to_restore = [] -%}
    {%- set live_prints = {} -%}
    {%- if safeguard._setting('rollback_failed') -%}
        {%- for entry in safeguard._catalog_rows("kind = 'backup' and status = 'verified' and invocation_id = " ~ safeguard._sql_string(invocation_id)) -%}
            {%- set name = entry.source_schema ~ '.' ~ entry.source_table -%}
            {%- set status = status_by_table.get(name, 'not run') if name in graph_tables else ('error' if ns.run_failed else 'success') -%}
            {%- if status in ['success', 'pass'] -%}
                {#- built successfully, or (not a dbt table) the run succeeded -#}
            {%- elif not safeguard._table_exists(entry.source_schema, entry.source_table) -%}
                {%- do to_restore.append(entry) -%}
            {%- else -%}
                {%- set live_print = safeguard._fingerprint(entry.source_schema, entry.source_table) -%}
                {%- if live_print == {'row_count': entry.row_count, 'checksum': entry.checksum} -%}
                    {%- do safeguard._log('KEEP', name ~ ' (' ~ status ~ ') is unchanged since its backup') -%}
                {%- else -%}
                    {%- do safeguard._log('ROLLBACK', name ~ ' (' ~ status ~ ') changed during the run') -%}
                    {%- do live_prints.update({name: live_print}) -%}
                    {%- do to_restore.append(entry) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}

    {#- Act -#}
    {%- if to_restore -%}
        {%- do safeguard._acquire_lock('finish_run') -%}
        {%- do safeguard._run_swap(safeguard._swap_plan(to_restore, live_prints), 'finish_run', false) -%}
        {%- do safeguard._release_lock() -%}
    {%- endif -%}
    {%- do safeguard._give_back_lease() -%}
    {%- do safeguard._log('SUMMARY', 'rolled back ' ~ to_restore | length ~ ' table(s); run lease released') -%}
    {{ return('') }}
{% endmacro %}
