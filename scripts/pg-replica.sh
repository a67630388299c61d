#!/usr/bin/env bash
# A private Postgres primary and a streaming standby (pg_basebackup -R) for the read-replica test, on
# ports and a directory of the caller's choosing; never the machine's shared cluster on 5432.
#   PG_REPLICA_DIR=/tmp/x PG_PRIMARY_PORT=p1 PG_STANDBY_PORT=p2 scripts/pg-replica.sh start|stop|status
# start is idempotent (a running pair is reused); stop stops both and deletes PG_REPLICA_DIR.
# initdb refuses root, so the servers run as the `postgres` OS user; trust auth on 127.0.0.1 only.
set -euo pipefail
DIR="${PG_REPLICA_DIR:-/tmp/ox-pg-replica}"
PRIMARY_PORT="${PG_PRIMARY_PORT:?PG_PRIMARY_PORT is required}"
STANDBY_PORT="${PG_STANDBY_PORT:?PG_STANDBY_PORT is required}"
# One port for both would pass every readiness check with the standby never started.
[ "$PRIMARY_PORT" != "$STANDBY_PORT" ] || { echo "[pg-replica] primary and standby need two ports" >&2; exit 2; }
BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
say() { echo "[pg-replica] $*" >&2; }
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$1"; }

start() {
  [ -x "$BIN/initdb" ] || { say "no Postgres binaries in $BIN (apt-get install postgresql)"; exit 1; }
  if ready "$PRIMARY_PORT" && ready "$STANDBY_PORT" && [ -f "$DIR/primary/PG_VERSION" ]; then
    say "already running (primary :$PRIMARY_PORT, standby :$STANDBY_PORT)"
    return 0
  fi
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  chmod 0700 "$DIR"
  if [ ! -f "$DIR/primary/PG_VERSION" ]; then
    as_pg "$BIN/initdb" -D "$DIR/primary" -U postgres --auth=trust -E UTF8 >"$DIR/initdb.log" 2>&1 ||
      { cat "$DIR/initdb.log" >&2; exit 1; }
    cat >>"$DIR/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
wal_level = replica
max_wal_senders = 5
hot_standby = on
fsync = off
CONF
    echo "host replication all 127.0.0.1/32 trust" >>"$DIR/primary/pg_hba.conf"
  fi
  if ! ready "$PRIMARY_PORT"; then
    as_pg "$BIN/pg_ctl" -D "$DIR/primary" -o "-p $PRIMARY_PORT" -l "$DIR/primary.log" -w start >/dev/null
  fi
  if [ ! -f "$DIR/standby/PG_VERSION" ]; then
    # -R writes standby.signal and primary_conninfo: the copy starts as a streaming standby.
    as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/standby" -R -X stream \
      >"$DIR/basebackup.log" 2>&1 || { cat "$DIR/basebackup.log" >&2; exit 1; }
  fi
  if ! ready "$STANDBY_PORT"; then
    as_pg "$BIN/pg_ctl" -D "$DIR/standby" -o "-p $STANDBY_PORT" -l "$DIR/standby.log" -w start >/dev/null
  fi
  say "primary 127.0.0.1:$PRIMARY_PORT, standby 127.0.0.1:$STANDBY_PORT (data in $DIR)"
}

stop() {
  for node in standby primary; do
    if [ -f "$DIR/$node/postmaster.pid" ]; then
      as_pg "$BIN/pg_ctl" -D "$DIR/$node" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$DIR"
  say "stopped; removed $DIR"
}

status() {
  ready "$PRIMARY_PORT" && ready "$STANDBY_PORT"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
