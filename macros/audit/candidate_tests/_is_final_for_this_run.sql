{#- Whether a test's parent already holds its final rows for this run, so a
    check against it now gives the verdict `dbt test` would: a source; a
    node this invocation does not build (not in selected_resources; a
    run-operation builds nothing); or an ancestor of the model, which dbt
    builds before it. A selected node that is not an ancestor may run
    later or at the same time on another thread. When dbt gives no
    selection in a command that builds (seen on `dbt retry`), nothing is
    known, so only ancestors count. -#}
{% macro _is_final_for_this_run(parent_id, node) %}
    {%- if parent_id.startswith('source.') or flags.WHICH == 'run-operation' -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set selected = selected_resources or [] -%}
    {%- if selected | length > 0 and parent_id not in selected -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(parent_id in safeguard._ancestors(node)) }}
{% endmacro %}


{#- Every node a node depends on, directly or not. The queue grows while
    it is walked (a Jinja for over a list follows appends); each id is
    expanded once, so the walk is bounded by the graph's size. -#}
{% macro _ancestors(node) %}
    {%- set seen = [] -%}
    {%- set queue = node.depends_on.nodes | list -%}
    {%- for unique_id in queue -%}
        {%- if unique_id not in seen -%}
            {%- do seen.append(unique_id) -%}
            {%- if unique_id in graph.nodes -%}
                {%- do queue.extend(graph.nodes[unique_id].depends_on.nodes) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(seen) }}
{% endmacro %}
