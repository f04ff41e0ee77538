{#- A generic test's stored kwargs with every ref()/source() string turned
    into the relation it names. dbt 1.7 keeps kwargs unrendered (e.g.
    relationships' `to: "ref('parent')"`) and renders them only when it
    compiles the test, which a model's run never does; the relation is taken
    from the test node's depends_on, never by pasting the string into SQL.
    A ref to a node this run has not finished yet defers the test, because
    its rows are not final. Returns {resolved, deferred}. -#}
{% macro _resolved_test_kwargs(test, node, candidate) %}
    {%- set values = {} -%}
    {%- for key, value in test.test_metadata.kwargs.items() if key != 'model' -%}
        {%- set resolved = safeguard._resolved_kwarg(key, value, test, node, candidate) -%}
        {%- if resolved.deferred -%}
            {{ return({'resolved': values, 'deferred': resolved.deferred}) }}
        {%- endif -%}
        {%- do values.update({key: resolved.value}) -%}
    {%- endfor -%}
    {{ return({'resolved': values, 'deferred': none}) }}
{% endmacro %}


{#- One kwarg: dbt renders every string but column_name, and wraps one that
    looks like ref/source/var/env_var(...) in {{ }} first (add_rendered_test_kwargs). -#}
{% macro _resolved_kwarg(key, value, test, node, candidate) %}
    {%- if value is string and key != 'column_name' -%}
        {%- set call = modules.re.match('^\\s*(ref|source|var|env_var)\\s*\\((.*)\\)\\s*$', value, modules.re.S) -%}
        {%- if call -%}
            {{ return(safeguard._resolved_call(key, call.group(1), call.group(2), test, node, candidate)) }}
        {%- elif '{{' in value or '{%' in value -%}
            {{ return(safeguard._rendered_kwarg(key, value)) }}
        {%- endif -%}
    {%- endif -%}
    {{ return({'value': value, 'deferred': none}) }}
{% endmacro %}


{#- Jinja inside a kwarg (`expression: "id >= {{ var('floor') }}"`) is
    rendered in the model's context, as dbt test would. A whole `{{ ... }}`
    keeps its type (dbt renders kwargs natively: a list stays a list).
    ref()/source() inside Jinja are not: the model's run may not call them
    for a node it does not depend on, so such a test is deferred. -#}
{% macro _rendered_kwarg(key, value) %}
    {%- if modules.re.search('\\b(ref|source)\\s*\\(', value) -%}
        {{ return({'deferred': 'its argument ' ~ key ~ ' calls ref() or source() inside Jinja, which only dbt test resolves'}) }}
    {%- endif -%}
    {%- set rendered = render(value) -%}
    {%- set whole = modules.re.match('^\\s*[{][{].*[}][}]\\s*$', value, modules.re.S) -%}
    {{ return({'value': fromyaml(rendered) if whole else rendered, 'deferred': none}) }}
{% endmacro %}


{#- ref('name'), ref('package', 'name'), source('source', 'table'),
    var('name'[, default]), env_var('NAME'[, default]): only string-literal
    arguments, read by regex, never evaluated. -#}
{% macro _resolved_call(key, function, arguments, test, node, candidate) %}
    {#- A version (ref('m', v=2)) selects among versions of one name; the name is what is matched. -#}
    {%- set named = modules.re.sub('[,]\\s*(v|version)\\s*=.*$', '', arguments) -%}
    {%- set literals = modules.re.findall('[\'"]([^\'"]*)[\'"]', named) -%}
    {%- if literals | length == 0 -%}
        {{ return({'deferred': 'its argument ' ~ key ~ ' (' ~ function ~ '(' ~ arguments ~ ')) has no literal name'}) }}
    {%- elif function == 'var' -%}
        {{ return({'value': var(literals[0], literals[1]) if literals | length > 1 else var(literals[0]), 'deferred': none}) }}
    {%- elif function == 'env_var' -%}
        {{ return({'value': env_var(literals[0], literals[1]) if literals | length > 1 else env_var(literals[0]), 'deferred': none}) }}
    {%- endif -%}
    {%- set parent_id = safeguard._kwarg_parent(function, literals, test) -%}
    {%- if parent_id is none -%}
        {{ return({'deferred': 'its argument ' ~ key ~ ' names ' ~ function ~ '(' ~ arguments ~ '), which is not among the test\'s parents'}) }}
    {%- elif parent_id == node.unique_id -%}
        {{ return({'value': candidate, 'deferred': none}) }}
    {%- elif not safeguard._is_final_for_this_run(parent_id, node) -%}
        {{ return({'deferred': 'its parent ' ~ parent_id ~ ' is also built by this run, not before this model'}) }}
    {%- endif -%}
    {%- set parent = graph.sources[parent_id] if function == 'source' else graph.nodes[parent_id] -%}
    {%- if parent.config.get('materialized') == 'ephemeral' -%}
        {{ return({'deferred': 'its parent ' ~ parent_id ~ ' is ephemeral: it has no table to read'}) }}
    {%- endif -%}
    {%- set identifier = parent.identifier if function == 'source' else parent.alias -%}
    {{ return({'value': api.Relation.create(database=parent.database, schema=parent.schema, identifier=identifier), 'deferred': none}) }}
{% endmacro %}


{#- The unique_id, among the test node's depends_on, that a ref/source names. -#}
{% macro _kwarg_parent(function, literals, test) %}
    {%- for parent_id in test.depends_on.nodes -%}
        {%- if function == 'source' and parent_id in graph.sources -%}
            {%- set parent = graph.sources[parent_id] -%}
            {%- if literals | length == 2 and [parent.source_name, parent.name] == literals -%}
                {{ return(parent_id) }}
            {%- endif -%}
        {%- elif function == 'ref' and parent_id in graph.nodes -%}
            {%- set parent = graph.nodes[parent_id] -%}
            {%- if parent.name == literals[-1] and (literals | length == 1 or parent.package_name == literals[0]) -%}
                {{ return(parent_id) }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}
