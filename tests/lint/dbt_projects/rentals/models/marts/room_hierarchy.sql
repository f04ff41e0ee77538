with recursive tree as (
    select id, parent_id, name, cast(name as char(500)) as path, 0 as depth
    from {{ source('crm', 'rooms') }}
    where parent_id is null
    union all
    select r.id, r.parent_id, r.name, concat(t.path, ' > ', r.name), t.depth + 1
    from {{ source('crm', 'rooms') }} as r
    join tree as t on r.parent_id = t.id
)

select id as room_id, path, depth from tree
