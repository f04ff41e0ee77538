select
    apartment_id,
    apartment_name,
    prefecture,
    city,
    nearest_station,
    walk_minutes,
    opened_on,
    created_at,
    updated_at
from {{ source('oltp', 'apartments') }}
