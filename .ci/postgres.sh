# A throwaway PostgreSQL cluster for the test suite (sourced by .ci/run; usable by hand):
#   source .ci/postgres.sh && pg_start && .venv/bin/python -m pytest; pg_stop
# pg_start exports CASEY_TEST_PG_URL (a superuser URL with a password, on 127.0.0.1); the
# tests create one database per test from it. Root cannot run postgres: the cluster then
# runs as the `postgres` user Debian's package creates.

pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true  # none: empty
}

pg_start() {
  local port="${CASEY_PG_PORT:-55432}" bin
  if [ -n "${PG_DIR:-}" ]; then  # a second start would orphan the first cluster
    echo "a throwaway PostgreSQL already runs from $PG_DIR; pg_stop it first" >&2
    return 1
  fi
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do  # taken: try the next port
    port=$((port + 1))
  done
  bin="$(pg_bindir)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
    return 1
  fi
  PG_DIR="$(mktemp -d /tmp/casey-pg.XXXXXX)"
  export PG_DIR
  local password
  password="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$password" > "$PG_DIR/pwfile"
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U casey --pwfile="$PG_DIR/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  rm -f "$PG_DIR/pwfile"
  # Durability off: the cluster lives for one test run. A time zone far from UTC, so a
  # timestamp that is not kept in UTC shows up (history hashes, created/updated).
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c timezone=Asia/Tokyo" \
    start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
  export CASEY_TEST_PG_URL="postgresql+psycopg://casey:$password@127.0.0.1:$port/postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port ($PG_DIR)" >&2
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  if [ -d "$PG_DIR/data" ]; then
    local as=()
    [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    "${as[@]}" "$(pg_bindir)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"  # also after a start that failed half way
  unset PG_DIR CASEY_TEST_PG_URL
}
