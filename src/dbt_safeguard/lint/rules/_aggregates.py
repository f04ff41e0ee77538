"""MySQL 8.0's aggregate functions (reference manual 14.19.1), shared by the rules."""

AGGREGATES = frozenset({
    "AVG", "BIT_AND", "BIT_OR", "BIT_XOR", "COUNT", "GROUP_CONCAT", "JSON_ARRAYAGG",
    "JSON_OBJECTAGG", "MAX", "MIN", "STD", "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "SUM",
    "VAR_POP", "VAR_SAMP", "VARIANCE", "ST_COLLECT",
})
