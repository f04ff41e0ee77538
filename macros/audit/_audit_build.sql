{#- Write-audit-publish: the one classifier every package materialization
    calls on a protected model's candidate before it is published (the
    table model's `__dbt_tmp` before its RENAME swap, an incremental's merge
    before its COMMIT). Returns the audit:
    {'verdict': 'published' | 'allowed' | 'refused', 'checks': [...],
     'rows_before', 'rows_after', 'materialized', 'previous', 'allowed_by',
     'destructive'}.
    Each check is {'check', 'passed', 'detail'}.
    - replaced: _rows_replaced's {'rows', 'moved_from'}: the rows the
      candidate replaces (none: nothing to lose), and the old relation when
      the model moved to a new alias or schema;
    - candidate: a relation holding the candidate rows (counted here
      unless the caller knows rows_after from the statement that wrote them);
    - increment: none, or a relation holding the rows the run merged;
    - destructive: a rebuild that drops what was there (--full-refresh, a
      change of materialization or relation); an allowed one is pinned. -#}
{% macro _audit_build(materialized, candidate, replaced, increment=none, destructive=false, rows_after=none) %}
    {%- set previous = safeguard._previous_build(model) -%}
    {%- set rows_before = replaced.rows -%}
    {%- set rows_after = rows_after if rows_after is not none and rows_after >= 0 else safeguard._row_count(candidate) -%}
    {%- set rule = safeguard._volume_rule(materialized, previous) -%}
    {%- set checks = safeguard._volume_checks(rule, rows_before, rows_after) -%}
    {%- if replaced.moved_from -%}
        {%- do checks[0].update({'detail': checks[0].detail ~ ' (moved from ' ~ replaced.moved_from ~ ')'}) -%}
    {%- endif -%}
    {%- do checks.extend(safeguard._test_checks(candidate, increment)) -%}
    {%- set failed = checks | rejectattr('passed') | list -%}
    {%- set allowed_by = safeguard._allowed_by(model) if failed else none -%}
    {{ return({
        'verdict': 'published' if not failed else ('allowed' if allowed_by else 'refused'),
        'checks': checks, 'rows_before': rows_before, 'rows_after': rows_after,
        'materialized': materialized, 'previous': previous, 'allowed_by': allowed_by,
        'destructive': destructive or rule.changed or replaced.moved_from is not none,
    }) }}
{% endmacro %}


{#- The model's last published build as recorded by its audits:
    {'materialized', 'schema', 'table'}, or none before its first audit. -#}
{% macro _previous_build(node) %}
    {%- set sql -%}
        select /* safeguard_audit */ materialized, source_schema, source_table from {{ safeguard._audits_table() }}
        where model_unique_id = {{ safeguard._sql_string(node.unique_id) }}
          and verdict in ('published', 'allowed')
        order by audit_id desc limit 1
    {%- endset -%}
    {%- set rows = run_query(sql).rows -%}
    {%- if not rows -%}{{ return(none) }}{%- endif -%}
    {{ return({'materialized': rows[0]['materialized'], 'schema': rows[0]['source_schema'], 'table': rows[0]['source_table']}) }}
{% endmacro %}


{#- Which volume rule holds. A history (incremental, snapshot) never loses
    rows in a run; a table model or seed may shrink by at most
    max_shrink_percent. A model whose materialization changed keeps its
    PREVIOUS materialization's rule: a history rebuilt as a table is still
    a history. -#}
{% macro _volume_rule(materialized, previous) %}
    {%- set histories = ['incremental', 'snapshot'] -%}
    {%- set before = previous.materialized if previous is not none else materialized -%}
    {%- set changed = previous is not none and before != materialized -%}
    {{ return({'keeps_all_rows': before in histories, 'before': before, 'changed': changed}) }}
{% endmacro %}


{#- The volume checks of one build, with the numbers as the error prints them. -#}
{% macro _volume_checks(rule, rows_before, rows_after) %}
    {%- if rows_before is none or rows_before == 0 -%}
        {{ return([{'check': 'volume', 'passed': true, 'detail': 'rows ' ~ safeguard._rows_change(rows_before or 0, rows_after) ~ ', nothing to lose'}]) }}
    {%- endif -%}
    {%- set change = 'rows ' ~ safeguard._rows_change(rows_before, rows_after) -%}
    {%- set why = '(its previous materialization, ' ~ rule.before ~ ')' if rule.changed else '(' ~ rule.before ~ ')' -%}
    {%- set changed = ' ' ~ why if rule.changed else '' -%}
    {%- if rows_after == 0 and not safeguard._model_setting(model, 'allow_empty') -%}
        {{ return([{'check': 'empty', 'passed': false, 'detail': change ~ ', an empty build never replaces a non-empty table' ~ changed}]) }}
    {%- endif -%}
    {%- if rule.keeps_all_rows -%}
        {{ return([{'check': 'volume', 'passed': rows_after >= rows_before, 'detail': change ~ ', limit no row lost ' ~ why}]) }}
    {%- endif -%}
    {%- set limit = safeguard._model_setting(model, 'max_shrink_percent') -%}
    {%- set shrink = (rows_before - rows_after) * 100.0 / rows_before -%}
    {{ return([{'check': 'volume', 'passed': shrink <= limit, 'detail': change ~ ', limit −' ~ safeguard._percent(limit) ~ ' %' ~ changed}]) }}
{% endmacro %}


{#- `1,000,099 → 99 (−99.99 %)` -#}
{% macro _rows_change(before, after) %}
    {%- if before == 0 -%}
        {{ return('{:,}'.format(before) ~ ' → ' ~ '{:,}'.format(after)) }}
    {%- endif -%}
    {%- set change = (after - before) * 100.0 / before -%}
    {%- set sign = '−' if change < 0 else '+' -%}
    {{ return('{:,}'.format(before) ~ ' → ' ~ '{:,}'.format(after) ~ ' (' ~ sign ~ '%.2f' | format(change | abs) ~ ' %)') }}
{% endmacro %}


{% macro _percent(value) %}
    {{ return(value | int if value == value | int else value) }}
{% endmacro %}


{#- The audit's statements carry `safeguard_audit` in their text, so the
    benchmark finds them in the server's statement log. -#}
{% macro _row_count(relation) %}
    {{ return(run_query('select /* safeguard_audit */ count(*) from ' ~ safeguard._quote_table(relation.schema, relation.identifier)).rows[0][0] | int) }}
{% endmacro %}


{#- The model's own tests against the candidate (macros/audit/
    candidate_tests): each failing test is a refused check named after it;
    a deferred one is left to `dbt test` (that macro logs it). -#}
{% macro _test_checks(candidate, increment) %}
    {%- if candidate is none or safeguard._candidate_test_failures is not defined -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = safeguard._candidate_test_failures(model, candidate, increment) -%}
    {%- set checks = [] -%}
    {%- for test in found.checked if test not in found.failures | map(attribute='test') | list -%}
        {%- do checks.append({'check': test, 'passed': true, 'detail': 'no failing row'}) -%}
    {%- endfor -%}
    {%- for failure in found.failures -%}
        {%- do checks.append({'check': failure.test, 'passed': false, 'detail': '{:,}'.format(failure.failing_rows) ~ ' failing row(s)' ~ ((': ' ~ failure.detail) if failure.detail else '')}) -%}
    {%- endfor -%}
    {{ return(checks) }}
{% endmacro %}


{#- What lets a refused build of this node through in this run, or none:
    the var safeguard_allow naming it, or, for a --full-refresh, the older
    safeguard_allow_full_refresh var or meta allow_full_refresh. -#}
{% macro _allowed_by(node) %}
    {%- set names = safeguard._setting('allow') -%}
    {%- if node.name in names or node.unique_id in names -%}
        {{ return("--vars '{safeguard_allow: [" ~ node.name ~ "]}'") }}
    {%- endif -%}
    {%- if node.resource_type == 'model' and should_full_refresh() and safeguard._full_refresh_allowed(node) -%}
        {{ return('safeguard_allow_full_refresh') }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{#- What a build replaces, for its volume check: the rows of the existing
    table, or, when the model's last published relation was elsewhere (a
    new alias or schema) and that table is still there, the rows of that
    table, which the new relation takes over. rows: none when nothing
    with data is replaced (a first build, a view). -#}
{% macro _rows_replaced(existing_relation) %}
    {%- if existing_relation is not none and existing_relation.type == 'table' -%}
        {{ return({'rows': safeguard._row_count(existing_relation), 'moved_from': none}) }}
    {%- endif -%}
    {%- set previous = safeguard._previous_build(model) -%}
    {%- if previous is not none and (previous.schema, previous.table) != (this.schema, this.identifier)
          and safeguard._table_exists(previous.schema, previous.table) -%}
        {%- set old = api.Relation.create(schema=previous.schema, identifier=previous.table, type='table') -%}
        {%- do safeguard._log('MOVED', model.name ~ ' was published as ' ~ previous.schema ~ '.' ~ previous.table ~ ', which is still there: its new build is audited against it') -%}
        {{ return({'rows': safeguard._row_count(old), 'moved_from': previous.schema ~ '.' ~ previous.table}) }}
    {%- endif -%}
    {{ return({'rows': none, 'moved_from': none}) }}
{% endmacro %}
