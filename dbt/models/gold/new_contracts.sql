-- Contracts as they are signed, with the channel that brought the tenant.
select
    contracts.contract_id,
    contracts.contracted_on,
    contracts.tenant_id,
    contracts.nationality_code,
    contracts.apartment_id,
    contracts.apartment_name,
    contracts.room_id,
    contracts.contract_type_code,
    contracts.contract_type_name,
    contracts.monthly_rent,
    contracts.move_in_on,
    inquiries.channel_name as inquiry_channel_name,
    datediff(contracts.contracted_on, inquiries.inquired_on) as days_from_inquiry
from {{ ref('int_contracts') }} as contracts
inner join {{ ref('stg_tenants') }} as tenants
    on contracts.tenant_id = tenants.tenant_id
left join {{ ref('stg_inquiries') }} as inquiries
    on tenants.inquiry_id = inquiries.inquiry_id
