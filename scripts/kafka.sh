#!/usr/bin/env bash
# Apache Kafka (KRaft) for development and tests: one shared single node, or a private multi-node cluster.
#
# Single node (broker + controller in one JVM), the machine's shared development broker:
#   scripts/kafka.sh start    use a broker already answering on 127.0.0.1:9092, or start one
#   scripts/kafka.sh stop     stop the broker this script started
#   scripts/kafka.sh status   exit 0 if a broker answers on 127.0.0.1:9092
# State lives in .kafka/ (KAFKA_DATA_DIR); the ports are 9092 and 9093 for the controller
# (KAFKA_PORT, KAFKA_CONTROLLER_PORT). Replication factor 1, min.insync.replicas 1: one broker is
# all there is, so a broker loss there is an outage (see README "Infrastructure faults").
#
# Multi-node cluster (KAFKA_CLUSTER_NODES, default 3; each node a combined broker + controller JVM,
# -Xmx512m), for failover tests; it never touches the single node above:
#   scripts/kafka.sh cluster-start    start every node of the cluster that is not running (idempotent:
#                                     a running node is left alone, a killed one is started again)
#   scripts/kafka.sh cluster-stop     stop every node (idempotent)
#   scripts/kafka.sh cluster-status   one line per node: node id, port, pid or "down"; exit 0 if all answer
#   scripts/kafka.sh cluster-brokers  print the bootstrap list (host:port,host:port,...)
# State lives in .kafka-cluster/node-<id>/ (KAFKA_CLUSTER_DIR). Ports: brokers 19092, 19094, 19096…
# and controllers 19093, 19095, 19097… (KAFKA_CLUSTER_BASE_PORT), or exact lists
# KAFKA_CLUSTER_PORTS / KAFKA_CLUSTER_CONTROLLER_PORTS ("p1,p2,p3"). Topic defaults are production's:
# default.replication.factor 3 (capped at the node count), min.insync.replicas 2, no unclean leader
# election; the internal topics likewise.
#
# Needs Java 17+ and Maven 3.8+ with access to Maven Central; the broker jars come from
# infra/kafka/pom.xml into infra/kafka/target/libs.
# Topics are not auto-created (auto.create.topics.enable=false): every topic is created explicitly
# with its partitions and replication factor (packages/bus createKafkaLog does it through the admin API).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
DATA="${KAFKA_DATA_DIR:-$ROOT/.kafka}"
LIBS="$ROOT/infra/kafka/target/libs"
PIDFILE="$DATA/kafka.pid"
LOGDIR="$DATA/logs"
START_TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-90}"

say() { echo "[kafka] $*" >&2; }
answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
our_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka"; then
    echo "$pid"
  else
    rm -f "$PIDFILE" # a dead pid file would only mislead the next run
    return 1
  fi
}

build_libs() {
  if [ -f "$LIBS/.complete" ] && [ "$LIBS/.complete" -nt "$ROOT/infra/kafka/pom.xml" ]; then return; fi
  command -v mvn >/dev/null || { say "Maven is required to fetch the broker (apt-get install maven)"; exit 1; }
  say "fetching the Kafka broker from Maven Central (infra/kafka/pom.xml)…"
  rm -rf "$LIBS"
  mvn -q -B -f "$ROOT/infra/kafka/pom.xml" package
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$DATA" "$LOGDIR"
  cat >"$DATA/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$LOGDIR
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat >"$DATA/log4j2.properties" <<PROPS
appender.file.type=File
appender.file.name=file
appender.file.fileName=$DATA/server.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
PROPS
}

start() {
  if answers "$HOST" "$PORT"; then
    say "a broker answers on $HOST:$PORT; using it"
    return 0
  fi
  command -v java >/dev/null || { say "Java 17+ is required"; exit 1; }
  mkdir -p "$DATA"
  exec 9>"$DATA/start.lock"
  # Two concurrent starts: the second waits here, then finds the first one's broker.
  flock -w "$START_TIMEOUT_S" 9 || say "start.lock still held after ${START_TIMEOUT_S}s; going on"
  if answers "$HOST" "$PORT"; then say "a broker answers on $HOST:$PORT; using it"; return 0; fi
  if pid="$(our_pid)"; then
    say "broker pid $pid is starting; waiting"
  else
    if answers "$HOST" "$CONTROLLER_PORT"; then say "port $CONTROLLER_PORT is taken by another process"; exit 1; fi
    build_libs
    write_config
    local cp="$LIBS/*"
    local opts=(-Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
      "-Dlog4j2.configurationFile=$DATA/log4j2.properties")
    if [ ! -f "$LOGDIR/meta.properties" ]; then
      local cluster_id
      cluster_id="$(java "${opts[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid | tail -1)"
      echo "$cluster_id" >"$DATA/cluster-id"
      say "formatting KRaft storage in $LOGDIR (cluster id $cluster_id)"
      java "${opts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" \
        -c "$DATA/server.properties" --ignore-formatted >"$DATA/format.out" 2>&1 ||
        { cat "$DATA/format.out" >&2; exit 1; }
    fi
    say "starting the broker on $HOST:$PORT (log: $DATA/server.log)"
    # Detached: own session, no inherited stdio or lock descriptor, so callers never wait on it.
    setsid java "${opts[@]}" -cp "$cp" kafka.Kafka "$DATA/server.properties" \
      </dev/null >"$DATA/kafka.out" 2>&1 9>&- &
    echo $! >"$PIDFILE"
  fi
  local began=$SECONDS pid
  pid="$(cat "$PIDFILE")"
  until answers "$HOST" "$PORT" && grep -q "Kafka Server started" "$DATA/server.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PIDFILE"
      say "the broker exited; last lines of its output:"
      tail -20 "$DATA/kafka.out" "$DATA/server.log" 2>/dev/null >&2 || true
      exit 1
    fi
    if ((SECONDS - began > START_TIMEOUT_S)); then say "not ready after ${START_TIMEOUT_S}s"; exit 1; fi
    sleep 0.5
  done
  if [ -d "$ROOT/node_modules/kafkajs" ]; then # a metadata round trip, as a client sees it
    (cd "$ROOT" && node -e '
      const { Kafka, logLevel } = require("kafkajs");
      const admin = new Kafka({ brokers: [process.argv[1]], logLevel: logLevel.NOTHING }).admin();
      admin.connect().then(() => admin.describeCluster()).then(() => admin.disconnect())
        .catch((e) => { console.error(e.message); process.exit(1); });' "$HOST:$PORT")
  fi
  say "ready on $HOST:$PORT after $((SECONDS - began))s (pid $(cat "$PIDFILE"))"
}

stop() {
  local pid
  if ! pid="$(our_pid)"; then say "no broker started by this script is running"; return 0; fi
  say "stopping pid $pid"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then say "still running after 30s; killing"; kill -KILL "$pid"; fi
  rm -f "$PIDFILE"
  say "stopped"
}

status() {
  if answers "$HOST" "$PORT"; then
    if pid="$(our_pid)"; then say "running (pid $pid) on $HOST:$PORT"; else say "a broker answers on $HOST:$PORT (not started by this script)"; fi
  else
    say "not running"
    return 3
  fi
}

# ---- multi-node cluster -------------------------------------------------------------------------
CLUSTER_DIR="${KAFKA_CLUSTER_DIR:-$ROOT/.kafka-cluster}"
CLUSTER_NODES="${KAFKA_CLUSTER_NODES:-3}"
CLUSTER_BASE_PORT="${KAFKA_CLUSTER_BASE_PORT:-19092}"
cluster_ports() { # broker ports, one a line
  if [ -n "${KAFKA_CLUSTER_PORTS:-}" ]; then tr ',' '\n' <<<"$KAFKA_CLUSTER_PORTS"; return; fi
  for i in $(seq 1 "$CLUSTER_NODES"); do echo $((CLUSTER_BASE_PORT + 2 * (i - 1))); done
}
cluster_controller_ports() {
  if [ -n "${KAFKA_CLUSTER_CONTROLLER_PORTS:-}" ]; then tr ',' '\n' <<<"$KAFKA_CLUSTER_CONTROLLER_PORTS"; return; fi
  for i in $(seq 1 "$CLUSTER_NODES"); do echo $((CLUSTER_BASE_PORT + 2 * (i - 1) + 1)); done
}
mapfile -t C_PORTS < <(cluster_ports)
mapfile -t C_CPORTS < <(cluster_controller_ports)
node_dir() { echo "$CLUSTER_DIR/node-$1"; }
node_pid() { # pid of node $1 if it is running (the pid file names a live kafka.Kafka process)
  local file pid
  file="$(node_dir "$1")/kafka.pid"
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka"; then
    echo "$pid"
  else
    rm -f "$file"
    return 1
  fi
}
cluster_brokers() {
  local IFS=,
  local list=()
  for p in "${C_PORTS[@]}"; do list+=("$HOST:$p"); done
  echo "${list[*]}"
}

cluster_write_config() { # node id (1-based)
  local id=$1 dir voters="" n=${#C_PORTS[@]}
  dir="$(node_dir "$id")"
  mkdir -p "$dir/logs"
  for i in $(seq 1 "$n"); do voters+="${voters:+,}$i@$HOST:${C_CPORTS[$((i - 1))]}"; done
  local rf=$((n < 3 ? n : 3))
  local isr=$((rf >= 3 ? 2 : 1))
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$voters
listeners=PLAINTEXT://$HOST:${C_PORTS[$((id - 1))]},CONTROLLER://$HOST:${C_CPORTS[$((id - 1))]}
advertised.listeners=PLAINTEXT://$HOST:${C_PORTS[$((id - 1))]}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/logs
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$isr
unclean.leader.election.enable=false
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0
PROPS
  cat >"$dir/log4j2.properties" <<PROPS
appender.file.type=File
appender.file.name=file
appender.file.fileName=$dir/server.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
PROPS
}

cluster_start() {
  local n=${#C_PORTS[@]}
  if [ "$n" -lt 1 ] || [ "$n" -ne "${#C_CPORTS[@]}" ]; then say "need as many controller ports as broker ports"; exit 2; fi
  command -v java >/dev/null || { say "Java 17+ is required"; exit 1; }
  mkdir -p "$CLUSTER_DIR"
  exec 9>"$CLUSTER_DIR/start.lock"
  flock -w "$START_TIMEOUT_S" 9 || say "start.lock still held after ${START_TIMEOUT_S}s; going on"
  build_libs
  local cp="$LIBS/*"
  if [ ! -f "$CLUSTER_DIR/cluster-id" ]; then
    java -Xmx128m -cp "$cp" kafka.tools.StorageTool random-uuid | tail -1 >"$CLUSTER_DIR/cluster-id"
  fi
  local cluster_id started=()
  cluster_id="$(cat "$CLUSTER_DIR/cluster-id")"
  for id in $(seq 1 "$n"); do
    local dir port=${C_PORTS[$((id - 1))]} cport=${C_CPORTS[$((id - 1))]}
    dir="$(node_dir "$id")"
    if node_pid "$id" >/dev/null; then continue; fi
    for p in "$port" "$cport"; do
      if answers "$HOST" "$p"; then say "port $p (node $id) is taken by another process"; exit 1; fi
    done
    cluster_write_config "$id"
    local opts=(-Xms128m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
      "-Dlog4j2.configurationFile=$dir/log4j2.properties")
    if [ ! -f "$dir/logs/meta.properties" ]; then
      java "${opts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" \
        -c "$dir/server.properties" --ignore-formatted >"$dir/format.out" 2>&1 ||
        { cat "$dir/format.out" >&2; exit 1; }
    fi
    [ -f "$dir/server.log" ] && mv -f "$dir/server.log" "$dir/server.log.1" # this start's log only
    setsid java "${opts[@]}" -cp "$cp" kafka.Kafka "$dir/server.properties" \
      </dev/null >"$dir/kafka.out" 2>&1 9>&- &
    echo $! >"$dir/kafka.pid"
    say "node $id starting on $HOST:$port (controller $cport, pid $!, log $dir/server.log)"
    started+=("$id")
  done
  local began=$SECONDS
  for id in "${started[@]}"; do
    local dir port=${C_PORTS[$((id - 1))]} pid
    dir="$(node_dir "$id")"
    pid="$(cat "$dir/kafka.pid")"
    # A node is up when it listens and its log, written since this start, says so.
    until answers "$HOST" "$port" && grep -q "Kafka Server started" "$dir/server.log" 2>/dev/null; do
      if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$dir/kafka.pid"
        say "node $id exited; last lines of its output:"
        tail -20 "$dir/kafka.out" "$dir/server.log" 2>/dev/null >&2 || true
        exit 1
      fi
      if ((SECONDS - began > START_TIMEOUT_S)); then say "node $id not ready after ${START_TIMEOUT_S}s"; exit 1; fi
      sleep 0.5
    done
  done
  say "cluster ready: $(cluster_brokers) (${#started[@]} node(s) started after $((SECONDS - began))s)"
}

cluster_stop() {
  local n=${#C_PORTS[@]} pids=()
  for id in $(seq 1 "$n"); do
    local pid
    if pid="$(node_pid "$id")"; then kill -TERM "$pid"; pids+=("$pid"); say "stopping node $id (pid $pid)"; fi
  done
  for _ in $(seq 1 60); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && { say "pid $pid still running after 30s; killing"; kill -KILL "$pid"; }; done
  for id in $(seq 1 "$n"); do rm -f "$(node_dir "$id")/kafka.pid"; done
  say "cluster stopped"
}

cluster_status() {
  local n=${#C_PORTS[@]} ok=0
  for id in $(seq 1 "$n"); do
    local pid port=${C_PORTS[$((id - 1))]}
    if pid="$(node_pid "$id")" && answers "$HOST" "$port"; then
      echo "node $id $HOST:$port pid $pid"
    else
      echo "node $id $HOST:$port down"
      ok=3
    fi
  done
  return $ok
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  cluster-start) cluster_start ;;
  cluster-stop) cluster_stop ;;
  cluster-status) cluster_status ;;
  cluster-brokers) cluster_brokers ;;
  *) echo "usage: $0 start|stop|status|cluster-start|cluster-stop|cluster-status|cluster-brokers" >&2; exit 2 ;;
esac
