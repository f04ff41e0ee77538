{% snapshot tenants_snapshot %}
    {{ config(unique_key='id', strategy='check', check_cols=['name', 'email']) }}

    select id, name, email from {{ source('crm', 'tenants') }}
{% endsnapshot %}
