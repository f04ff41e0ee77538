{#-
    SCD2 history of tenant statuses: one row per tenant per status period,
    valid_to is exclusive and NULL for the period in force.

    Each run takes the OLTP snapshot's date: by default the day of its latest
    tenant change, which is the dump's own as-of date even when two days are
    loaded on the same calendar day (current_date would stamp both with
    today). The var snapshot_date overrides it, e.g. to replay a late dump.
    A tenant gets a new row only when its status differs from its open row.

    full_refresh=false: the history cannot be rebuilt from one OLTP snapshot,
    so `dbt run --full-refresh` must not wipe it.

    dbt-mysql 1.7 has a single incremental behaviour, whatever
    incremental_strategy says: delete the rows whose unique_key is in the new
    batch, then insert the batch. That is delete+insert, and it makes a rerun
    on the same snapshot date replace that date's rows instead of doubling them.
-#}
{{
    config(
        materialized='incremental',
        unique_key=['tenant_id', 'valid_from'],
        incremental_strategy='delete+insert',
        full_refresh=false,
        post_hook=[
            "{% if is_incremental() %}
            update {{ this }} as superseded
            inner join (
                select
                    earlier.tenant_id,
                    earlier.valid_from,
                    min(later.valid_from) as next_valid_from
                from {{ this }} as earlier
                inner join {{ this }} as later
                    on
                        earlier.tenant_id = later.tenant_id
                        and earlier.valid_from < later.valid_from
                where earlier.valid_to is null
                group by earlier.tenant_id, earlier.valid_from
            ) as successors
                on
                    superseded.tenant_id = successors.tenant_id
                    and superseded.valid_from = successors.valid_from
            set superseded.valid_to = successors.next_valid_from
            {% endif %}"
        ]
    )
}}
{#-
    The post-hook closes each open period that a newer one superseded. MySQL
    refuses an UPDATE whose subquery reads the target table (error 1093), but
    accepts a join to a derived table that is materialized; the GROUP BY
    keeps MySQL 8 from merging the derived table back into the UPDATE. On a
    first run there is nothing to close, so the hook renders to nothing.
-#}
{%- set snapshot_override = var('snapshot_date', none) -%}
{%- if snapshot_override is not none
    and not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', snapshot_override | string) -%}
    {{ exceptions.raise_compiler_error(
        "tenant_status_history: var snapshot_date must be a date like 2026-02-06, got '"
        ~ snapshot_override ~ "'; leave it unset to use the snapshot's own date") }}
{%- endif %}

with snapshot_day as (
    {%- if snapshot_override is none %}
        select cast(max(updated_at) as date) as snapshot_date
        from {{ ref('stg_tenants') }}
    {%- else %}
        select cast('{{ snapshot_override }}' as date) as snapshot_date
    {%- endif %}
),

current_statuses as (
    select
        tenants.tenant_id,
        tenants.status_code,
        tenants.status_name,
        snapshot_day.snapshot_date
    from {{ ref('stg_tenants') }} as tenants
    cross join snapshot_day
)

{%- if is_incremental() %},

    open_periods as (
        select
            tenant_id,
            status_code,
            valid_from
        from {{ this }}
        where valid_to is null
    )
{%- endif %}

select
    current_statuses.tenant_id,
    current_statuses.status_code,
    current_statuses.status_name,
    current_statuses.snapshot_date as valid_from,
    cast(null as date) as valid_to
from current_statuses
{%- if is_incremental() %}
left join open_periods
    on current_statuses.tenant_id = open_periods.tenant_id
-- History only moves forward: an older snapshot adds nothing.
where
    open_periods.tenant_id is null
    or (
        open_periods.status_code <> current_statuses.status_code
        and open_periods.valid_from <= current_statuses.snapshot_date
    )
{%- endif %}
