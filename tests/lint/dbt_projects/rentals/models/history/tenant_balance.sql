{% set balance_columns = dbt_utils_star_columns(['paid', 'billed']) %}

select
    tenant_id,
    {{ balance_columns }},
    sum(paid) - sum(billed) as balance,
    max(updated_at) as updated_at
from (
    select tenant_id, amount as paid, 0 as billed, paid_at as updated_at
    from {{ source('crm', 'payments') }}
    union all
    select tenant_id, 0, monthly_rent, signed_on
    from {{ ref('stg_contracts') }}
) as movements
{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
{% endif %}
group by tenant_id
