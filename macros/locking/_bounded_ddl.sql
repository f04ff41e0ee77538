{#- Bounded metadata-lock waits for every statement that takes an exclusive
    metadata lock (RENAME, DROP, ALTER of a table others may read).

    Why: lock_wait_timeout defaults to 1 day (MariaDB) / 1 year (MySQL 8),
    and a DDL statement waiting for an exclusive metadata lock makes every
    later reader of that table queue behind it. So each attempt waits at
    most `lock_wait_seconds` (what a reader arriving meanwhile can feel),
    attempts repeat with backoff up to `lock_wait_total_seconds`, and then
    the operation fails with one line naming the blocking connections.

    How: Jinja cannot catch a database error, so the retry loop runs on the
    server, in the stored procedure `safeguard_run_ddl_v1` of the catalog
    schema. It catches only 1205 (lock wait timeout: what MySQL 8 and
    MariaDB both raise when a metadata-lock wait times out) and 1213
    (deadlock); any other error is raised as it is. The procedure runs with
    the caller's privileges (SQL SECURITY INVOKER). -#}

{#- Runs `sql` (one DDL statement) with bounded waits, or fails naming the
    blockers. `tables`: [(schema, table)] to look for blockers on; by
    default the `schema`.`table` names quoted in `sql`. Returns the number
    of attempts it took. -#}
{% macro _run_ddl_bounded(sql, operation, tables=none) %}
    {%- set result = safeguard._try_ddl_bounded(sql) -%}
    {%- if not result.done -%}
        {{ exceptions.raise_compiler_error(safeguard._ddl_gave_up(result, operation, sql, tables)) }}
    {%- endif -%}
    {{ return(result.attempts) }}
{% endmacro %}


{#- The same without raising on a lock timeout, for callers that must
    clean up first: {'done', 'attempts', 'waited', 'attempt_seconds'}. Any
    other database error is raised as it is. -#}
{% macro _try_ddl_bounded(sql) %}
    {%- set attempt = safeguard._setting('lock_wait_seconds') -%}
    {%- set attempt = [1, attempt | round(0, 'ceil') | int] | max -%}
    {%- set total = [safeguard._setting('lock_wait_total_seconds'), attempt] | max -%}
    {%- do safeguard._ensure_ddl_procedure() -%}
    {%- set started = modules.datetime.datetime.utcnow() -%}
    {%- do run_query('call ' ~ safeguard._ddl_procedure() ~ '(' ~ safeguard._sql_string(sql) ~ ', ' ~ attempt ~ ', ' ~ total ~ ', @safeguard_ddl_outcome)') -%}
    {%- set outcome = (run_query('select @safeguard_ddl_outcome').rows[0][0] or 'unknown 0') | string -%}
    {%- set parts = outcome.split(' ') -%}
    {{ return({
        'done': parts[0] == 'done',
        'attempts': parts[1] | int if parts | length > 1 else 0,
        'waited': (modules.datetime.datetime.utcnow() - started).total_seconds(),
        'attempt_seconds': attempt,
    }) }}
{% endmacro %}


{#- The one line an operation fails with when it gave up waiting. -#}
{% macro _ddl_gave_up(result, operation, sql, tables=none) %}
    {%- if tables is none -%}
        {%- set tables = modules.re.findall('`([A-Za-z0-9_$]{1,64})`\\.`([A-Za-z0-9_$]{1,64})`', sql) -%}
    {%- endif -%}
    {#- The statement names its targets too; the lock is on those that exist. -#}
    {%- set names = [] -%}
    {%- for t in tables if safeguard._table_exists(t[0], t[1]) -%}{%- do names.append(t[0] ~ '.' ~ t[1]) -%}{%- endfor -%}
    {{ return("safeguard." ~ operation ~ ": gave up after " ~ '%.1f' | format(result.waited) ~ " s (" ~ result.attempts
        ~ " attempts of " ~ result.attempt_seconds ~ " s; settings lock_wait_seconds / lock_wait_total_seconds) waiting for the metadata lock on "
        ~ names | unique | join(', ') ~ "; " ~ safeguard._describe_blockers(tables)
        ~ "; this statement changed nothing: end that transaction, or retry when it is done") }}
{% endmacro %}


{% macro _ddl_procedure() %}
    {{ return(safeguard._quote_table(safeguard._catalog_schema(), 'safeguard_run_ddl_v1')) }}
{% endmacro %}


{#- Creates the procedure once per catalog schema. A short named lock keeps
    two first runs from both creating it (the loser would get error 1304).
    The name carries a version: a changed body gets a new name. -#}
{% macro _ensure_ddl_procedure() %}
    {%- set schema = safeguard._catalog_schema() -%}
    {%- set exists_sql -%}
        select count(*) from information_schema.routines
        where routine_schema = {{ safeguard._sql_string(schema) }}
          and routine_name = 'safeguard_run_ddl_v1' and routine_type = 'PROCEDURE'
    {%- endset -%}
    {%- if run_query(exists_sql).rows[0][0] | int > 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set guard = safeguard._sql_string(('safeguard:ddl:' ~ schema)[:64]) -%}
    {%- if run_query('select get_lock(' ~ guard ~ ', 10)').rows[0][0] | int != 1 -%}
        {{ exceptions.raise_compiler_error("safeguard: cannot create the procedure " ~ schema ~ ".safeguard_run_ddl_v1: another session has been creating it for 10 s; nothing was changed, retry") }}
    {%- endif -%}
    {%- if run_query(exists_sql).rows[0][0] | int == 0 -%}
        {%- do safeguard._ensure_schema(schema) -%}
        {%- set body -%}
create procedure {{ safeguard._ddl_procedure() }}(
    in statement_text text, in attempt_seconds int, in total_seconds double, out outcome varchar(64))
    sql security invoker
    comment 'dbt-safeguard: one DDL statement with bounded metadata-lock waits'
begin
    -- sqlfluff cannot parse a procedure body; MySQL 8 and MariaDB run it.
    declare timed_out int default 0;  -- noqa: PRS
    declare tries int default 0;
    declare pause double default 0.25;
    declare started double default unix_timestamp(now(6));
    declare previous_timeout bigint default @@session.lock_wait_timeout;
    -- 1205: lock wait timeout (metadata locks included), 1213: deadlock.
    declare continue handler for 1205, 1213 set timed_out = 1;
    -- Any other error: put the session back as it was, then raise it.
    declare exit handler for sqlexception
    begin
        set session lock_wait_timeout = previous_timeout;
        resignal;
    end;
    set @safeguard_ddl_text = statement_text;
    prepare safeguard_ddl from @safeguard_ddl_text;
    set session lock_wait_timeout = attempt_seconds;
    attempts: loop
        set timed_out = 0;
        set tries = tries + 1;
        execute safeguard_ddl;
        if timed_out = 0 then
            set outcome = concat('done ', tries);
            leave attempts;
        end if;
        if unix_timestamp(now(6)) - started + pause + attempt_seconds > total_seconds then
            set outcome = concat('timeout ', tries);
            leave attempts;
        end if;
        -- Between attempts nothing is queued on the table: readers run.
        do sleep(pause);
        set pause = least(pause * 2, 4);
    end loop;
    deallocate prepare safeguard_ddl;
    set session lock_wait_timeout = previous_timeout;
end
        {%- endset -%}
        {%- do safeguard._execute(body) -%}
    {%- endif -%}
    {%- do run_query('select release_lock(' ~ guard ~ ')') -%}
{% endmacro %}


{#- The connections that may hold a metadata lock on `tables`, as
    [{id, user, host, trx_seconds, command, seconds, statement, certain}].
    performance_schema.metadata_locks names the holders exactly (MySQL 8
    default; MariaDB 10.5+ with performance_schema=ON and the instrument
    wait/lock/metadata/sql/mdl enabled). Without it, every
    other connection with an open InnoDB transaction, or whose running
    statement names one of the tables, is a candidate. -#}
{% macro _lock_blockers(tables) %}
    {%- set found = [] -%}
    {%- set pairs = [] -%}
    {%- for t in tables -%}
        {%- do pairs.append('(' ~ safeguard._sql_string(t[0]) ~ ', ' ~ safeguard._sql_string(t[1]) ~ ')') -%}
    {%- endfor -%}
    {%- if not pairs -%}{{ return(found) }}{%- endif -%}
    {#- Exact only when performance_schema is on and records metadata locks:
        the mdl instrument is on by default in MySQL 8, off in MariaDB. -#}
    {%- set ps_sql -%}
        select count(*) from information_schema.tables
        where table_schema = 'performance_schema' and table_name = 'metadata_locks'
          and @@global.performance_schema = 1
    {%- endset -%}
    {%- set exact = run_query(ps_sql).rows[0][0] | int > 0 -%}
    {%- if exact -%}
        {%- set instrument_sql -%}
            select count(*) from performance_schema.setup_instruments
            where name = 'wait/lock/metadata/sql/mdl' and enabled = 'YES'
        {%- endset -%}
        {%- set exact = run_query(instrument_sql).rows[0][0] | int > 0 -%}
    {%- endif -%}
    {%- set columns -%}
        p.id, p.user, p.host, timestampdiff(second, x.trx_started, now()), p.command, p.time, left(p.info, 120)
    {%- endset -%}
    {%- if exact -%}
        {%- set sql -%}
            select distinct {{ columns }}
            from performance_schema.metadata_locks as m
            join performance_schema.threads as th on th.thread_id = m.owner_thread_id
            join information_schema.processlist as p on p.id = th.processlist_id
            left join information_schema.innodb_trx as x on x.trx_mysql_thread_id = p.id
            where m.object_type = 'TABLE' and m.lock_status = 'GRANTED'
              and (m.object_schema, m.object_name) in ({{ pairs | join(', ') }})
              and p.id <> connection_id()
            order by p.id
        {%- endset -%}
        {%- set rows = run_query(sql).rows -%}
        {#- The holder may have let go meanwhile: then show the candidates. -#}
        {%- set exact = rows | length > 0 -%}
    {%- endif -%}
    {%- if not exact -%}
        {%- set mentions = [] -%}
        {%- for t in tables -%}
            {%- do mentions.append("p.info like " ~ safeguard._sql_string('%' ~ t[1] ~ '%')) -%}
        {%- endfor -%}
        {%- set sql -%}
            select {{ columns }}
            from information_schema.processlist as p
            left join information_schema.innodb_trx as x on x.trx_mysql_thread_id = p.id
            where p.id <> connection_id()
              and (x.trx_id is not null or ({{ mentions | join(' or ') }}))
              and coalesce(p.state, '') not like '%metadata lock%'
            order by x.trx_started is null, x.trx_started, p.id
        {%- endset -%}
        {%- set rows = run_query(sql).rows -%}
    {%- endif -%}
    {%- for row in rows -%}
        {%- do found.append({
            'id': row[0] | int, 'user': row[1], 'host': row[2],
            'trx_seconds': none if row[3] is none else row[3] | int,
            'command': row[4], 'seconds': row[5], 'statement': row[6], 'certain': exact,
        }) -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}


{#- One phrase for an error message: who blocks, for how long. -#}
{% macro _describe_blockers(tables) %}
    {%- set blockers = safeguard._lock_blockers(tables) -%}
    {%- if not blockers -%}
        {{ return('no blocking connection is visible any more (it may have just finished)') }}
    {%- endif -%}
    {%- set described = [] -%}
    {%- for b in blockers -%}
        {%- do described.append('connection ' ~ b.id ~ ' (' ~ b.user ~ '@' ~ b.host
            ~ (', transaction open ' ~ b.trx_seconds ~ ' s' if b.trx_seconds is not none else ', no open transaction')
            ~ ', ' ~ (b.command | lower) ~ ' for ' ~ b.seconds ~ ' s'
            ~ (': ' ~ (b.statement | replace('\n', ' ')) if b.statement else '') ~ ')') -%}
    {%- endfor -%}
    {%- set intro = 'held by ' if blockers[0].certain else 'performance_schema does not name the holder, so these are the candidates (open transactions, or statements naming the table): ' -%}
    {{ return(intro ~ described | join(', ')) }}
{% endmacro %}
