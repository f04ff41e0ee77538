select
    r.id as room_id,
    f.feature,
    f.position,
    latest.signed_on as last_signed_on
from {{ source('crm', 'rooms') }} as r
cross join json_table(
    r.features,
    '$[*]' columns (
        position for ordinality,
        feature varchar(64) path '$.name' default '"unknown"' on empty
    )
) as f
left join lateral (
    select c.signed_on
    from {{ ref('stg_contracts') }} as c
    where c.room_id = r.id
    order by c.signed_on desc
    limit 1
) as latest on true
