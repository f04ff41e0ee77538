select
    inquiries.inquiry_id,
    inquiries.apartment_id,
    inquiries.channel as channel_code,
    inquiry_channels.channel_name,
    inquiries.nationality_code,
    inquiries.preferred_move_in as preferred_move_in_on,
    inquiries.inquiry_status as inquiry_status_code,
    case inquiries.inquiry_status
        when 1 then 'New'
        when 2 then 'Contacted'
        when 3 then 'Converted'
        when 4 then 'Lost'
        else 'Unknown'
    end as inquiry_status,
    inquiries.tenant_id,
    cast(inquiries.inquired_at as date) as inquired_on,
    inquiries.inquired_at,
    inquiries.updated_at
from {{ source('oltp', 'inquiries') }} as inquiries
left join {{ ref('inquiry_channels') }} as inquiry_channels
    on inquiries.channel = inquiry_channels.channel_code
