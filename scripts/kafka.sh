#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft: broker + controller in one JVM) for development and tests.
#   scripts/kafka.sh start    use a broker already answering on 127.0.0.1:9092, or start one
#   scripts/kafka.sh stop     stop the broker this script started
#   scripts/kafka.sh status   exit 0 if a broker answers on 127.0.0.1:9092
# Needs Java 17+ and Maven 3.8+ with access to Maven Central; the broker jars come from
# infra/kafka/pom.xml into infra/kafka/target/libs. State lives in .kafka/ (KAFKA_DATA_DIR); the
# ports are 9092 and 9093 for the controller (KAFKA_PORT, KAFKA_CONTROLLER_PORT).
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

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
