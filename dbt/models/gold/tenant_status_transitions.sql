-- Each status period with the status it followed, labelled for reports.
-- MySQL cannot use a select-list alias elsewhere in the same SELECT, so the
-- labels repeat their CASE expressions instead of referring to each other.
with periods as (
    select
        tenant_id,
        status_code,
        valid_from,
        lag(status_code) over (partition by tenant_id order by valid_from) as previous_status_code,
        lag(valid_from) over (partition by tenant_id order by valid_from) as previous_valid_from
    from {{ ref('tenant_status_history') }}
)

select
    tenant_id,
    valid_from as effective_date,
    previous_status_code,
    status_code,
    case status_code
        when 1 then 'Applicant'
        when 2 then 'Contracted'
        when 3 then 'Active'
        when 4 then 'Notice given'
        when 5 then 'Moved out'
        when 6 then 'Cancelled'
        else 'Unknown'
    end as status_label,
    concat(
        case
            when previous_status_code is null then 'New'
            when previous_status_code = 1 then 'Applicant'
            when previous_status_code = 2 then 'Contracted'
            when previous_status_code = 3 then 'Active'
            when previous_status_code = 4 then 'Notice given'
            when previous_status_code = 5 then 'Moved out'
            when previous_status_code = 6 then 'Cancelled'
            else 'Unknown'
        end,
        ' → ',
        case status_code
            when 1 then 'Applicant'
            when 2 then 'Contracted'
            when 3 then 'Active'
            when 4 then 'Notice given'
            when 5 then 'Moved out'
            when 6 then 'Cancelled'
            else 'Unknown'
        end
    ) as status_transition,
    datediff(valid_from, previous_valid_from) as days_in_previous_status
from periods
order by tenant_id, effective_date
