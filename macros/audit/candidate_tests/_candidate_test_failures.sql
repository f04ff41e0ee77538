{#- The model's own generic tests (severity error), evaluated on a candidate
    before it is published, under any command (plain `dbt run` too): dbt runs
    tests only in `dbt test`/`build`, and there after the table has been
    replaced (dbt-core#5660). Each test's own macro builds the SQL, with
    `model` replaced by the candidate, or by the rows this run touched when an
    increment is given; dbt's get_test_sql counts it in one query, with the
    test's fail_calc, error_if and limit. A test that cannot be evaluated now
    (its parent is not final yet, its macro is missing, a kwarg holds Jinja)
    is deferred, never guessed. Returns
    {checked: [names], failures: [{test, failing_rows, detail}], deferred: [{test, reason}]}. -#}
{% macro _candidate_test_failures(node, candidate, increment=none) %}
    {%- set result = {'checked': [], 'failures': [], 'deferred': []} -%}
    {%- if not execute -%}
        {{ return(result) }}
    {%- endif -%}
    {%- set name = node.schema ~ '.' ~ node.alias -%}
    {%- for test in safeguard._error_tests(node) -%}
        {%- set plan = safeguard._plan_candidate_test(test, node, candidate, increment) -%}
        {%- if plan.deferred -%}
            {%- do result.deferred.append({'test': test.name, 'reason': plan.deferred}) -%}
            {%- do safeguard._log('DEFER', name ~ ' ' ~ test.name ~ ': ' ~ plan.deferred ~ '; left to dbt test') -%}
        {%- else -%}
            {%- do safeguard._evaluate_check(result, name, test.name, plan, test.config) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set key_plan = safeguard._unique_key_plan(node, candidate, increment) -%}
    {%- if key_plan is not none and key_plan.deferred -%}
        {%- do result.deferred.append({'test': key_plan.name, 'reason': key_plan.deferred}) -%}
        {%- do safeguard._log('DEFER', name ~ ' ' ~ key_plan.name ~ ': ' ~ key_plan.deferred) -%}
    {%- elif key_plan is not none -%}
        {%- do safeguard._evaluate_check(result, name, key_plan.name, key_plan, {}) -%}
    {%- endif -%}
    {%- do safeguard._log('TESTS', name ~ ': ' ~ result.checked | length ~ ' check(s) on the candidate, '
                                   ~ result.failures | length ~ ' failed, ' ~ result.deferred | length ~ ' left to dbt test') -%}
    {{ return(result) }}
{% endmacro %}


{#- The enabled generic tests of severity error attached to a node, in a
    stable order. dbt sets attached_node on a generic test to the model (seed,
    snapshot) whose yml declares it; a relationships test also depends on its
    parent, which is why depends_on alone would attach it twice. -#}
{% macro _error_tests(node) %}
    {%- set tests = [] -%}
    {%- for test in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if test.resource_type == 'test' and test.get('test_metadata')
              and test.get('attached_node') == node.unique_id
              and test.config.get('enabled', true)
              and (test.config.get('severity') or 'error') | lower == 'error' -%}
            {%- do tests.append(test) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tests) }}
{% endmacro %}


{#- Counts one planned check with dbt's own get_test_sql (fail_calc,
    warn_if/error_if, limit: what the test materialization runs), so a
    check fails exactly when `dbt test` would make it an error. -#}
{% macro _evaluate_check(result, name, test_name, plan, config) %}
    {%- set fail_calc = config.get('fail_calc') or 'count(*)' -%}
    {%- set error_if = config.get('error_if') or '!= 0' -%}
    {%- set warn_if = config.get('warn_if') or '!= 0' -%}
    {%- set sql = get_test_sql(plan.sql, fail_calc, warn_if, error_if, config.get('limit')) -%}
    {%- set row = run_query(sql).rows[0] -%}
    {%- do result.checked.append(test_name) -%}
    {#- dbt-mysql's get_test_sql answers 'true'/'false' strings; the default, a boolean. -#}
    {%- if row['should_error'] | string | lower in ('true', '1') -%}
        {%- set failing = row['failures'] | int -%}
        {%- set detail = 'error_if ' ~ error_if ~ ', on ' ~ plan.scope -%}
        {%- do result.failures.append({'test': test_name, 'failing_rows': failing, 'detail': detail}) -%}
        {%- do safeguard._log('FAIL', name ~ ' ' ~ test_name ~ ': ' ~ failing ~ ' failing row(s) (' ~ detail ~ ')') -%}
    {%- endif -%}
{% endmacro %}
