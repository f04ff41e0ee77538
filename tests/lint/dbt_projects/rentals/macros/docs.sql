{% docs tenant_balance %}
What a tenant owes: payments minus rent billed, per tenant. "Balance" < 0 means arrears.
{% enddocs %}
