{#- Checks, before anything is built, that the database user may do what
    the run will do where it will do it: in each schema this invocation
    builds tables in (its selected table, incremental, seed and snapshot
    nodes: a protected table's, and a seed's replace, are DROPs too), in
    each protected table's backup schema and in the catalog schema, create
    a table, insert, alter, rename and drop it (a build, a backup copy, a
    swap, a prune); and the package's routines in the catalog schema. Grants through roles and wildcards count,
    so it probes rather than parse SHOW GRANTS: a scratch table named
    after this connection, created and dropped. Jinja cannot catch a
    database error, so each probe statement runs inside the procedure
    safeguard_probe_v1, whose handler returns the server's error instead.
    Creating that procedure (and safeguard_run_ddl_v1) is the routine
    probe: without CREATE ROUTINE on the catalog schema it fails here,
    with the server's 1044, before anything is built.
    Returns none, or one line naming the missing privilege and the object. -#}
{% macro _probe_privileges(tables) %}
    {%- set schemas = [safeguard._catalog_schema()] -%}
    {%- for node in graph.nodes.values()
          if node.resource_type in ['model', 'seed', 'snapshot'] and node.unique_id in selected_resources
          and node.config.materialized in ['table', 'incremental', 'seed', 'snapshot'] and node.schema not in schemas -%}
        {%- do schemas.append(node.schema) -%}
    {%- endfor -%}
    {%- for t in tables -%}
        {%- for schema in [t.schema, safeguard._backup_schema_for(t.schema)] if schema not in schemas -%}
            {%- do schemas.append(schema) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do safeguard._ensure_ddl_procedure() -%}
    {%- do safeguard._ensure_probe_procedure() -%}
    {%- set scratch = 'safeguard_probe_' ~ run_query('select connection_id() as id').rows[0]['id'] -%}
    {%- for schema in schemas if safeguard._schema_exists(schema) -%}
        {%- set first = safeguard._quote_table(schema, scratch) -%}
        {%- set second = safeguard._quote_table(schema, scratch ~ '_r') -%}
        {%- set steps = [
            ('CREATE', 'create table ' ~ first ~ ' (id int not null primary key) engine = InnoDB'),
            ('INSERT', 'insert into ' ~ first ~ ' (id) values (1)'),
            ('ALTER', 'alter table ' ~ first ~ ' add column safeguard_probe int null'),
            ('ALTER and DROP (RENAME TABLE)', 'rename table ' ~ first ~ ' to ' ~ second),
            ('DROP', 'drop table ' ~ second),
        ] -%}
        {%- for privilege, sql in steps -%}
            {%- set failed = safeguard._try_statement(sql) -%}
            {%- if failed is not none -%}
                {#- Without DROP the scratch table cannot be cleaned up: say so. -#}
                {%- set left = safeguard._try_statement('drop table if exists ' ~ first ~ ', ' ~ second) -%}
                {{ return("the database user lacks " ~ privilege ~ " on schema " ~ schema ~ " (" ~ failed ~ "), which this run needs there before it builds anything; grant it (docs/faults.md, Least privilege)"
                    ~ ("; then drop the probe's scratch table " ~ schema ~ "." ~ scratch ~ " it could not drop" if left is not none else "")) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}


{#- Runs one statement through safeguard_probe_v1: none when it succeeded,
    else "<errno> <server message>" (a full disk's 1114, a denied 1142):
    the one way a macro can go on after a database error. -#}
{% macro _try_statement(sql) %}
    {%- do run_query('call ' ~ safeguard._quote_table(safeguard._catalog_schema(), 'safeguard_probe_v1') ~ '(' ~ safeguard._sql_string(sql) ~ ', @safeguard_probe_outcome)') -%}
    {%- set outcome = run_query('select @safeguard_probe_outcome as outcome').rows[0]['outcome'] -%}
    {{ return(none if outcome == 'ok' else outcome) }}
{% endmacro %}


{% macro _schema_exists(schema) %}
    {%- set sql = 'select count(*) as n from information_schema.schemata where schema_name = ' ~ safeguard._sql_string(schema) -%}
    {{ return(run_query(sql).rows[0]['n'] | int > 0) }}
{% endmacro %}


{#- safeguard_probe_v1(statement, out outcome): 'ok', or the error the
    statement raised, as "<errno> <message>" (GET DIAGNOSTICS, valid on
    MySQL 8 and MariaDB). SQL SECURITY INVOKER: the caller's privileges. -#}
{% macro _ensure_probe_procedure() %}
    {%- set schema = safeguard._catalog_schema() -%}
    {%- set exists_sql -%}
        select count(*) as n from information_schema.routines
        where routine_schema = {{ safeguard._sql_string(schema) }}
          and routine_name = 'safeguard_probe_v1' and routine_type = 'PROCEDURE'
    {%- endset -%}
    {%- if run_query(exists_sql).rows[0]['n'] | int > 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set body -%}
create procedure {{ safeguard._quote_table(schema, 'safeguard_probe_v1') }}(in statement_text text, out outcome varchar(600))
    sql security invoker
    comment 'dbt-safeguard: runs one statement and returns its error instead of raising it'
begin
    -- sqlfluff cannot parse a procedure body; MySQL 8 and MariaDB run it.
    declare exit handler for sqlexception  -- noqa: PRS
    begin
        get diagnostics condition 1 @safeguard_probe_errno = mysql_errno, @safeguard_probe_text = message_text;
        set outcome = left(concat(@safeguard_probe_errno, ' ', @safeguard_probe_text), 600);
    end;
    set @safeguard_probe_text = statement_text;
    prepare safeguard_probe from @safeguard_probe_text;
    execute safeguard_probe;
    deallocate prepare safeguard_probe;
    set outcome = 'ok';
end
    {%- endset -%}
    {%- do safeguard._execute(body) -%}
{% endmacro %}
