-- tenant_status_history gives every tenant exactly one status on any day:
-- no two periods share a start, none overlaps another, none is empty, and
-- each tenant has one open period. Returns the offending periods.
with periods as (
    select
        tenant_id,
        valid_from,
        coalesce(valid_to, cast('9999-12-31' as date)) as valid_until
    from {{ ref('tenant_status_history') }}
)

select
    tenant_id,
    valid_from,
    'shares its start with another period' as problem
from periods
group by tenant_id, valid_from
having count(*) > 1

union all

select
    earlier.tenant_id,
    later.valid_from,
    'starts inside an earlier period' as problem
from periods as earlier
inner join periods as later
    on
        earlier.tenant_id = later.tenant_id
        and earlier.valid_from < later.valid_from
        and later.valid_from < earlier.valid_until

union all

select
    tenant_id,
    valid_from,
    'ends before it starts' as problem
from periods
where valid_until <= valid_from

union all

select
    tenant_id,
    min(valid_from) as valid_from,
    'has no single open period' as problem
from {{ ref('tenant_status_history') }}
group by tenant_id
having sum(case when valid_to is null then 1 else 0 end) <> 1
