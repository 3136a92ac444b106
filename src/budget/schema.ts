/**
 * The shared budget's tables and its one acquire function, in PostgreSQL. Created idempotently
 * (every statement is `if not exists` / `create or replace`), under a transaction-scoped
 * advisory lock so two processes starting together do not race on the DDL; the version row
 * lets a later release migrate.
 *
 * ferry_budget_instance: one row per PIM instance, locked (`for update`) by every acquire, so
 *   slot counting and the rate buckets of one instance change atomically, one caller at a time.
 *   `cap` is the adaptive concurrency cap (halved on repeated 429s, grown back on success),
 *   `req_tat` / `opt_tat` the theoretical arrival times of the request and option-write buckets
 *   (GCRA: the same as a token bucket, stored as one timestamp).
 * ferry_budget_lease: one row per call in flight, with the connection it uses, the process
 *   holding it and when it expires; the holder renews its leases while alive, so a killed
 *   process's slots are free again after the lease.
 */
export const BUDGET_SCHEMA_VERSION = 1;

export const BUDGET_DDL = `
select pg_advisory_xact_lock(hashtext('ferry_budget_schema'));

create table if not exists ferry_budget_schema (version int not null);
insert into ferry_budget_schema (version) select ${BUDGET_SCHEMA_VERSION} where not exists (select 1 from ferry_budget_schema);

create table if not exists ferry_budget_instance (
  instance text primary key,
  cap int not null,
  max_cap int not null,
  shrunk_at timestamptz not null default 'epoch',
  req_tat timestamptz not null default 'epoch',
  opt_tat timestamptz not null default 'epoch'
);

create table if not exists ferry_budget_lease (
  id bigserial primary key,
  instance text not null,
  connection text not null,
  holder text not null,
  expires_at timestamptz not null
);
create index if not exists ferry_budget_lease_instance on ferry_budget_lease (instance, connection);
create index if not exists ferry_budget_lease_holder on ferry_budget_lease (holder);

-- One call wants to start: take a lease on the least busy connection with room (or the pinned
-- one) when the instance has a free slot and both rate buckets allow it, all or nothing.
-- Returns the lease (id, connection) or, when refused, how long to wait (ms; -1: until a slot
-- is released) and the cap in force.
create or replace function ferry_budget_acquire(
  p_instance text, p_connections text[], p_pin text, p_holder text,
  p_per_connection int, p_instance_cap int,
  p_rps double precision, p_burst int,
  p_option boolean, p_opt_rps double precision, p_opt_burst int,
  p_lease_ms int
) returns table (lease_id bigint, lease_connection text, wait_ms int, cap int)
language plpgsql as $$
declare
  v_now timestamptz := clock_timestamp();
  v_row ferry_budget_instance%rowtype;
  v_active int;
  v_conn text;
  v_t interval := make_interval(secs => 1.0 / p_rps);
  v_ot interval := make_interval(secs => 1.0 / p_opt_rps);
  v_id bigint;
begin
  insert into ferry_budget_instance as i (instance, cap, max_cap) values (p_instance, p_instance_cap, p_instance_cap)
    on conflict (instance) do nothing;
  select * into v_row from ferry_budget_instance i where i.instance = p_instance for update;
  if v_row.max_cap <> p_instance_cap then
    update ferry_budget_instance i set max_cap = p_instance_cap, cap = least(i.cap, p_instance_cap) where i.instance = p_instance;
    v_row.cap := least(v_row.cap, p_instance_cap);
  end if;
  delete from ferry_budget_lease l where l.instance = p_instance and l.expires_at < v_now;
  select count(*) into v_active from ferry_budget_lease l where l.instance = p_instance;
  if v_active >= v_row.cap then
    return query select null::bigint, null::text, -1, v_row.cap;
    return;
  end if;
  select c into v_conn
    from unnest(p_connections) as c
    left join (select l.connection, count(*) as n from ferry_budget_lease l where l.instance = p_instance group by l.connection) x
      on x.connection = c
   where coalesce(x.n, 0) < p_per_connection and (p_pin is null or c = p_pin)
   order by coalesce(x.n, 0), random()
   limit 1;
  if v_conn is null then
    return query select null::bigint, null::text, -1, v_row.cap;
    return;
  end if;
  if v_row.req_tat - v_now > v_t * (p_burst - 1) then
    return query select null::bigint, null::text,
      greatest(1, ceil(extract(epoch from (v_row.req_tat - v_t * (p_burst - 1) - v_now)) * 1000))::int, v_row.cap;
    return;
  end if;
  if p_option and v_row.opt_tat - v_now > v_ot * (p_opt_burst - 1) then
    return query select null::bigint, null::text,
      greatest(1, ceil(extract(epoch from (v_row.opt_tat - v_ot * (p_opt_burst - 1) - v_now)) * 1000))::int, v_row.cap;
    return;
  end if;
  update ferry_budget_instance i
     set req_tat = greatest(i.req_tat, v_now) + v_t,
         opt_tat = case when p_option then greatest(i.opt_tat, v_now) + v_ot else i.opt_tat end
   where i.instance = p_instance;
  insert into ferry_budget_lease (instance, connection, holder, expires_at)
    values (p_instance, v_conn, p_holder, v_now + make_interval(secs => p_lease_ms / 1000.0))
    returning id into v_id;
  return query select v_id, v_conn, 0, v_row.cap;
end
$$;
`;
