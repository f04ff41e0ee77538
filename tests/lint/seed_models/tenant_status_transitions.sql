{{ config(materialized='table') }}

WITH history AS (
    SELECT
        tenant_id,
        status,
        LAG(status) OVER (PARTITION BY tenant_id ORDER BY valid_from) AS previous_status,
        valid_from AS effective_date
    FROM {{ ref('tenant_status_history') }}
),

labelled AS (
    SELECT
        tenant_id,
        effective_date,
        CASE previous_status WHEN 1 THEN 'active' WHEN 2 THEN 'notice' ELSE 'other' END AS previous_status_label,
        CASE status WHEN 1 THEN 'active' WHEN 2 THEN 'notice' ELSE 'other' END AS status_label,
        CONCAT(
            CASE previous_status WHEN 1 THEN 'active' WHEN 2 THEN 'notice' ELSE 'other' END,
            ' -> ',
            CASE status WHEN 1 THEN 'active' WHEN 2 THEN 'notice' ELSE 'other' END
        ) AS status_transition
    FROM history
    WHERE previous_status IS NOT NULL
)

SELECT tenant_id, effective_date, previous_status_label, status_label, status_transition
FROM labelled
ORDER BY tenant_id, effective_date
