-- A grouped CTE grouped again: (tenant_id, month) determines every column of monthly.
with monthly as (
    select
        tenant_id,
        date_format(paid_at, '%Y-%m-01') as month,
        sum(amount) as paid,
        count(*) as payments
    from {{ source('crm', 'payments') }}
    group by tenant_id, date_format(paid_at, '%Y-%m-01')
)

select
    m.tenant_id,
    m.month,
    m.paid,
    m.payments,
    count(c.contract_id) as contracts
from monthly as m
left join {{ ref('stg_contracts') }} as c on c.tenant_id = m.tenant_id
group by m.tenant_id, m.month
