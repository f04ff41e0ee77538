-- Completed move-outs: how long the tenant stayed and how much notice they gave.
select
    contract_id,
    tenant_id,
    nationality_code,
    room_id,
    apartment_id,
    apartment_name,
    contract_type_name,
    monthly_rent,
    moved_in_on,
    moveout_notified_on,
    moved_out_on,
    stay_days,
    datediff(moved_out_on, moveout_notified_on) as notice_days
from {{ ref('int_contracts') }}
where moved_out_on is not null
