{#- How one generic test is evaluated on the candidate: its macro, its
    kwargs resolved to relations, the model it reads (scoped and filtered by
    its `where`), and the SQL the macro renders. Returns {sql, scope,
    deferred}; deferred is the reason when it cannot be evaluated now. -#}
{% macro _plan_candidate_test(test, node, candidate, increment) %}
    {%- set meta = test.test_metadata -%}
    {%- set macro = safeguard._generic_test_macro(meta.namespace, meta.name) -%}
    {%- if macro is none -%}
        {{ return({'deferred': 'its macro ' ~ (meta.namespace ~ '.' if meta.namespace else '') ~ 'test_' ~ meta.name ~ ' is not available to this project'}) }}
    {%- endif -%}
    {%- set kwargs = safeguard._resolved_test_kwargs(test, node, candidate) -%}
    {%- if kwargs.deferred -%}
        {{ return({'deferred': kwargs.deferred}) }}
    {%- endif -%}
    {%- set scoped = safeguard._scoped_model(meta.namespace, meta.name, kwargs.resolved, candidate, increment) -%}
    {%- set where = test.config.get('where') -%}
    {#- dbt's get_where_subquery: the same derived table around the scoped rows. -#}
    {%- set model = '(select * from ' ~ scoped.model ~ ' where ' ~ where ~ ') dbt_subquery' if where else scoped.model -%}
    {%- do kwargs.resolved.update({'model': model}) -%}
    {{ return({'sql': macro(**kwargs.resolved), 'scope': scoped.scope, 'deferred': none}) }}
{% endmacro %}


{#- The macro dbt would call for a generic test: `test_<name>` of its
    package namespace, or, for dbt's built-ins (no namespace), the name as
    the project resolves it (a root-project override first, then dbt's). -#}
{% macro _generic_test_macro(namespace, name) %}
    {%- set macro_name = 'test_' ~ name -%}
    {%- if namespace -%}
        {%- set package = context.get(namespace) -%}
        {{ return(package.get(macro_name) if package is mapping else none) }}
    {%- endif -%}
    {{ return(context.get(macro_name)) }}
{% endmacro %}
