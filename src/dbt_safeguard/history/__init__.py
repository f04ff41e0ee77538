"""What last night did: a run history per protected table, from the package's catalog.

`records` turns the catalog's rows (audits, backups, the swap journal) into
one line per run per table; `terminal` prints them with a sparkline;
`page` writes one self-contained HTML page (inline SVG, no script, nothing
loaded from the network).
"""
