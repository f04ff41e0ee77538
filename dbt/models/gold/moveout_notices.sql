{#-
    Every move-out notice, kept up to date incrementally: each run takes the
    notices the OLTP database changed since the last run (given, withdrawn
    or completed) and dbt-mysql replaces them by moving_id (delete+insert,
    its only incremental behaviour).
-#}
{{
    config(
        materialized='incremental',
        unique_key='moving_id',
        incremental_strategy='delete+insert'
    )
}}

select
    movings.moving_id,
    movings.tenant_id,
    movings.room_id,
    rooms.apartment_id,
    movings.notified_on,
    movings.scheduled_on as planned_moveout_on,
    datediff(movings.scheduled_on, movings.notified_on) as notice_days,
    movings.is_cancelled as is_withdrawn,
    movings.is_completed,
    movings.updated_at as source_updated_at
from {{ ref('stg_movings') }} as movings
inner join {{ ref('stg_rooms') }} as rooms
    on movings.room_id = rooms.room_id
where
    movings.moving_type_code = 2
    {%- if is_incremental() %}
        -- coalesce: an empty table (no notice yet) must not filter out everything.
        and movings.updated_at >= (
            select coalesce(max(source_updated_at), cast('1970-01-01' as datetime)) from {{ this }}
        )
    {%- endif %}
