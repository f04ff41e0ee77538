{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy='delete+insert',
        pre_hook="set session transaction isolation level read committed",
        post_hook=["delete from {{ this }} where occurred_at < now() - interval 5 year"]
    )
}}

{%- set event_types = ['moved_in', 'moved_out', 'paid', 'complained'] -%}

with events as (
    select
        id as event_id,
        tenant_id,
        event_type,
        occurred_at,
        payload
    from {{ source('crm', 'events') }}
    {% if is_incremental() %}
    where occurred_at > (select coalesce(max(occurred_at), '1970-01-01') from {{ this }})
    {% endif %}
)

select
    event_id,
    tenant_id,
    event_type,
    occurred_at,
    {%- for event_type in event_types %}
    event_type = '{{ event_type }}' as is_{{ event_type }},
    {%- endfor %}
    json_unquote(payload ->> '$.source') as source_system
from events
{% if is_incremental() and var('backfill_days', none) is not none %}
where occurred_at >= current_date - interval {{ var('backfill_days') }} day
{% endif %}
