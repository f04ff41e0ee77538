{#- The one rollback classifier, shared by finish_run (a run that ended)
    and recover_run (a run that was killed): which of `owner`'s verified
    backups must go back. A protected table is rolled back when its node
    did not succeed (an error, a failed hook, a cancelled or never-run
    thread) and it changed since its backup; a table whose node is not in
    this invocation's graph selection follows the run's overall outcome.
    `results`: dbt's on-run-end results; none for a killed run, which
    counts as failed: every table that changed since its backup goes back.
    Returns {'to_restore': entries, 'live_prints': fingerprints taken}. -#}
{% macro _rollback_plan(owner, results=none) %}
    {#- The status of each table a node of this run built, by `schema.table`,
        from the results themselves: on `dbt retry` selected_resources is empty. -#}
    {%- set status_by_table = {} -%}
    {%- set ns = namespace(run_failed=results is none) -%}
    {%- for result in results or [] -%}
        {#- A failed on-run-start hook adds a result with no node. -#}
        {%- if result.node is defined and result.node and result.node.resource_type in ['model', 'seed', 'snapshot'] -%}
            {%- do status_by_table.update({result.node.schema ~ '.' ~ (result.node.alias or result.node.name): result.status | string}) -%}
        {%- endif -%}
        {%- if result.status | string in ['error', 'fail', 'runtime error'] -%}
            {%- set ns.run_failed = true -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set graph_tables = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'snapshot'] -%}
        {%- do graph_tables.append(node.schema ~ '.' ~ (node.alias or node.name)) -%}
    {%- endfor -%}
    {%- set to_restore = [] -%}
    {%- set live_prints = {} -%}
    {%- for entry in safeguard._catalog_rows({'kind': 'backup', 'status': 'verified', 'invocation_id': owner}) -%}
        {%- set name = entry.source_schema ~ '.' ~ entry.source_table -%}
        {%- if results is none -%}
            {%- set status = 'killed' -%}
        {%- elif name in graph_tables -%}
            {%- set status = status_by_table.get(name, 'not run') -%}
        {%- else -%}
            {#- not a dbt table (safeguard_extra_tables): as the run went -#}
            {%- set status = 'error' if ns.run_failed else 'success' -%}
        {%- endif -%}
        {%- if status in ['success', 'pass'] -%}
            {#- built successfully, or (not a dbt table) the run succeeded -#}
        {%- elif not safeguard._table_exists(entry.source_schema, entry.source_table) -%}
            {%- do safeguard._log('ROLLBACK', name ~ ' (' ~ status ~ ') is missing') -%}
            {%- do to_restore.append(entry) -%}
        {%- else -%}
            {%- set compared = safeguard._matches_row(entry.source_schema, entry.source_table, entry) -%}
            {%- set live_print = compared.print -%}
            {%- if compared.same -%}
                {%- do safeguard._log('KEEP', name ~ ' (' ~ status ~ ') is unchanged since its backup') -%}
            {%- else -%}
                {%- do safeguard._log('ROLLBACK', name ~ ' (' ~ status ~ ') changed during the run') -%}
                {%- do live_prints.update({name: live_print}) -%}
                {%- do to_restore.append(entry) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'to_restore': to_restore, 'live_prints': live_prints}) }}
{% endmacro %}
