with recursive days (day) as (
    select cast('{{ var("history_start") }}' as date)
    union all
    select day + interval 1 day from days where day < current_date
)

select
    day,
    year(day) as year,
    quarter(day) as quarter,
    dayofweek(day) in (1, 7) as is_weekend
from days
