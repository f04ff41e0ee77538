select
    id as tenant_id,
    trim(name) as tenant_name,
    lower(email) as email,
    json_unquote(json_extract(profile, '$.locale')) as locale
from {{ source('crm', 'tenants') }}
