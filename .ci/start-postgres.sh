# Sourced by .ci/run (and usable by hand): start a throw-away PostgreSQL server on 127.0.0.1
# and export SEGMINT_TEST_PG_URL for the database-source tests.
pg_bin=""
for candidate in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
  if [ -x "$candidate/initdb" ]; then pg_bin="$candidate"; break; fi
done
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL not found: database tests will be skipped" >&2
else
  pg_dir="$(mktemp -d /tmp/segmint-pg.XXXXXX)"
  # A free port on the loopback (SEGMINT_PG_PORT to choose one).
  pg_port="${SEGMINT_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}"
  pg_user="$(id -un)"
  if [ "$(id -u)" = "0" ]; then
    pg_user="postgres"
    id postgres >/dev/null 2>&1 || useradd -r -m postgres
    chown postgres "$pg_dir"
    as_pg=(su postgres -s /bin/sh -c)
  else
    as_pg=(sh -c)
  fi
  "${as_pg[@]}" "'$pg_bin/initdb' -D '$pg_dir/data' -U '$pg_user' -A trust >/dev/null"
  "${as_pg[@]}" "'$pg_bin/pg_ctl' -D '$pg_dir/data' -o \"-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1\" -l '$pg_dir/log' -w start >/dev/null"
  export SEGMINT_TEST_PG_URL="postgres://$pg_user@127.0.0.1:$pg_port/postgres"
  # Stop the server and remove its data folder when the shell that sourced this exits.
  trap "cd /; ${as_pg[*]} \"'$pg_bin/pg_ctl' -D '$pg_dir/data' -m fast stop >/dev/null\" || true; rm -rf '$pg_dir'" EXIT
  echo "PostgreSQL started for tests at $SEGMINT_TEST_PG_URL"
fi
