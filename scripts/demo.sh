#!/usr/bin/env bash
# `make demo` / `make demo-stop`: the two emulators and Airflow standalone (SQLite), on loopback only.
# Everything it starts is recorded by pid in .demo/pids and stopped by `make demo-stop`.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
DEMO=$REPO/.demo
PIDS=$DEMO/pids
BIN=$REPO/.venv/bin
export PATH="$BIN:$PATH"  # airflow standalone starts its components as `airflow …` from PATH

LIGHTSPEED_PORT=${DEMO_LIGHTSPEED_PORT:-8081}
AFAS_PORT=${DEMO_AFAS_PORT:-8082}
AIRFLOW_PORT=${DEMO_AIRFLOW_PORT:-8080}
RECEIVER_PORT=8090  # the demo tenant's webhooks.public_url
# Demo credentials of the emulators; never real ones.
LIGHTSPEED_KEY=d3m0k3y0000000000000000000000001
LIGHTSPEED_SECRET=d3m0s3cr3t0000000000000000000001
AFAS_TOKEN_DATA=0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF

export AIRFLOW_HOME=$DEMO/airflow
export AIRFLOW__CORE__DAGS_FOLDER=$REPO/dags
export AIRFLOW__CORE__PLUGINS_FOLDER=$REPO/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__TEST_CONNECTION=Enabled  # the connection form's Test button
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT=$AIRFLOW_PORT
export AIRFLOW__API__BASE_URL=http://127.0.0.1:$AIRFLOW_PORT
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:$AIRFLOW_PORT/execution/
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=${DEMO_DAG_REFRESH_INTERVAL:-20}
# Order data between tasks goes to files under AIRFLOW_HOME, never into the metadata DB.
export AIRFLOW__CORE__XCOM_BACKEND=airflow.providers.common.io.xcom.backend.XComObjectStorageBackend
export AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH=file://$AIRFLOW_HOME/xcom
export AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD=0
export AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL=10
# The demo tenant's connections, in Airflow's env-var form (see README "Connections").
export AIRFLOW_CONN_LIGHTSPEED_DEMO="{\"conn_type\": \"lightspeed_ecom\", \"host\": \"http://127.0.0.1:$LIGHTSPEED_PORT\", \"login\": \"$LIGHTSPEED_KEY\", \"password\": \"$LIGHTSPEED_SECRET\", \"extra\": {\"language\": \"nl\"}}"
# The ledger (basic log and sync state): a SQLite file here; PostgreSQL in the compose deployment.
export AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER="{\"conn_type\": \"sqlite\", \"host\": \"$AIRFLOW_HOME/lightspeed_afas_ledger.db\"}"
export AIRFLOW_CONN_AFAS_DEMO="{\"conn_type\": \"afas_profit\", \"host\": \"http://127.0.0.1:$AFAS_PORT/ProfitRestServices\", \"password\": \"$AFAS_TOKEN_DATA\", \"extra\": {\"integration_id\": \"12345_678900\"}}"

write_env_file() {  # so a shell can use the demo's Airflow and ledger: source .demo/env
  local name
  {
    echo "# The demo's environment: 'source .demo/env', then e.g. 'python -m lightspeed_afas log demo'."
    printf 'export PATH=%q:"$PATH"\n' "$BIN"
    for name in $(compgen -e | grep -E '^(AIRFLOW_|AIRFLOW__)' | sort); do
      printf 'export %s=%q\n' "$name" "${!name}"
    done
  } >"$DEMO/env"
}

is_running() { [ -f "$PIDS/$1" ] && kill -0 "$(cat "$PIDS/$1")" 2>/dev/null; }

start_bg() {  # name, command...: own process group, so stop() ends its children too
  local name=$1; shift
  if is_running "$name"; then echo "  $name already running (pid $(cat "$PIDS/$name"))"; return; fi
  setsid "$@" >"$DEMO/$name.log" 2>&1 < /dev/null &
  echo $! >"$PIDS/$name"
}

wait_http() {  # name, url, seconds
  local name=$1 url=$2 limit=$3 i
  for ((i = 0; i < limit; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if ! is_running "$name"; then
      echo "error: $name exited during start-up; last lines of $DEMO/$name.log:" >&2
      tail -n 30 "$DEMO/$name.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "error: $name did not answer on $url within ${limit}s; see $DEMO/$name.log" >&2
  exit 1
}

check_port_free() {  # name, port
  if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
    echo "error: port $2 (for $1) is already in use. Stop what uses it, or set DEMO_${1^^}_PORT." >&2
    exit 1
  fi
}

start() {
  mkdir -p "$PIDS" "$AIRFLOW_HOME"
  write_env_file
  is_running lightspeed || check_port_free lightspeed "$LIGHTSPEED_PORT"
  is_running afas || check_port_free afas "$AFAS_PORT"
  is_running airflow || check_port_free airflow "$AIRFLOW_PORT"
  is_running receiver || check_port_free receiver "$RECEIVER_PORT"

  # The emulators keep their data in memory: a fresh start has an empty AFAS and the demo shop as seeded,
  # so the ledger and the DAG runs of an earlier demo would speak of bookings this AFAS has never seen.
  if ! is_running lightspeed && ! is_running afas && ! is_running airflow \
    && [ -e "$AIRFLOW_HOME/lightspeed_afas_ledger.db" ]; then
    echo "Removing the previous demo's ledger and Airflow database: the emulators start empty, so the demo starts from scratch."
    rm -f "$AIRFLOW_HOME"/lightspeed_afas_ledger.db* "$AIRFLOW_HOME"/airflow.db*
  fi
  echo "Starting the Lightspeed eCom emulator on 127.0.0.1:$LIGHTSPEED_PORT (demo shop) ..."
  start_bg lightspeed "$BIN/python" -m emulators.lightspeed --host 127.0.0.1 --port "$LIGHTSPEED_PORT" \
    --seed demo --api-key "$LIGHTSPEED_KEY" --api-secret "$LIGHTSPEED_SECRET"
  echo "Starting the AFAS Profit emulator on 127.0.0.1:$AFAS_PORT ..."
  start_bg afas "$BIN/python" -m emulators.afas --host 127.0.0.1 --port "$AFAS_PORT" --token-data "$AFAS_TOKEN_DATA"
  wait_http lightspeed "http://127.0.0.1:$LIGHTSPEED_PORT/_admin/calls" 60
  wait_http afas "http://127.0.0.1:$AFAS_PORT/_admin/calls" 60

  echo "Starting Airflow standalone (SQLite in $AIRFLOW_HOME) on 127.0.0.1:$AIRFLOW_PORT; first start migrates the DB ..."
  start_bg airflow "$BIN/airflow" standalone
  wait_http airflow "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health" 240

  local pwfile=$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated
  for _ in $(seq 1 30); do [ -s "$pwfile" ] && break; sleep 1; done
  # The pools the tenant DAGs run their AFAS tasks in (one per AFAS environment), and the Lightspeed
  # pool the non-order flows of a key take turns in.
  "$BIN/python" -m lightspeed_afas pools --format json >"$DEMO/pools.json"
  "$BIN/airflow" pools import "$DEMO/pools.json" >/dev/null
  run_demo_tenant
  run_demo_stock
  run_demo_articles
  run_demo_records
  run_demo_webhooks
  cat <<INFO

The demo is up (everything listens on 127.0.0.1 only):
  Airflow UI          http://127.0.0.1:$AIRFLOW_PORT   user: admin   password: in $pwfile
  Lightspeed emulator http://127.0.0.1:$LIGHTSPEED_PORT/nl/orders.json   (basic auth $LIGHTSPEED_KEY / $LIGHTSPEED_SECRET)
  AFAS emulator       http://127.0.0.1:$AFAS_PORT/ProfitRestServices     (admin view: http://127.0.0.1:$AFAS_PORT/_admin/state)
  Logs                $DEMO/{lightspeed,afas,airflow}.log
  The ledger          source .demo/env && python -m lightspeed_afas log demo   (--runs, --open, --status failed,
                      --order NUMBER [--detail]; --flow stock|articles|customers|credit_notes); the retention DAG: lightspeed_afas_log_retention
  Articles            airflow dags trigger lightspeed_afas_demo__articles --conf '{"dry_run": true}'   (the diff, nothing written)
  Webhooks            receiver on http://127.0.0.1:$RECEIVER_PORT (log: $DEMO/receiver.log); python -m lightspeed_afas webhooks list demo
  Stop it all         make demo-stop
INFO
}

print_runs_when_done() {  # dag: wait (up to 5 minutes) until its runs are neither queued nor running, list them
  local dag=$1 runs="" i
  for ((i = 0; i < 150; i++)); do
    runs=$("$BIN/airflow" dags list-runs "$dag" -o plain 2>/dev/null | awk '$2 ~ /__/ {print $2, $3}')
    if [ -n "$runs" ] && ! grep -qE "queued|running" <<<"$runs"; then break; fi
    sleep 2
  done
  echo "Runs of $dag:"
  sed 's/^/  /' <<<"$runs"
}

run_demo_tenant() {  # unpause the demo tenant's DAG: its first scheduled run books the demo shop
  local dag=lightspeed_afas_demo i
  echo "Waiting for the DAG processor to load $dag ..."
  for ((i = 0; i < 120; i++)); do
    "$BIN/airflow" dags list -o plain 2>/dev/null | grep -q "^$dag" && break
    sleep 2
  done
  "$BIN/airflow" dags unpause "$dag" >/dev/null
  echo "Unpaused $dag; its first run reads every order since the tenant's start_date. Waiting for it ..."
  print_runs_when_done "$dag"
  echo "(a run ends 'failed' when an order could not be booked: the demo shop sells one product AFAS does"
  echo " not know, on purpose — its reason is under 'Open problems' below, and in the task log of load_to_afas)"
  echo
  echo "Run summary from the ledger (python -m lightspeed_afas log demo --runs):"
  "$BIN/python" -m lightspeed_afas log demo --runs --limit 3 | sed 's/^/  /' || true
  echo
  echo "Latest bookings (python -m lightspeed_afas log demo --limit 8):"
  "$BIN/python" -m lightspeed_afas log demo --limit 8 | sed 's/^/  /' || true
  echo
  echo "Open problems: orders failed or quarantined now, with their reasons (python -m lightspeed_afas log demo --open):"
  "$BIN/python" -m lightspeed_afas log demo --open --wide | sed 's/^/  /' || true
  echo
  "$BIN/python" - "http://127.0.0.1:$AFAS_PORT" <<'PY'
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1] + "/_admin/state"))
orders = state["orders"]
print(f"The AFAS emulator now holds {len(orders)} sales orders and {len(state['debtors'])} debtors, e.g.:")
for order in orders[:5]:
    f = order["fields"]
    print(f"  {order['OrNu']}  ref {f.get('RfCs')}  debtor {f.get('DbId')}  {len(order['lines'])} lines  total {order['totals']['TotalAmount']}")
PY
}

run_demo_stock() {  # unpause the demo tenant's stock DAG after the orders: AFAS then reserves what they hold
  local dag=lightspeed_afas_demo__stock
  "$BIN/airflow" dags unpause "$dag" >/dev/null
  echo
  echo "Unpaused $dag: AFAS's stock becomes the shop's stockLevel. Waiting for its first run ..."
  print_runs_when_done "$dag"
  echo
  echo "What its first run pushed (python -m lightspeed_afas log demo --flow stock):"
  "$BIN/python" -m lightspeed_afas log demo --flow stock --limit 20 | sed 's/^/  /' || true
  echo
  echo "Variants it leaves alone, and why (python -m lightspeed_afas log demo --flow stock --open):"
  "$BIN/python" -m lightspeed_afas log demo --flow stock --open | sed 's/^/  /' || true
}

run_demo_articles() {  # unpause the articles DAG (its first run aligns the shop), then a price change in AFAS
  local dag=lightspeed_afas_demo__articles item=ART-2001 price=12.34 since
  local afas=http://127.0.0.1:$AFAS_PORT lightspeed=http://127.0.0.1:$LIGHTSPEED_PORT
  "$BIN/airflow" dags unpause "$dag" >/dev/null
  echo
  echo "Unpaused $dag: AFAS's items (description, price, barcode, VAT group, blocked) overwrite the shop's"
  echo "variants and products. Its first run aligns the shop with AFAS. Waiting for it ..."
  print_runs_when_done "$dag"
  echo
  echo "What its first run wrote (from the ledger, lsafas_article_write):"
  "$BIN/python" scripts/demo_articles.py run | sed 's/^/  /' || true
  echo
  echo "Now a price change in AFAS (POST $afas/_admin/articles), and the articles DAG triggered once more:"
  since=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)
  "$BIN/python" scripts/demo_articles.py set-price "$afas" "$item" "$price" | sed 's/^/  /'
  "$BIN/airflow" dags trigger "$dag" >/dev/null
  print_runs_when_done "$dag"
  echo
  echo "The articles runs, and the fields the newest one wrote, shop value → AFAS value (python -m lightspeed_afas log demo --flow articles):"
  if ! "$BIN/python" -m lightspeed_afas log demo --flow articles | sed 's/^/  /'; then
    echo "  (the log command failed; the fields written since the price change, from lsafas_article_write:)"
    "$BIN/python" scripts/demo_articles.py writes --since "$since" | sed 's/^/  /' || true
  fi
  "$BIN/python" scripts/demo_articles.py variant "$lightspeed" "$item" | sed 's/^/  /' || true
}

run_demo_records() {  # a customer registers, an order is refunded; the customers and credit-notes DAGs book them
  local afas=http://127.0.0.1:$AFAS_PORT lightspeed=http://127.0.0.1:$LIGHTSPEED_PORT dag
  echo
  echo "A customer registers in the shop without ordering, and an order AFAS holds is partly refunded:"
  "$BIN/python" scripts/demo_records.py seed "$lightspeed" "$afas" | sed 's/^/  /'
  for dag in lightspeed_afas_demo__customers lightspeed_afas_demo__credit_notes; do
    "$BIN/airflow" dags unpause "$dag" >/dev/null
    echo "Unpaused $dag. Waiting for its first run ..."
    print_runs_when_done "$dag"
  done
  echo
  echo "What they booked (python -m lightspeed_afas log demo --flow customers / --flow credit_notes):"
  "$BIN/python" scripts/demo_records.py show "$afas" | sed 's/^/  /' || true
}

run_demo_webhooks() {  # the receiver, the shop's webhooks, and an order that reaches AFAS at once
  local pwfile=$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated password
  echo
  echo "Starting the webhook receiver on 127.0.0.1:$RECEIVER_PORT (it triggers runs through Airflow's API) ..."
  password=$("$BIN/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["admin"])' "$pwfile")
  LIGHTSPEED_AFAS_AIRFLOW_URL=http://127.0.0.1:$AIRFLOW_PORT LIGHTSPEED_AFAS_AIRFLOW_USERNAME=admin \
    LIGHTSPEED_AFAS_AIRFLOW_PASSWORD=$password \
    start_bg receiver "$BIN/python" -m lightspeed_afas webhooks serve --host 127.0.0.1 --port "$RECEIVER_PORT"
  wait_http receiver "http://127.0.0.1:$RECEIVER_PORT/health" 60
  echo "Registering the demo shop's order webhooks (python -m lightspeed_afas webhooks install demo):"
  # (Airflow logs a warning per connection lookup about the '_' in its type; left out here.)
  "$BIN/python" -m lightspeed_afas webhooks install demo | grep -v "RFC3986\|too short" | sed 's/^/  /'
  "$BIN/python" scripts/demo_webhooks.py place-order "http://127.0.0.1:$LIGHTSPEED_PORT" "http://127.0.0.1:$AFAS_PORT" \
    | sed 's/^/  /' || true
  echo "What the receiver did (python -m lightspeed_afas log demo --webhooks):"
  "$BIN/python" -m lightspeed_afas log demo --webhooks --limit 6 | sed 's/^/  /' || true
}

stop() {
  local name pid
  for name in receiver airflow afas lightspeed; do
    [ -f "$PIDS/$name" ] || continue
    pid=$(cat "$PIDS/$name")
    if kill -0 "$pid" 2>/dev/null; then
      echo "Stopping $name (pid $pid) ..."
      kill -INT -- "-$pid" 2>/dev/null || true   # standalone shuts its components down on SIGINT
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -TERM -- "-$pid" 2>/dev/null || true
      sleep 1
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$PIDS/$name"
  done
  echo "Demo stopped."
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
