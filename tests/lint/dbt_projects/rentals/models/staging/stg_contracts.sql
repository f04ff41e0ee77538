with source as (
    select * from {{ source('crm', 'contracts') }}
),

renamed as (
    select
        id as contract_id,
        tenant_id,
        room_id,
        cast(monthly_rent_cents as decimal(12, 2)) / 100 as monthly_rent,
        signed_on,
        ended_on,
        {{ dbt_utils_surrogate_key(['tenant_id', 'room_id', 'signed_on']) }} as contract_key
    from source
)

select * from renamed
