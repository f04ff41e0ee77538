{#- The runs recover_run acts on: the one named (refused unless it is dead
    by _invocation_alive's rule), or every run holding a lease or recorded
    in safeguard_connections that is dead by it. -#}
{% macro _runs_to_recover(named) %}
    {%- if named is not none -%}
        {%- if named == invocation_id -%}
            {{ exceptions.raise_compiler_error("safeguard.recover_run: " ~ named ~ " is this invocation; name the run that was killed") }}
        {%- endif -%}
        {%- set known = run_query('select count(*) from ' ~ safeguard._lease_table() ~ ' where invocation_id = ' ~ safeguard._sql_string(named)).rows[0][0] | int
            + run_query('select count(*) from ' ~ safeguard._connections_table() ~ ' where invocation_id = ' ~ safeguard._sql_string(named)).rows[0][0] | int -%}
        {%- if known == 0 -%}
            {{ exceptions.raise_compiler_error("safeguard.recover_run: invocation " ~ named ~ " holds no lease and left no trace in " ~ safeguard._catalog_schema() ~ "; nothing to recover, nothing was changed") }}
        {%- endif -%}
        {%- set life = safeguard._invocation_alive(named) -%}
        {%- if life.alive -%}
            {{ exceptions.raise_compiler_error("safeguard.recover_run: invocation " ~ named ~ " may be alive (" ~ life.why ~ "); a live run is never taken over; nothing was changed") }}
        {%- endif -%}
        {%- do safeguard._log('RECOVER', 'invocation ' ~ named ~ ' was killed (' ~ life.why ~ ')') -%}
        {{ return([named]) }}
    {%- endif -%}
    {%- set sql -%}
        select invocation_id from {{ safeguard._lease_table() }} where invocation_id <> {{ safeguard._sql_string(invocation_id) }}
        union
        select invocation_id from {{ safeguard._connections_table() }} where invocation_id <> {{ safeguard._sql_string(invocation_id) }}
    {%- endset -%}
    {%- set targets = [] -%}
    {%- for row in run_query(sql).rows -%}
        {%- set life = safeguard._invocation_alive(row[0]) -%}
        {%- if life.alive -%}
            {%- do safeguard._log('SKIP', 'invocation ' ~ row[0] ~ ' may be alive (' ~ life.why ~ '): never taken over') -%}
        {%- else -%}
            {%- do safeguard._log('RECOVER', 'invocation ' ~ row[0] ~ ' was killed (' ~ life.why ~ ')') -%}
            {%- do targets.append(row[0]) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(targets) }}
{% endmacro %}


{#- A SIGKILLed client's statement keeps running server-side, holding its
    locks (a copy, an UPDATE, a CREATE TABLE ... AS SELECT). KILL the
    connections the dead run recorded: the statement stops and its
    transaction rolls back. Then wait, bounded, until they are gone. -#}
{% macro _end_statements_of(owner, dry_run) %}
    {%- set open = safeguard._open_connections(owner) -%}
    {%- for c in open -%}
        {%- do safeguard._log('PLAN' if dry_run else 'KILL', 'connection ' ~ c.id ~ ' of invocation ' ~ owner ~ ' (' ~ (c.command | lower) ~ ' for ' ~ c.seconds ~ ' s' ~ (': ' ~ c.statement | replace('\n', ' ') if c.statement else '') ~ ')') -%}
        {%- if not dry_run -%}
            {%- do run_query('kill ' ~ c.id | int) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if open and not dry_run -%}
        {%- set limit = safeguard._setting('lock_wait_total_seconds') -%}
        {%- for wait in range((limit * 2) | int) -%}
            {%- if safeguard._open_connections(owner) | length > 0 -%}
                {%- do run_query('do sleep(0.5)') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set still = safeguard._open_connections(owner) -%}
        {%- if still -%}
            {{ exceptions.raise_compiler_error("safeguard.recover_run: connections " ~ still | map(attribute='id') | join(', ') ~ " of invocation " ~ owner ~ " are still rolling back after " ~ limit ~ " s (lock_wait_total_seconds); nothing else was changed; run recover_run again when they are gone") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(open | length) }}
{% endmacro %}


{#- dbt's table materialization leaves `<model>__dbt_tmp` and
    `<model>__dbt_backup` behind when it is killed. Drop exactly those
    names, for the project's models, and nothing that merely looks alike. -#}
{% macro _drop_leftover_tmp_tables(dry_run) %}
    {%- set names = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'snapshot'] -%}
        {%- for suffix in ['__dbt_tmp', '__dbt_backup'] -%}
            {%- set table = (node.alias or node.name) ~ suffix -%}
            {%- if table | length <= 64 -%}
                {%- do names.append(safeguard._sql_string(node.schema ~ '.' ~ table)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not names -%}{{ return([]) }}{%- endif -%}
    {%- set sql -%}
        select table_schema, table_name from information_schema.tables
        where concat(table_schema, '.', table_name) in ({{ names | join(', ') }})
          and table_type = 'BASE TABLE'
    {%- endset -%}
    {%- set found = [] -%}
    {%- for row in run_query(sql).rows -%}
        {%- do found.append(row[0] ~ '.' ~ row[1]) -%}
        {%- do safeguard._log('PLAN' if dry_run else 'DROP', row[0] ~ '.' ~ row[1] ~ ' (left by a killed run)') -%}
        {%- if not dry_run -%}
            {%- do safeguard._run_ddl_bounded('drop table if exists ' ~ safeguard._quote_table(row[0], row[1]), 'recover_run') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}
