{#- Two locks keep safeguard operations one at a time:
    - a server-side named lock (GET_LOCK) around each backup, prune or restore;
    - a run lease row, taken by create_backups once its backups are done and
      given back by finish_run, because dbt closes the hook connection (and
      so its named lock) before the models run. A lease older than
      `lease_hours` is stale and may be taken over.
    Whether the lease's run is still alive is answerable when an ETL owns
    it: `safeguard etl` holds its own GET_LOCK for the whole ETL and passes
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
    {%- if safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_connections') and not safeguard._holds_lease() -%}
        {%- do safeguard._execute('delete from ' ~ safeguard._connections_table() ~ ' where invocation_id = ' ~ safeguard._sql_string(invocation_id)) -%}
        {%- do safeguard._commit() -%}
    {%- endif -%}
{% endmacro %}


{#- The lease row of another invocation that still counts, or none. A lease
    counts while it is younger than safeguard_lease_hours. An older one is
    taken over only when its run is provably gone: its ETL lock is released
    and none of its recorded connections is still open (a killed client's
    statement runs on server-side and may still write). A run that is alive
    after lease_hours keeps its lease: fail closed, never two writers. -#}
{% macro _foreign_lease() %}
    {%- if not safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_run_lease') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set sql -%}
        select invocation_id, command, date_format(acquired_at, '%Y-%m-%d %H:%i:%s'),
               acquired_at > utc_timestamp() - interval {{ safeguard._setting('lease_hours') }} hour
        from {{ safeguard._lease_table() }}
        where lease_name = 'run'
          and invocation_id <> {{ safeguard._sql_string(invocation_id) }}
    {%- endset -%}
    {%- set rows = run_query(sql).rows -%}
    {%- if rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set lease = {'invocation_id': rows[0][0], 'command': rows[0][1], 'acquired_at': rows[0][2]} -%}
    {%- if rows[0][3] | int == 1 -%}
        {{ return(lease) }}
    {%- endif -%}
    {%- set life = safeguard._invocation_alive(lease.invocation_id) -%}
    {%- set recorded = safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_connections') -%}
    {%- if life.alive is sameas true or (recorded and safeguard._open_connections(lease.invocation_id)) -%}
        {{ return(lease) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{#- What a lease's run is doing, for a message that tells the truth: alive
    (its ETL still holds its lock), dead (its ETL's lock is gone) or, for a
    plain dbt run, unknown ("is running or was killed"); a dead or unknown
    one names the command that recovers it. -#}
{% macro _describe_lease(lease) %}
    {%- set what = "dbt " ~ lease.command ~ " (invocation " ~ lease.invocation_id ~ ", started " ~ lease.acquired_at ~ " UTC)" -%}
    {%- set life = safeguard._invocation_alive(lease.invocation_id) -%}
    {%- set recover = "recover it with: dbt run-operation safeguard.recover_run --args '{invocation_id: " ~ lease.invocation_id ~ "}'" -%}
    {%- if life.alive is sameas true -%}
        {{ return(what ~ " is running (" ~ life.why ~ ")") }}
    {%- elif life.alive is sameas false -%}
        {{ return(what ~ " was killed before it finished (" ~ life.why ~ "); " ~ recover) }}
    {%- endif -%}
    {{ return(what ~ " is running or was killed (" ~ life.why ~ "); if it was killed, " ~ recover) }}
{% endmacro %}


{#- {'alive': true/false/none, 'why': ...} for an invocation, from what it
    recorded in safeguard_connections. -#}
{% macro _invocation_alive(owner) %}
    {%- if not safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_connections') -%}
        {{ return({'alive': none, 'why': 'no connection of it is recorded'}) }}
    {%- endif -%}
    {%- set sql -%}
        select etl_lock, etl_connection_id, is_used_lock(etl_lock)
        from {{ safeguard._connections_table() }}
        where invocation_id = {{ safeguard._sql_string(owner) }} and etl_lock is not null
        limit 1
    {%- endset -%}
    {%- set rows = run_query(sql).rows -%}
    {%- if rows -%}
        {%- set holder = rows[0][2] -%}
        {%- if holder is not none and holder | int == rows[0][1] | int -%}
            {{ return({'alive': true, 'why': 'its ETL holds lock ' ~ rows[0][0] ~ ' on connection ' ~ holder}) }}
        {%- endif -%}
        {{ return({'alive': false, 'why': 'its ETL lock ' ~ rows[0][0] ~ ' of connection ' ~ rows[0][1] ~ ' is gone'}) }}
    {%- endif -%}
    {%- set open = safeguard._open_connections(owner) -%}
    {{ return({'alive': none, 'why': (open | length ~ ' of its connections open: ' ~ open | map(attribute='id') | join(', ')) if open else 'none of its connections is open'}) }}
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
        insert ignore into {{ safeguard._connections_table() }}
            (invocation_id, connection_id, etl_lock, etl_connection_id, recorded_at)
        values ({{ safeguard._sql_string(invocation_id) }}, connection_id(),
                {{ safeguard._sql_string(etl_lock) if etl_lock else 'null' }},
                {{ etl_connection | int if etl_connection else 'null' }}, utc_timestamp())
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
        select p.id, p.command, p.time, left(p.info, 120)
        from {{ safeguard._connections_table() }} as c
        join information_schema.processlist as p on p.id = c.connection_id
        where c.invocation_id = {{ safeguard._sql_string(owner) }}
          and p.id <> connection_id()
          and c.recorded_at >= utc_timestamp() - interval {{ uptime + 1 }} second
    {%- endset -%}
    {%- set found = [] -%}
    {%- for row in run_query(sql).rows -%}
        {%- do found.append({'id': row[0] | int, 'command': row[1], 'seconds': row[2], 'statement': row[3]}) -%}
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
    {%- if life.alive is sameas false -%}
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


{#- Call with the named lock held, after checking _foreign_lease(). -#}
{% macro _take_lease() %}
    {%- set sql -%}
        replace into {{ safeguard._lease_table() }} (lease_name, invocation_id, command, acquired_at)
        values ('run', {{ safeguard._sql_string(invocation_id) }}, {{ safeguard._sql_string(flags.WHICH) }}, utc_timestamp())
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


{#- Deletes the run lease and the recorded connections of an invocation
    (this one by default; recover_run passes the dead one's). -#}
{% macro _give_back_lease(owner=none) %}
    {%- set owner = owner or invocation_id -%}
    {%- do safeguard._execute("delete from " ~ safeguard._lease_table() ~ " where lease_name = 'run' and invocation_id = " ~ safeguard._sql_string(owner)) -%}
    {%- if safeguard._table_exists(safeguard._catalog_schema(), 'safeguard_connections') -%}
        {%- do safeguard._execute("delete from " ~ safeguard._connections_table() ~ " where invocation_id = " ~ safeguard._sql_string(owner)) -%}
    {%- endif -%}
    {%- do safeguard._commit() -%}
{% endmacro %}
