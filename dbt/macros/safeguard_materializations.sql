{#- dbt-safeguard: build tables, incrementals, seeds, snapshots and views
    with the package's materializations, which refuse a write without its
    backup and swap table models atomically. dbt's documented way for a
    project to use a package's materialization for a builtin; dbt 1.8+
    requires it. -#}
{% materialization table, adapter='mysql' %}{{ return(safeguard.materialization_table_mysql()) }}{% endmaterialization %}
{% materialization table, adapter='mariadb' %}{{ return(safeguard.materialization_table_mariadb()) }}{% endmaterialization %}
{% materialization incremental, adapter='mysql' %}{{ return(safeguard.materialization_incremental_mysql()) }}{% endmaterialization %}
{% materialization incremental, adapter='mariadb' %}{{ return(safeguard.materialization_incremental_mariadb()) }}{% endmaterialization %}
{% materialization seed, adapter='mysql' %}{{ return(safeguard.materialization_seed_mysql()) }}{% endmaterialization %}
{% materialization seed, adapter='mariadb' %}{{ return(safeguard.materialization_seed_mariadb()) }}{% endmaterialization %}
{% materialization snapshot, adapter='mysql' %}{{ return(safeguard.materialization_snapshot_mysql()) }}{% endmaterialization %}
{% materialization snapshot, adapter='mariadb' %}{{ return(safeguard.materialization_snapshot_mariadb()) }}{% endmaterialization %}
{% materialization view, adapter='mysql' %}{{ return(safeguard.materialization_view_mysql()) }}{% endmaterialization %}
{% materialization view, adapter='mariadb' %}{{ return(safeguard.materialization_view_mariadb()) }}{% endmaterialization %}
