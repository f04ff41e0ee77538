{#- Inserts one safeguard_audits row per check of `audit`. Does NOT commit:
    an incremental writes its verdict inside the merge's transaction, so the
    merge and its verdict commit together; other callers commit after. -#}
{% macro _record_audit(audit, candidate=none) %}
    {%- set values = [] -%}
    {%- for check in audit.checks -%}
        {%- set row -%}
            ({{ safeguard._sql_string(invocation_id) }}, {{ safeguard._sql_string(flags.WHICH) }},
             {{ safeguard._sql_string(model.unique_id) }}, {{ safeguard._sql_string(this.schema) }},
             {{ safeguard._sql_string(this.identifier) }}, {{ safeguard._sql_string(audit.materialized) }},
             {{ safeguard._sql_string(audit.previous.materialized if audit.previous else none) }},
             {{ safeguard._sql_string(check.check[:255]) }}, {{ 1 if check.passed else 0 }},
             {{ safeguard._sql_string(audit.verdict) }},
             {{ 'null' if audit.rows_before is none else audit.rows_before }}, {{ 'null' if audit.rows_after is none else audit.rows_after }},
             {{ safeguard._sql_string(check.detail[:1024]) }},
             {{ safeguard._sql_string(candidate.schema if candidate else none) }},
             {{ safeguard._sql_string(candidate.identifier if candidate else none) }},
             {{ safeguard._sql_string(audit.allowed_by) }}, utc_timestamp(6))
        {%- endset -%}
        {%- do values.append(row) -%}
    {%- endfor -%}
    {%- set columns = 'invocation_id, command, model_unique_id, source_schema, source_table, materialized, previous_materialized, check_name, passed, verdict, rows_before, rows_after, detail, candidate_schema, candidate_table, allowed_by, created_at' -%}
    {%- do safeguard._execute('insert into ' ~ safeguard._audits_table() ~ ' (' ~ columns ~ ') values ' ~ values | join(', ')) -%}
{% endmacro %}


{#- Logs a build that passed or was allowed; an allowed one is logged as an
    override, naming the setting that let it through. -#}
{% macro _log_audit(audit) %}
    {%- set name = this.schema ~ '.' ~ this.identifier -%}
    {%- if audit.verdict == 'allowed' -%}
        {%- for check in audit.checks | rejectattr('passed') -%}
            {%- do safeguard._log('ALLOW', name ~ ': ' ~ check.check ~ ' ' ~ check.detail ~ ', allowed by ' ~ audit.allowed_by) -%}
        {%- endfor -%}
    {%- else -%}
        {%- do safeguard._log('AUDIT', name ~ ': ' ~ audit.checks | map(attribute='check') | join(', ') ~ ' passed (' ~ audit.checks[0].detail ~ ')') -%}
    {%- endif -%}
{% endmacro %}


{#- Keeps a refused candidate for inspection as a catalog table of kind
    `refused`: restore never picks it, keep_last never counts it, retention
    prunes it. how='rename' moves the table (a table model's `__dbt_tmp`,
    one atomic RENAME); how='copy' copies it (an incremental's increment,
    a temporary table that dies with the session); how='select' stores the
    model's own SELECT (a view's rows; source none). The row is `planned`
    (rename) or `pending` (copy) first, so a crash in between is
    reconciled like any backup. Returns the kept relation. -#}
{% macro _keep_refused(source, how) %}
    {%- set planned = safeguard._refused_entry('x') -%}
    {%- set ts = safeguard._free_ts([{'schema': this.schema, 'table': this.identifier, 'backup_schema': planned.backup_schema}], 'refused', run_started_at) -%}
    {%- set entry = safeguard._refused_entry(ts) -%}
    {%- do safeguard._ensure_schema(entry.backup_schema) -%}
    {%- set kept = safeguard._quote_table(entry.backup_schema, entry.backup_table) -%}
    {%- set from = safeguard._quote_table(source.schema, source.identifier) if source is not none else none -%}
    {%- if how == 'rename' -%}
        {%- do safeguard._record_backup(entry, 'planned', none, 'kept at the swap: a refused candidate') -%}
        {%- do safeguard._run_ddl_bounded('rename table ' ~ from ~ ' to ' ~ kept, 'keeping the refused candidate of ' ~ this) -%}
        {%- do adapter.cache_dropped(source) -%}
    {%- else -%}
        {%- do safeguard._record_backup(entry, 'pending', none, 'refused ' ~ ('increment' if how == 'copy' else 'view rows')) -%}
        {%- do safeguard._execute('create table ' ~ kept ~ ' as select * from ' ~ (from if how == 'copy' else '(' ~ sql ~ ') as safeguard_candidate')) -%}
    {%- endif -%}
    {%- do safeguard._update_backup(entry.backup_schema, entry.backup_table, 'verified', safeguard._fingerprint(entry.backup_schema, entry.backup_table), 'refused candidate of invocation ' ~ invocation_id) -%}
    {{ return(api.Relation.create(schema=entry.backup_schema, identifier=entry.backup_table, type='table')) }}
{% endmacro %}


{% macro _refused_entry(ts) %}
    {%- set entry = safeguard._backup_entry(this.schema, this.identifier, ts) -%}
    {%- do entry.update({'kind': 'refused', 'backup_table': safeguard._backup_name(this.schema, this.identifier, entry.backup_schema, 'refused', ts)}) -%}
    {{ return(entry) }}
{% endmacro %}


{#- A refused build: keep the candidate, record the verdict, fail the model
    with the one line a person needs. dbt shows the model as ERROR and
    finish_run treats it like any failed model (it restores the pre-run
    backup if anything of the build was committed: `committed`). -#}
{% macro _refuse_publish(audit, candidate_source, how, committed=false) %}
    {%- set kept = safeguard._keep_refused(candidate_source, how) -%}
    {%- do safeguard._record_audit(audit, kept) -%}
    {%- do safeguard._commit() -%}
    {%- set failed = audit.checks | rejectattr('passed') | list -%}
    {%- set what = [] -%}
    {%- for check in failed -%}{%- do what.append(check.check ~ ': ' ~ check.detail) -%}{%- endfor -%}
    {%- set where = 'the refused candidate is kept as ' ~ kept.schema ~ '.' ~ kept.identifier -%}
    {{ exceptions.raise_compiler_error("safeguard: refused to publish " ~ this.schema ~ "." ~ this.identifier ~ " (" ~ model.unique_id ~ "): " ~ what | join('; ') ~ "; " ~ where ~ "; " ~ ('an implicit commit (ALTER) made part of the build stick, so finish_run puts the pre-run backup back' if committed else 'the live table is unchanged') ~ "; allow this build with --vars '{safeguard_allow: [" ~ model.name ~ "]}'") }}
{% endmacro %}


{#- An allowed destructive build keeps its pre-run table until release_pin:
    the verified backup of this invocation (a copy, or the table a table
    model kept at its swap). -#}
{% macro _pin_pre_run(audit) %}
    {%- if audit.verdict != 'allowed' and not audit.destructive -%}{{ return(none) }}{%- endif -%}
    {%- set rows = safeguard._catalog_rows({'source_schema': this.schema, 'source_table': this.identifier, 'invocation_id': invocation_id, 'kind': 'backup', 'status': 'verified'}) -%}
    {%- if rows -%}
        {%- do safeguard._pin_backup(rows[0].backup_schema, rows[0].backup_table, 'pinned: ' ~ ('allowed by ' ~ audit.allowed_by if audit.allowed_by else 'a destructive rebuild') ~ ', invocation ' ~ invocation_id) -%}
    {%- endif -%}
{% endmacro %}


{#- After a published (or allowed) build: its verdict rows, the log line,
    and the pin of an allowed destructive build's pre-run table. -#}
{% macro _publish_audit(audit, commit=true) %}
    {%- do safeguard._record_audit(audit) -%}
    {%- if commit -%}{%- do safeguard._commit() -%}{%- endif -%}
    {%- do safeguard._log_audit(audit) -%}
{% endmacro %}
