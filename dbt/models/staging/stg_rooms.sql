select
    rooms.room_id,
    rooms.apartment_id,
    rooms.room_number,
    rooms.floor as floor_number,
    rooms.size_sqm,
    rooms.monthly_rent,
    rooms.room_status as room_status_code,
    room_statuses.room_status_name,
    room_statuses.is_rentable,
    rooms.updated_at
from {{ source('oltp', 'rooms') }} as rooms
left join {{ ref('room_statuses') }} as room_statuses
    on rooms.room_status = room_statuses.room_status_code
