-- One row per day with any activity. The activities are stacked and then
-- counted, which needs no FULL OUTER JOIN (MySQL has none).
with activities as (
    select
        inquired_on as activity_date,
        'inquiry' as activity
    from {{ ref('stg_inquiries') }}
    union all
    select
        applied_on as activity_date,
        'application' as activity
    from {{ ref('stg_tenants') }}
    union all
    select
        contracted_on as activity_date,
        'contract' as activity
    from {{ ref('int_contracts') }}
    union all
    select
        moved_in_on as activity_date,
        'move_in' as activity
    from {{ ref('int_contracts') }}
    where moved_in_on is not null
    union all
    select
        notified_on as activity_date,
        'moveout_notice' as activity
    from {{ ref('stg_movings') }}
    where moving_type_code = 2
    union all
    select
        moved_out_on as activity_date,
        'moveout' as activity
    from {{ ref('int_contracts') }}
    where moved_out_on is not null
)

select
    activity_date,
    sum(case when activity = 'inquiry' then 1 else 0 end) as inquiries,
    sum(case when activity = 'application' then 1 else 0 end) as applications,
    sum(case when activity = 'contract' then 1 else 0 end) as contracts_signed,
    sum(case when activity = 'move_in' then 1 else 0 end) as move_ins,
    sum(case when activity = 'moveout_notice' then 1 else 0 end) as moveout_notices,
    sum(case when activity = 'moveout' then 1 else 0 end) as moveouts,
    sum(case when activity = 'move_in' then 1 when activity = 'moveout' then -1 else 0 end) as net_move_ins
from activities
group by activity_date
