{#- MariaDB builds with the `mysql` macros (this plugin depends on it), but dbt
    looks materializations up by exact adapter type, not through plugin
    dependencies: these name the mysql ones for `mariadb`. The safeguard
    package calls them by name (materialization_incremental_mariadb, ...). -#}
{% materialization incremental, adapter='mariadb' %}
    {{ return(materialization_incremental_mysql()) }}
{% endmaterialization %}

{% materialization snapshot, adapter='mariadb' %}
    {{ return(materialization_snapshot_mysql()) }}
{% endmaterialization %}
