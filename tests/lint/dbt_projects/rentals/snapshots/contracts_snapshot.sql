{% snapshot contracts_snapshot %}

{{
    config(
        target_schema='snapshots',
        unique_key='id',
        strategy='timestamp',
        updated_at='updated_at',
        invalidate_hard_deletes=True
    )
}}

select id, tenant_id, room_id, monthly_rent_cents, updated_at
from {{ source('crm', 'contracts') }}

{% endsnapshot %}
