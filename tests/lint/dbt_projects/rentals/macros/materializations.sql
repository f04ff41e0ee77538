{% materialization insert_only, adapter='mysql' %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {% call statement('main') -%}
        insert into {{ target_relation }} {{ sql }}
    {%- endcall %}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
