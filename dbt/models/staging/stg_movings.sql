select
    movings.moving_id,
    movings.tenant_id,
    movings.room_id,
    movings.moving_type as moving_type_code,
    moving_types.moving_type_name,
    movings.contract_type as contract_type_code,
    contract_types.contract_type_name,
    movings.contracted_on,
    movings.notified_on,
    movings.scheduled_on,
    movings.completed_on,
    case when movings.completed_on is null then 0 else 1 end as is_completed,
    movings.is_cancelled,
    movings.monthly_rent,
    movings.created_at,
    movings.updated_at
from {{ source('oltp', 'movings') }} as movings
left join {{ ref('moving_types') }} as moving_types
    on movings.moving_type = moving_types.moving_type_code
left join {{ ref('contract_types') }} as contract_types
    on movings.contract_type = contract_types.contract_type_code
