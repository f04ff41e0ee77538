-- A closed period of tenant_status_history ends on the day the next one
-- starts: the post-hook leaves no gaps. Returns the periods that do not.
select
    closed.tenant_id,
    closed.valid_from,
    closed.valid_to
from {{ ref('tenant_status_history') }} as closed
left join {{ ref('tenant_status_history') }} as successor
    on
        closed.tenant_id = successor.tenant_id
        and closed.valid_to = successor.valid_from
where
    closed.valid_to is not null
    and successor.tenant_id is null
