select id as tenant_id, name as tenant_name, email
from {{ source('crm', 'tenants') }}
