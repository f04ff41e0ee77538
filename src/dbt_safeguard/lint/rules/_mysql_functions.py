"""The names of MySQL 8.0's functions, as data: what SG11 checks calls against.

Source: the MySQL 8.0 Reference Manual, section 14.1 "Built-In Function and
Operator Reference" (Table 14.1,
https://dev.mysql.com/doc/refman/8.0/en/built-in-function-reference.html) and
section 14.2 "Loadable Function Reference" (Table 14.2,
https://dev.mysql.com/doc/refman/8.0/en/loadable-function-reference.html), in
the edition of the 8.0 manual that numbers the functions chapter 14 and whose
"Introduced" column reaches 8.0.33. Read on 2026-12-08 from stored copies, not
the live site: the start of those pages (dev.mysql.com and the docs.oracle.com
E17952_01 copy), the manual's PDF text and two public transcripts of Table
14.1, which agree wherever they overlap.

Every entry the tables write as a call (``NAME()``) is here, each alias of a
shared row too (``SHA1(), SHA()``); so are the functions the manual marks for
internal use (``CAN_ACCESS_*``, ``GET_DD_*``, ``INTERNAL_*``), which
information_schema views call, and the operators the index writes as calls
(``IN()``, ``NOT IN()``, ``EXISTS()``, ``MATCH()``, ``MEMBER OF()``).
Operators the index writes without brackets (``->>``, ``AND``, ``LIKE``,
``DIV``) are not. Loadable functions exist once their component or plugin is
installed. ``INTRODUCED_IN`` keeps the index's "Introduced" column: a server
older than that point release lacks the function.

Removed functions: the index lists what MySQL 8.0 has, so a function 8.0
removed is in none of these sets and SG11 reports it (``MISSING_FUNCTIONS``
in SG11 names a replacement for the common ones). ``REMOVED_IN_8_0`` lists
the removals MySQL's worklogs name (WL#10788 ``ENCODE``/``DECODE``, WL#10789
``ENCRYPT``/``DES_ENCRYPT``/``DES_DECRYPT``, WL#10774 ``PASSWORD``, WL#8157
the spatial names without an ``ST_`` or ``MBR`` prefix), and a test keeps it
apart from ``MYSQL8_FUNCTIONS``. Functions of later series are not here either
(``masking_dictionaries_flush()`` came with 8.3).

Lower case; MySQL resolves built-in function names case-insensitively.
"""
from __future__ import annotations


# Table 14.1.
BUILT_IN_FUNCTIONS = frozenset(
    """
abs acos adddate addtime aes_decrypt aes_encrypt any_value ascii asin atan atan2 avg
benchmark bin bin_to_uuid bit_and bit_count bit_length bit_or bit_xor
can_access_column can_access_database can_access_table can_access_user can_access_view
cast ceil ceiling char char_length character_length charset coalesce coercibility collation
compress concat concat_ws connection_id conv convert convert_tz cos cot count crc32
cume_dist curdate current_date current_role current_time current_timestamp current_user curtime
database date date_add date_format date_sub datediff day dayname dayofmonth dayofweek dayofyear
default degrees dense_rank elt exists exp export_set extract extractvalue field find_in_set
first_value floor format format_bytes format_pico_time found_rows from_base64 from_days
from_unixtime geomcollection geometrycollection get_dd_column_privileges get_dd_create_options
get_dd_index_sub_part_length get_format get_lock greatest group_concat grouping
gtid_subset gtid_subtract hex hour icu_version if ifnull in inet_aton inet_ntoa inet6_aton
inet6_ntoa insert instr internal_auto_increment internal_avg_row_length
internal_check_time internal_checksum internal_data_free internal_data_length
internal_dd_char_length internal_get_comment_or_error internal_get_enabled_role_json
internal_get_hostname internal_get_username internal_get_view_warning_or_error
internal_index_column_cardinality internal_index_length internal_is_enabled_role
internal_is_mandatory_role internal_keys_disabled internal_max_data_length
internal_table_rows internal_update_time interval is_free_lock is_ipv4 is_ipv4_compat
is_ipv4_mapped is_ipv6 is_used_lock is_uuid isnull json_array json_array_append
json_array_insert json_arrayagg json_contains json_contains_path json_depth json_extract
json_insert json_keys json_length json_merge json_merge_patch json_merge_preserve
json_object json_objectagg json_overlaps json_pretty json_quote json_remove json_replace
json_schema_valid json_schema_validation_report json_search json_set json_storage_free
json_storage_size json_table json_type json_unquote json_valid json_value lag last_day
last_insert_id last_value lcase lead least left length linestring ln load_file localtime
localtimestamp locate log log10 log2 lower lpad ltrim make_set makedate maketime
master_pos_wait match max mbrcontains mbrcoveredby mbrcovers mbrdisjoint mbrequals
mbrintersects mbroverlaps mbrtouches mbrwithin md5 member microsecond mid min minute mod
month monthname multilinestring multipoint multipolygon name_const now nth_value ntile
nullif oct octet_length ord percent_rank period_add period_diff pi point polygon position pow
power ps_current_thread_id ps_thread_id quarter quote radians rand random_bytes rank
regexp_instr regexp_like regexp_replace regexp_substr release_all_locks release_lock repeat
replace reverse right roles_graphml round row_count row_number rpad rtrim schema sec_to_time
second session_user sha sha1 sha2 sign sin sleep soundex source_pos_wait space sqrt
st_area st_asbinary st_asgeojson st_astext st_aswkb st_aswkt st_buffer st_buffer_strategy
st_centroid st_collect st_contains st_convexhull st_crosses st_difference st_dimension
st_disjoint st_distance st_distance_sphere st_endpoint st_envelope st_equals
st_exteriorring st_frechetdistance st_geohash st_geomcollfromtext st_geomcollfromtxt
st_geomcollfromwkb st_geometrycollectionfromtext st_geometrycollectionfromwkb
st_geometryfromtext st_geometryfromwkb st_geometryn st_geometrytype st_geomfromgeojson
st_geomfromtext st_geomfromwkb st_hausdorffdistance st_interiorringn st_intersection
st_intersects st_isclosed st_isempty st_issimple st_isvalid st_latfromgeohash st_latitude
st_length st_linefromtext st_linefromwkb st_lineinterpolatepoint st_lineinterpolatepoints
st_linestringfromtext st_linestringfromwkb st_longfromgeohash st_longitude st_makeenvelope
st_mlinefromtext st_mlinefromwkb st_mpointfromtext st_mpointfromwkb st_mpolyfromtext
st_mpolyfromwkb st_multilinestringfromtext st_multilinestringfromwkb st_multipointfromtext
st_multipointfromwkb st_multipolygonfromtext st_multipolygonfromwkb st_numgeometries
st_numinteriorring st_numinteriorrings st_numpoints st_overlaps st_pointatdistance
st_pointfromgeohash st_pointfromtext st_pointfromwkb st_pointn st_polyfromtext
st_polyfromwkb st_polygonfromtext st_polygonfromwkb st_simplify st_srid st_startpoint
st_swapxy st_symdifference st_touches st_transform st_union st_validate st_within st_x st_y
statement_digest statement_digest_text std stddev stddev_pop stddev_samp str_to_date strcmp
subdate substr substring substring_index subtime sum sysdate system_user tan time
time_format time_to_sec timediff timestamp timestampadd timestampdiff to_base64 to_days
to_seconds trim truncate ucase uncompress uncompressed_length unhex unix_timestamp updatexml
upper user utc_date utc_time utc_timestamp uuid uuid_short uuid_to_bin validate_password_strength
values var_pop var_samp variance version wait_for_executed_gtid_set
wait_until_sql_thread_after_gtids week weekday weekofyear weight_string year yearweek
""".split()
)

# Table 14.2: functions a component or plugin adds (MySQL Enterprise
# Encryption, data masking, firewall and audit log, the keyrings, the locking
# service, version tokens, the Rewriter, query attributes, Group Replication and
# asynchronous connection failover).
LOADABLE_FUNCTIONS = frozenset(
    """
asymmetric_decrypt asymmetric_derive asymmetric_encrypt asymmetric_sign asymmetric_verify
asynchronous_connection_failover_add_managed asynchronous_connection_failover_add_source
asynchronous_connection_failover_delete_managed asynchronous_connection_failover_delete_source
audit_api_message_emit_udf audit_log_encryption_password_get audit_log_encryption_password_set
audit_log_filter_flush audit_log_filter_remove_filter audit_log_filter_remove_user
audit_log_filter_set_filter audit_log_filter_set_user audit_log_read audit_log_read_bookmark
audit_log_rotate create_asymmetric_priv_key create_asymmetric_pub_key create_dh_parameters
create_digest firewall_group_delist firewall_group_enlist flush_rewrite_rules gen_blacklist
gen_blocklist gen_dictionary gen_dictionary_drop gen_dictionary_load gen_range gen_rnd_canada_sin
gen_rnd_email gen_rnd_iban gen_rnd_pan gen_rnd_ssn gen_rnd_uk_nin gen_rnd_us_phone
gen_rnd_uuid group_replication_disable_member_action group_replication_enable_member_action
group_replication_get_communication_protocol group_replication_get_write_concurrency
group_replication_reset_member_actions group_replication_set_as_primary
group_replication_set_communication_protocol group_replication_set_write_concurrency
group_replication_switch_to_multi_primary_mode group_replication_switch_to_single_primary_mode
keyring_aws_rotate_cmk keyring_aws_rotate_keys keyring_hashicorp_update_config
keyring_key_fetch keyring_key_generate keyring_key_length_fetch keyring_key_remove
keyring_key_store keyring_key_type_fetch load_rewrite_rules mask_canada_sin mask_iban
mask_inner mask_outer mask_pan mask_pan_relaxed mask_ssn mask_uk_nin mask_uuid
masking_dictionary_remove masking_dictionary_term_add masking_dictionary_term_remove
mysql_firewall_flush_status mysql_query_attribute_string
normalize_statement read_firewall_group_allowlist read_firewall_groups
read_firewall_users read_firewall_whitelist service_get_read_locks service_get_write_locks
service_release_locks set_firewall_group_mode set_firewall_mode version_tokens_delete
version_tokens_edit version_tokens_lock_exclusive version_tokens_lock_shared
version_tokens_set version_tokens_show version_tokens_unlock
""".split()
)

# Not functions, but words sqlfluff may read as a function name when a bracket
# follows: ``BINARY (s)`` (an operator in Table 14.1), ``NOT (a)``, and the row
# constructor ``ROW(...)``.
CALL_SHAPED_KEYWORDS = frozenset({"binary", "not", "row"})

MYSQL8_FUNCTIONS = BUILT_IN_FUNCTIONS | LOADABLE_FUNCTIONS | CALL_SHAPED_KEYWORDS

# The point release that added a function, from the index's "Introduced" column.
INTRODUCED_IN = {
    "st_latitude": "8.0.12",
    "st_longitude": "8.0.12",
    "st_transform": "8.0.13",
    "format_bytes": "8.0.16",
    "format_pico_time": "8.0.16",
    "ps_current_thread_id": "8.0.16",
    "ps_thread_id": "8.0.16",
    "json_overlaps": "8.0.17",
    "json_schema_valid": "8.0.17",
    "json_schema_validation_report": "8.0.17",
    "member": "8.0.17",  # MEMBER OF()
    "internal_get_enabled_role_json": "8.0.19",
    "internal_get_hostname": "8.0.19",
    "internal_get_username": "8.0.19",
    "internal_is_enabled_role": "8.0.19",
    "internal_is_mandatory_role": "8.0.19",
    "json_value": "8.0.21",
    "can_access_user": "8.0.22",
    "asynchronous_connection_failover_add_source": "8.0.22",
    "asynchronous_connection_failover_delete_source": "8.0.22",
    "asynchronous_connection_failover_add_managed": "8.0.23",
    "asynchronous_connection_failover_delete_managed": "8.0.23",
    "st_frechetdistance": "8.0.23",
    "st_hausdorffdistance": "8.0.23",
    "st_collect": "8.0.24",
    "st_lineinterpolatepoint": "8.0.24",
    "st_lineinterpolatepoints": "8.0.24",
    "st_pointatdistance": "8.0.24",
    "source_pos_wait": "8.0.26",
}

# Functions MySQL 5.7 had and 8.0 removed, as MySQL's worklogs name them (of
# WL#8157's 67 spatial names, those read, up to POLYFROMTEXT).
REMOVED_IN_8_0 = frozenset(
    """
encode decode encrypt des_encrypt des_decrypt password
area asbinary astext aswkb aswkt buffer centroid contains convexhull crosses dimension
disjoint distance endpoint envelope equals exteriorring geomcollfromtext geomcollfromwkb
geometrycollectionfromtext geometrycollectionfromwkb geometryfromtext geometryfromwkb
geomfromtext geomfromwkb geometryn geometrytype glength interiorringn intersects isclosed
isempty issimple linefromtext linefromwkb linestringfromtext linestringfromwkb mbrequal
mlinefromtext mlinefromwkb mpointfromtext mpointfromwkb mpolyfromtext mpolyfromwkb
multilinestringfromtext multilinestringfromwkb multipointfromtext multipointfromwkb
multipolygonfromtext multipolygonfromwkb numgeometries numinteriorrings numpoints overlaps
pointfromtext pointfromwkb pointn polyfromtext
""".split()
)
