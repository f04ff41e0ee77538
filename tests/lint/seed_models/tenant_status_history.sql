{{ config(
    materialized='incremental',
    unique_key='history_id',
    post_hook="UPDATE {{ this }} AS t1 INNER JOIN (SELECT DISTINCT tenant_id FROM {{ this }} WHERE valid_from = CURDATE()) AS t2 ON t1.tenant_id = t2.tenant_id SET t1.valid_to = CURDATE() WHERE t1.valid_from < CURDATE() AND t1.valid_to IS NULL"
) }}

WITH current_snapshot AS (
    SELECT
        tenant_id,
        status,
        CURDATE() AS valid_from,
        CAST(NULL AS DATE) AS valid_to
    FROM {{ ref('stg_tenants') }}
)
{% if is_incremental() %},
previous_snapshot AS (
    SELECT tenant_id, status
    FROM {{ this }}
    WHERE valid_to IS NULL
)
{% endif %}

SELECT
    c.tenant_id,
    c.status,
    c.valid_from,
    c.valid_to
FROM current_snapshot AS c
{% if is_incremental() %}
LEFT JOIN previous_snapshot AS p ON p.tenant_id = c.tenant_id
WHERE p.tenant_id IS NULL OR p.status <> c.status
{% endif %}
