select
    tenant_id,
    totals.paid,
    rank() over (order by totals.paid desc) as paid_rank,
    sum(totals.paid) over (
        order by totals.paid desc rows between unbounded preceding and current row
    ) as running_paid,
    lag(totals.paid, 1) over w as previous_paid,
    first_value(tenant_id) over w as top_tenant,
    ntile(4) over w as quartile
from (
    select tenant_id, sum(amount) as paid, max(paid_at) as last_paid_at
    from {{ source('crm', 'payments') }}
    group by tenant_id
) as totals
window w as (order by totals.paid desc)
