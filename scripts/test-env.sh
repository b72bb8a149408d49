# shellcheck shell=bash
# Sourced by the test command:  . scripts/test-env.sh || exit 1
# Makes PostgreSQL, Redis and SIPp available to the tests and exports
#   TEST_PG_URL     postgres:// URL of a server where tests may create databases
#   TEST_REDIS_URL  redis:// URL
# plus test_env_cleanup, which stops whatever this script started.
# Servers already answering on 127.0.0.1 (ports TEST_PG_PORT_PROBE, default 5432, and
# TEST_REDIS_PORT_PROBE, default 6379) are used; otherwise Debian packages are installed if
# missing (needs root) and throwaway servers are started on free ports. A TEST_PG_URL or
# TEST_REDIS_URL already set in the environment is used as given.

_te_say() { echo "test-env: $*"; }
_te_fail() { echo "test-env: error: $*" >&2; return 1; }

_te_apt_install() {
  [ "$(id -u)" = 0 ] || { _te_fail "need root to apt-get install $*"; return 1; }
  if [ -z "${_TE_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || { _te_fail "apt-get update failed"; return 1; }
    _TE_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    { _te_fail "apt-get install $* failed"; return 1; }
}

_te_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Runs a command as the postgres user when we are root (initdb refuses to run as root).
_te_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_te_pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  d=$(command -v initdb 2>/dev/null) && [ -x "$(dirname "$d")/pg_ctl" ] && { dirname "$d"; return 0; }
  return 1
}

_te_postgres() {
  if [ -n "${TEST_PG_URL:-}" ]; then
    _te_say "PostgreSQL: using TEST_PG_URL from the environment"
    return 0
  fi
  local port="${TEST_PG_PORT_PROBE:-5432}"
  if command -v psql >/dev/null 2>&1 &&
    psql "postgres://postgres@127.0.0.1:$port/postgres" -Atqc 'select 1' >/dev/null 2>&1; then
    export TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
    _te_say "PostgreSQL: using the running server on 127.0.0.1:$port"
    return 0
  fi

  local bin
  if ! bin=$(_te_pg_bindir); then
    _te_apt_install postgresql || return 1
    bin=$(_te_pg_bindir) || { _te_fail "postgresql installed but initdb not found"; return 1; }
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home postgres || { _te_fail "cannot create the postgres user"; return 1; }
  fi
  local dir
  dir=$(mktemp -d /tmp/ipvoice-test-pg.XXXXXX) || return 1
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=$(_te_free_port) || return 1
  if ! _te_as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
    _te_fail "initdb failed, see $dir/initdb.log"
    return 1
  fi
  # Throwaway data: fsync off; the socket lives in our directory, not /run/postgresql.
  if ! _te_as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null; then
    _te_fail "PostgreSQL did not start, see $dir/server.log"
    return 1
  fi
  _TE_PG_DIR="$dir"
  _TE_PG_BIN="$bin"
  export TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  _te_say "PostgreSQL: started a throwaway server ($bin) on 127.0.0.1:$port in $dir"
}

_te_redis() {
  if [ -n "${TEST_REDIS_URL:-}" ]; then
    _te_say "Redis: using TEST_REDIS_URL from the environment"
    return 0
  fi
  local port="${TEST_REDIS_PORT_PROBE:-6379}"
  if command -v redis-cli >/dev/null 2>&1 &&
    [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
    export TEST_REDIS_URL="redis://127.0.0.1:$port"
    _te_say "Redis: using the running server on 127.0.0.1:$port"
    return 0
  fi

  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    _te_apt_install redis-server || return 1
  fi
  local dir
  dir=$(mktemp -d /tmp/ipvoice-test-redis.XXXXXX) || return 1
  port=$(_te_free_port) || return 1
  # No persistence: nothing of a test run should outlive it.
  if ! redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null; then
    _te_fail "redis-server did not start, see $dir/redis.log"
    return 1
  fi
  _TE_REDIS_DIR="$dir"
  _TE_REDIS_PORT="$port"
  local tries=0
  until [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; do
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || { _te_fail "Redis on port $port did not answer, see $dir/redis.log"; return 1; }
    sleep 0.1
  done
  export TEST_REDIS_URL="redis://127.0.0.1:$port"
  _te_say "Redis: started a throwaway server on 127.0.0.1:$port in $dir"
}

_te_sipp() {
  if ! command -v sipp >/dev/null 2>&1; then
    _te_apt_install sip-tester || return 1
    command -v sipp >/dev/null 2>&1 || { _te_fail "sip-tester installed but sipp not found"; return 1; }
    _te_say "SIPp: installed Debian sip-tester: $(command -v sipp)"
  else
    _te_say "SIPp: using $(command -v sipp)"
  fi
}

# Kamailio is the peer the registration scenarios are checked against (and the benchmark's).
_te_kamailio() {
  if ! command -v kamailio >/dev/null 2>&1 && [ ! -x /usr/sbin/kamailio ]; then
    _te_apt_install kamailio || return 1
    _te_say "Kamailio: installed Debian kamailio"
  else
    _te_say "Kamailio: using $(command -v kamailio || echo /usr/sbin/kamailio)"
  fi
}

# Stops the servers this script started and removes their files; safe to call twice.
test_env_cleanup() {
  if [ -n "${_TE_PG_DIR:-}" ]; then
    _te_as_pg "$_TE_PG_BIN/pg_ctl" -D "$_TE_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$_TE_PG_DIR"
    _te_say "PostgreSQL: stopped the throwaway server"
    unset _TE_PG_DIR _TE_PG_BIN TEST_PG_URL
  fi
  if [ -n "${_TE_REDIS_DIR:-}" ]; then
    redis-cli -h 127.0.0.1 -p "$_TE_REDIS_PORT" shutdown nosave >/dev/null 2>&1 ||
      { [ -f "$_TE_REDIS_DIR/redis.pid" ] && kill "$(cat "$_TE_REDIS_DIR/redis.pid")" 2>/dev/null; }
    rm -rf "$_TE_REDIS_DIR"
    _te_say "Redis: stopped the throwaway server"
    unset _TE_REDIS_DIR _TE_REDIS_PORT TEST_REDIS_URL
  fi
}

if _te_postgres && _te_redis && _te_sipp && _te_kamailio; then
  true
else
  test_env_cleanup
  false
fi
