-- Contact details (email, phone) stay in the OLTP database: nothing
-- downstream needs them.
select
    tenants.tenant_id,
    tenants.inquiry_id,
    tenants.full_name,
    tenants.full_name_kana,
    case tenants.gender
        when 'M' then 'male'
        when 'F' then 'female'
        when 'X' then 'other'
        else 'unknown'
    end as gender,
    tenants.nationality_code,
    nationalities.nationality_name,
    tenants.birth_date,
    tenants.status as status_code,
    tenant_statuses.status_name,
    tenants.room_id,
    tenants.contract_type as contract_type_code,
    tenants.notes,
    cast(tenants.created_at as date) as applied_on,
    tenants.created_at,
    tenants.updated_at
from {{ source('oltp', 'tenants') }} as tenants
left join {{ ref('tenant_statuses') }} as tenant_statuses
    on tenants.status = tenant_statuses.status_code
left join {{ ref('nationalities') }} as nationalities
    on tenants.nationality_code = nationalities.nationality_code
