-- One row per contract (a move-in), with its tenant, room, apartment and,
-- once the tenant gave notice, the move-out that stands.
with move_ins as (
    select
        moving_id,
        tenant_id,
        room_id,
        contract_type_code,
        contract_type_name,
        contracted_on,
        scheduled_on,
        completed_on,
        monthly_rent
    from {{ ref('stg_movings') }}
    where moving_type_code = 1
),

-- A withdrawn notice is cancelled, so at most one move-out per stay stands.
move_outs as (
    select
        tenant_id,
        room_id,
        notified_on,
        scheduled_on,
        completed_on
    from {{ ref('stg_movings') }}
    where moving_type_code = 2 and is_cancelled = 0
)

select
    move_ins.moving_id as contract_id,
    move_ins.tenant_id,
    tenants.full_name as tenant_name,
    tenants.nationality_code,
    tenants.status_code as tenant_status_code,
    tenants.status_name as tenant_status_name,
    move_ins.room_id,
    rooms.room_number,
    rooms.apartment_id,
    apartments.apartment_name,
    apartments.city,
    move_ins.contract_type_code,
    move_ins.contract_type_name,
    move_ins.monthly_rent,
    move_ins.contracted_on,
    move_ins.scheduled_on as move_in_on,
    move_ins.completed_on as moved_in_on,
    move_outs.notified_on as moveout_notified_on,
    move_outs.scheduled_on as moveout_scheduled_on,
    move_outs.completed_on as moved_out_on,
    datediff(move_outs.completed_on, move_ins.completed_on) as stay_days
from move_ins
inner join {{ ref('stg_tenants') }} as tenants
    on move_ins.tenant_id = tenants.tenant_id
inner join {{ ref('stg_rooms') }} as rooms
    on move_ins.room_id = rooms.room_id
inner join {{ ref('stg_apartments') }} as apartments
    on rooms.apartment_id = apartments.apartment_id
left join move_outs
    on
        move_ins.tenant_id = move_outs.tenant_id
        and move_ins.room_id = move_outs.room_id
