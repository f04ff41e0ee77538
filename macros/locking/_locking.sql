{#- Two locks keep safeguard operations one at a time:
    - a server-side named lock (GET_LOCK) around each backup, prune or restore;
    - a run lease row, taken by create_backups once its backups are done and
      given back by finish_run, because dbt closes the hook connection (and
      so its named lock) before the models run; and an 'etl' lease row that
      `safeguard etl` holds across its steps (take_etl_lease). A lease older
      than `lease_hours` may be taken over only when its run is dead.
    Whether the lease's run is alive: a plain dbt run beats a heartbeat in
    its lease row (_invocation_alive); `safeguard etl` holds its own
    GET_LOCK for the whole ETL and passes
    the lock name and its connection id to dbt (SAFEGUARD_ETL_LOCK,
    SAFEGUARD_ETL_CONNECTION_ID), recorded with the invocation's
    connections in safeguard_connections. The run is alive exactly while
    IS_USED_LOCK(that name) is that connection: a SIGKILLed client's idle
    connection closes at once, and a new ETL holds the name on a new id. -#}

{% macro _lease_table() %}
    {{ return(safeguard._quote_table(safeguard._catalog_schema(), 'safeguard_run_lease')) }}
{% endmacro %}


{% macro _lock_name() %}
    {%- set name = 'safeguard:' ~ safeguard._catalog_schema() -%}
    {#- MySQL 8 refuses lock names longer than 64 characters. -#}
    {{ return(name if name | length <= 64 else 'safeguard:' ~ local_md5(name)) }}
{% endmacro %}


{#- GET_LOCK without waiting. Returns none when taken, else why not. The
    holder may let go between GET_LOCK and IS_USED_LOCK (then NULL): try
    again rather than report "held by connection None". -#}
{% macro _try_lock() %}
    {%- set name = safeguard._sql_string(safeguard._lock_name()) -%}
    {%- for attempt in range(3) -%}
        {%- set row = run_query('select get_lock(' ~ name ~ ', 0), is_used_lock(' ~ name ~ ')').rows[0] -%}
        {%- if row[0] is not none and row[0] | int == 1 -%}
            {%- do safeguard._record_connection() -%}
            {{ return(none) }}
        {%- elif row[1] is not none -%}
            {%- set owner = safeguard._connection_owner(row[1] | int) -%}
            {{ return("another safeguard operation is running (lock '" ~ safeguard._lock_name() ~ "' is held by connection " ~ row[1]
                ~ (', ' ~ owner if owner else '') ~ ")") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return("another safeguard operation keeps taking and releasing the lock '" ~ safeguard._lock_name() ~ "'") }}
{% endmacro %}


{% macro _acquire_lock(operation) %}
    {%- set problem = safeguard._try_lock() -%}
    {%- if problem is not none -%}
        {{ exceptions.raise_compiler_error("safeguard." ~ operation ~ ": " ~ problem ~ "; nothing was changed; retry when it has finished") }}
    {%- endif -%}
{% endmacro %}


{#- Also forgets the connections of an invocation that holds no lease (a
    restore, a prune): only a lease holder's are needed after the lock. -#}
{% macro _release_lock() %}
    {%- do run_query('select release_lock(' ~ safeguard._sql_string(safeguard._lock_name()) ~ ')') -%}
    {%- if safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_connections') -%}
        {%- set me = safeguard._sql_string(invocation_id) -%}
        {%- do safeguard._execute('delete from ' ~ safeguard._connections_table() ~ ' where invocation_id = ' ~ me
            ~ ' and not exists (select 1 from ' ~ safeguard._lease_table() ~ ' where invocation_id = ' ~ me ~ ')') -%}
        {%- do safeguard._commit() -%}
    {%- endif -%}
{% endmacro %}


{#- The lease row of another invocation that still counts, or none. Two
    kinds of lease row: 'run' (a dbt invocation, from create_backups to
    finish_run) and 'etl' (`safeguard etl`, from before its load to after
    `dbt test`, so nothing slips between its steps). The ETL's own dbt
    invocations do not count its 'etl' row (SAFEGUARD_ETL_LEASE names it).
    A lease counts while it is younger than safeguard_lease_hours. An older
    one is taken over only when its run is dead by _invocation_alive's rule.
    A run that is alive after lease_hours keeps its lease: fail closed,
    never two writers. -#}
{% macro _foreign_lease() %}
    {%- if not safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_run_lease') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set own_etl = env_var('SAFEGUARD_ETL_LEASE', '') -%}
    {%- set sql -%}
        select invocation_id, command, date_format(acquired_at, '%Y-%m-%d %H:%i:%s') as acquired_at,
               acquired_at > utc_timestamp() - interval {{ safeguard._setting('lease_hours') }} hour as young
        from {{ safeguard._lease_table() }}
        where lease_name in ('run', 'etl')
          and invocation_id not in ({{ safeguard._sql_string(invocation_id) }}, {{ safeguard._sql_string(own_etl) }})
        order by acquired_at
    {%- endset -%}
    {%- for row in run_query(sql).rows -%}
        {%- set lease = {'invocation_id': row['invocation_id'], 'command': row['command'], 'acquired_at': row['acquired_at']} -%}
        {%- if row['young'] | int == 1 or safeguard._invocation_alive(lease.invocation_id).alive -%}
            {{ return(lease) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}


{#- A lease's run in words that tell the truth: running (it may be alive)
    or killed (dead by _invocation_alive's rule); only a dead one names the
    command that recovers it. -#}
{% macro _describe_lease(lease) %}
    {%- set what = ("safeguard etl" if lease.command == 'etl' else "dbt " ~ lease.command) ~ " (invocation " ~ lease.invocation_id ~ ", started " ~ lease.acquired_at ~ " UTC)" -%}
    {%- set life = safeguard._invocation_alive(lease.invocation_id) -%}
    {%- if life.alive -%}
        {{ return(what ~ " is running (" ~ life.why ~ ")") }}
    {%- endif -%}
    {{ return(what ~ " was killed before it finished (" ~ life.why ~ "); recover it with: dbt run-operation safeguard.recover_run --args '{invocation_id: " ~ lease.invocation_id ~ "}'") }}
{% endmacro %}


{#- {'alive': bool, 'why': ...} for an invocation: whether it may still be
    running, in the server's time.
    - Under `safeguard etl` (its connections recorded the ETL lock): alive
      exactly while IS_USED_LOCK(that lock) is the ETL's connection. A
      SIGKILLed client's idle connection closes at once, and a new ETL
      holds the name on a new id.
    - A plain dbt run releases each node's connection, so an open
      connection proves nothing: it is alive while its heartbeat (the lease
      row, written in server time at every hook and materialization step)
      is younger than safeguard_heartbeat_grace_seconds, or while one of
      its recorded connections is running a statement. -#}
{% macro _invocation_alive(owner) %}
    {%- if not safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_connections') -%}
        {{ return({'alive': false, 'why': 'no connection of it is recorded'}) }}
    {%- endif -%}
    {%- set sql -%}
        select etl_lock, etl_connection_id, is_used_lock(etl_lock) as holder
        from {{ safeguard._connections_table() }}
        where invocation_id = {{ safeguard._sql_string(owner) }} and etl_lock is not null
        limit 1
    {%- endset -%}
    {%- set rows = run_query(sql).rows -%}
    {%- if rows -%}
        {%- set etl = rows[0] -%}
        {%- if etl['holder'] is not none and etl['holder'] | int == etl['etl_connection_id'] | int -%}
            {{ return({'alive': true, 'why': 'its ETL holds lock ' ~ etl['etl_lock'] ~ ' on connection ' ~ etl['holder']}) }}
        {%- endif -%}
        {{ return({'alive': false, 'why': 'its ETL lock ' ~ etl['etl_lock'] ~ ' of connection ' ~ etl['etl_connection_id'] ~ ' is gone'}) }}
    {%- endif -%}
    {%- set grace = safeguard._setting('heartbeat_grace_seconds') -%}
    {%- set age = safeguard._heartbeat_age(owner) -%}
    {%- set busy = safeguard._open_connections(owner) | rejectattr('command', 'equalto', 'Sleep') | list -%}
    {%- set heard = ('its heartbeat is ' ~ age ~ ' s old' if age is not none else 'it left no heartbeat') ~ ' (grace ' ~ grace ~ ' s)' -%}
    {%- set doing = [] -%}
    {%- for c in busy -%}
        {%- do doing.append('connection ' ~ c.id ~ ' ' ~ (c.command | lower) ~ ' for ' ~ c.seconds ~ ' s' ~ (': ' ~ c.statement | replace('\n', ' ') if c.statement else '')) -%}
    {%- endfor -%}
    {%- set why = heard ~ '; ' ~ (doing | join('; ') if doing else 'none of its connections is running a statement') -%}
    {{ return({'alive': (age is not none and age <= grace) or busy | length > 0, 'why': why}) }}
{% endmacro %}


{#- Seconds since an invocation's last heartbeat, in the server's clock:
    its lease row's heartbeat_at (acquired_at before the first beat); for
    an invocation without a lease (a restore, a prune), the last time it
    recorded a connection; none when it left neither. -#}
{% macro _heartbeat_age(owner) %}
    {%- set sql -%}
        select coalesce(
            (select timestampdiff(second, max(coalesce(heartbeat_at, acquired_at)), utc_timestamp(6))
             from {{ safeguard._lease_table() }} where invocation_id = {{ safeguard._sql_string(owner) }}),
            (select timestampdiff(second, max(recorded_at), utc_timestamp(6))
             from {{ safeguard._connections_table() }} where invocation_id = {{ safeguard._sql_string(owner) }})
        ) as age
    {%- endset -%}
    {%- set age = run_query(sql).rows[0]['age'] -%}
    {{ return(age | int if age is not none else none) }}
{% endmacro %}


{#- Records that this invocation uses this connection (and, under
    `safeguard etl`, which ETL lock owns it), so a killed run's statements
    can be found and its liveness checked. Commits. -#}
{% macro _record_connection() %}
    {%- if not safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_connections') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set etl_lock = env_var('SAFEGUARD_ETL_LOCK', '') -%}
    {%- set etl_connection = env_var('SAFEGUARD_ETL_CONNECTION_ID', '') -%}
    {%- set sql -%}
        insert into {{ safeguard._connections_table() }}
            (invocation_id, connection_id, etl_lock, etl_connection_id, recorded_at)
        values ({{ safeguard._sql_string(invocation_id) }}, connection_id(),
                {{ safeguard._sql_string(etl_lock) if etl_lock else 'null' }},
                {{ etl_connection | int if etl_connection else 'null' }}, utc_timestamp())
        on duplicate key update recorded_at = utc_timestamp()
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- do safeguard._commit() -%}
{% endmacro %}


{#- The lease row of this invocation says it is alive now, in the server's
    clock. Called by every guard (each model's first step) and pre-hook of a
    run that holds the lease, so after this invocation's create_backups
    migrated the catalog (heartbeat_at). Commits. -#}
{% macro _beat_heartbeat() %}
    {%- set sql -%}
        update {{ safeguard._lease_table() }} set heartbeat_at = utc_timestamp(6)
        where invocation_id = {{ safeguard._sql_string(invocation_id) }}
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- do safeguard._commit() -%}
{% endmacro %}


{#- Connections an invocation recorded that are open now, on this server
    instance (connection ids restart with the server), excluding ours. -#}
{% macro _open_connections(owner) %}
    {#- information_schema.global_status is gone in MySQL 8; SHOW works on both. -#}
    {%- set uptime = run_query("show global status like 'Uptime'").rows[0][1] | int -%}
    {%- set sql -%}
        select p.id, p.command, p.time, left(p.info, 1200)
        from {{ safeguard._connections_table() }} as c
        join information_schema.processlist as p on p.id = c.connection_id
        where c.invocation_id = {{ safeguard._sql_string(owner) }}
          and p.id <> connection_id()
          and c.recorded_at >= utc_timestamp() - interval {{ uptime + 1 }} second
    {%- endset -%}
    {%- set found = [] -%}
    {%- for row in run_query(sql).rows -%}
        {#- dbt starts every statement with its query comment: show the SQL. -#}
        {%- set statement = modules.re.sub('^\\s*/\\*.*?\\*/\\s*', '', row[3] or '', flags=modules.re.S)[:120] if row[3] else none -%}
        {%- do found.append({'id': row[0] | int, 'command': row[1], 'seconds': row[2], 'statement': statement}) -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}


{#- "invocation X (ETL alive/dead)" for the connection holding the lock. -#}
{% macro _connection_owner(connection) %}
    {%- if not safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_connections') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set sql -%}
        select invocation_id from {{ safeguard._connections_table() }}
        where connection_id = {{ connection | int }} order by recorded_at desc limit 1
    {%- endset -%}
    {%- set rows = run_query(sql).rows -%}
    {%- if not rows -%}{{ return(none) }}{%- endif -%}
    {%- set life = safeguard._invocation_alive(rows[0][0]) -%}
    {%- if not life.alive -%}
        {{ return('a statement left running by invocation ' ~ rows[0][0] ~ ', which was killed (' ~ life.why ~ "); recover it with: dbt run-operation safeguard.recover_run --args '{invocation_id: " ~ rows[0][0] ~ "}'") }}
    {%- endif -%}
    {{ return('invocation ' ~ rows[0][0]) }}
{% endmacro %}


{% macro _refuse_if_leased(operation) %}
    {%- set lease = safeguard._foreign_lease() -%}
    {%- if lease is not none -%}
        {{ exceptions.raise_compiler_error("safeguard." ~ operation ~ ": " ~ safeguard._describe_lease(lease) ~ "; nothing was changed") }}
    {%- endif -%}
{% endmacro %}


{#- Call with the named lock held, after checking _foreign_lease().
    `lease_name`: 'run' (a dbt invocation) or 'etl' (take_etl_lease). -#}
{% macro _take_lease(lease_name='run') %}
    {%- set sql -%}
        replace into {{ safeguard._lease_table() }} (lease_name, invocation_id, command, acquired_at, heartbeat_at)
        values ({{ safeguard._sql_string(lease_name) }}, {{ safeguard._sql_string(invocation_id) }},
                {{ safeguard._sql_string('etl' if lease_name == 'etl' else flags.WHICH) }}, utc_timestamp(), utc_timestamp(6))
    {%- endset -%}
    {%- do safeguard._execute(sql) -%}
    {%- do safeguard._commit() -%}
    {%- do safeguard._record_connection() -%}
{% endmacro %}


{% macro _holds_lease() %}
    {%- if not safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_run_lease') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set sql -%}
        select count(*) from {{ safeguard._lease_table() }}
        where lease_name = 'run' and invocation_id = {{ safeguard._sql_string(invocation_id) }}
    {%- endset -%}
    {{ return(run_query(sql).rows[0][0] | int > 0) }}
{% endmacro %}


{#- Deletes the lease rows and the recorded connections of an invocation
    (this one by default; recover_run passes the dead one's). -#}
{% macro _give_back_lease(owner=none) %}
    {%- set owner = owner or invocation_id -%}
    {%- do safeguard._execute("delete from " ~ safeguard._lease_table() ~ " where invocation_id = " ~ safeguard._sql_string(owner)) -%}
    {%- if safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_connections') -%}
        {%- do safeguard._execute("delete from " ~ safeguard._connections_table() ~ " where invocation_id = " ~ safeguard._sql_string(owner)) -%}
    {%- endif -%}
    {%- do safeguard._commit() -%}
{% endmacro %}
