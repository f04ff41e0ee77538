-- Statements of the shapes dbt models, hooks and macros render, parsed once
-- while the startup snapshot is built (build_snapshot.js) so that the parser's
-- prediction tables are warm in every lint run. Not a test: any valid MySQL
-- (and a few errors, for the full-LL path) serves.
select 1
;
select a, b as c from t
;
select `x`.`a`, count(*) as n, sum(case when x.b = 'y' then 1 else 0 end) as m
from `db`.`t` as x
left join `db`.`u` as u on u.id = x.u_id and u.kind in ('a', 'b')
where x.d >= '2020-01-01' and (x.e is null or x.e < now()) and not exists (select 1 from v where v.id = x.id)
group by x.a having count(*) > 1 order by n desc limit 10 offset 5
;
with recursive a as (select 1 as n union all select n + 1 from a where n < 10),
b as (select n, row_number() over (partition by n % 2 order by n desc) as rn from a)
select b.*, lag(n, 1) over w as prev, coalesce(nullif(rn, 0), 1) as r
from b join a using (n) window w as (order by n)
;
select cast(a as signed), cast(b as char(10)), cast(c as decimal(10, 2)), convert(d, date),
  date_format(e, '%Y-%m'), date_add(f, interval 1 day), timestampdiff(second, g, h),
  concat_ws(',', i, j), group_concat(distinct k order by k separator ';'), json_extract(l, '$.m'),
  l ->> '$.n', if(o, p, q), ifnull(r, 0), greatest(s, t), round(u, 2), substring(v, 1, 3), trim(w)
from t
;
select * from t where (a, b) in (select a, b from u) and c between 1 and 2 and d like 'x%' and e regexp '^a' and f <=> g
;
select * from t, lateral (select t.a + 1 as b) as d
;
select a from t union all select b from u union select c from v order by 1
;
select * from t for update
;
insert into `db`.`t` (a, b) values (1, 'x'), (2, 'y') on duplicate key update b = values(b)
;
insert into t (a, b) select a, b from u where not exists (select 1 from t where t.a = u.a)
;
replace into t select * from u
;
update t join u on u.id = t.id set t.a = u.a, t.b = now() where u.c = 1
;
delete t from t join u on u.id = t.id where u.d is null
;
delete from t where id in (select id from (select id from t where a = 1) as s)
;
create table `db`.`t__tmp` as select * from `db`.`t` where 1 = 0
;
create temporary table t (id bigint unsigned not null auto_increment primary key, a varchar(255) character set utf8mb4 collate utf8mb4_bin default null, b datetime(6) not null default current_timestamp(6), c json, key idx_a (a), unique key uk (b)) engine = InnoDB default charset = utf8mb4
;
create or replace view v as select * from t
;
create view `db`.`v__dbt_tmp` as select a from t
;
rename table `db`.`t` to `db`.`t__backup`, `db`.`t__tmp` to `db`.`t`
;
drop table if exists `db`.`t__backup`
;
drop view if exists v
;
alter table t add column d int null after c, add index idx_d (d), drop column e, modify column f text, rename column g to h
;
truncate table t
;
set session lock_wait_timeout = 5
;
set @a := (select max(id) from t)
;
start transaction
;
commit
;
select get_lock('x', 5), release_lock('x')
;
show full columns from t
;
select table_name, column_name from information_schema.columns where table_schema = database() and table_name = 't' order by ordinal_position
;
call p(1, 'x')
;
explain select * from t
;
analyze table t
;
select null::date
;
select cast(x as int)
;
with a as (select 1), select * from a
;
select a from t fetch first 1 rows only
;
-- dbt model shapes: CTE chains over refs, window functions, date arithmetic.
with source as (
    select * from `analytics`.`stg_events`
),
renamed as (
    select
        id as event_id,
        cast(user_id as char(36)) as user_id,
        lower(trim(status)) as status,
        date(created_at) as created_on,
        coalesce(amount, 0) as amount
    from source
    where created_at >= utc_timestamp() - interval 7 day
),
ranked as (
    select
        r.*,
        lag(status) over (partition by user_id order by created_on) as previous_status,
        lead(created_on) over (partition by user_id order by created_on, event_id) as next_on,
        row_number() over (partition by user_id order by created_on desc) as recency,
        sum(amount) over (partition by user_id order by created_on rows between unbounded preceding and current row) as running_amount
    from renamed as r
)
select
    user_id,
    count(distinct event_id) as events,
    sum(case when status = 'paid' then amount else 0 end) as paid,
    max(datediff(coalesce(next_on, current_date), created_on)) as longest_gap_days,
    min(date_format(created_on, '%Y-%m-01')) as first_month,
    concat(user_id, '-', max(recency)) as label
from ranked
where previous_status is null or previous_status <> status
group by user_id
having count(*) > 0
;
select a.id, b.name
from (select id, max(updated_at) as updated_at from `db`.`a` group by id) as a
inner join `db`.`b` as b on b.a_id = a.id and b.deleted_at is null
left outer join `db`.`c` on c.id = b.c_id
where a.updated_at > (select coalesce(max(updated_at), '1900-01-01') from `db`.`model`)
  and b.kind not in ('x', 'y') and exists (select 1 from `db`.`d` where d.b_id = b.id and d.flag != 0)
order by a.id
;
create table if not exists `db`.`safeguard_backups` (
    backup_id varchar(64) not null,
    source_table varchar(128) not null,
    created_at datetime not null default current_timestamp,
    row_count bigint null,
    details json null,
    primary key (backup_id),
    unique key uq_backup_table (source_table, backup_id),
    key ix_created (created_at)
)
;
insert into `db`.`safeguard_backups` (backup_id, source_table, created_at, row_count) values ('20260206_070000', 'silver.t', utc_timestamp(), 10)
;
delete from `db`.`t` where updated_at >= date_sub(curdate(), interval 3 day) and id in (1, 2, 3)
;
select table_schema, table_name, table_rows from information_schema.tables where table_schema = 'silver' and table_name like 't\_%' escape '\\'
