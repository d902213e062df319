#!/usr/bin/env bash
# VrsMsrc demo: a regional hub and six national nodes as separate processes on loopback, with a
# throw-away regional CA and real mutual TLS, fed with the real Frontex monthly detections.
#
#   ./deploy/demo.sh [--dir DIR] [--keep]
#
# All state (CA, hub and node data directories, logs) goes under DIR (default: a new temporary
# folder): the hub's in DIR/hub, each node's in DIR/node-<ISO3>. With --keep the hub and the nodes
# keep serving after the demo; otherwise everything is stopped cleanly at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
dir="" keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=${2:?--dir needs a directory}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown argument '$1' (use --dir DIR, --keep)" >&2; exit 2 ;;
  esac
done
if [ -z "$dir" ]; then dir=$(mktemp -d -t vrs-demo-XXXXXX); fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ -e "$dir/hub" ]; then echo "demo.sh: $dir already holds a demo; choose another --dir" >&2; exit 2; fi
states=(ESP GRC HRV ITA POL ROU)
pids=()

stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
on_exit() {
  local rc=$?
  if [ "$keep" = 0 ] || [ "$rc" != 0 ]; then stop_all; fi
  if [ "$rc" != 0 ]; then echo "demo.sh: failed (exit $rc); logs are in $dir" >&2; fi
}
trap on_exit EXIT

step() { printf '\n== %s\n' "$*"; }

free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 20000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

wait_for_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "demo.sh: nothing listens on port $1; see $dir/hub/hub.log" >&2
  return 1
}

echo "Demo state in $dir"
step "Building (Release)"
dotnet build "$repo/VrsMsrc.sln" -c Release -nologo -v quiet -clp:ErrorsOnly
hub="$repo/hub/VrsMsrc.Hub/bin/Release/net10.0/vrs-hub"
node="$repo/node/VrsMsrc.Node/bin/Release/net10.0/vrs-node"

step "Hub: regional CA, server certificate, database"
exchange_port=$(free_port); analyst_port=$(free_port)
"$hub" init --data-dir "$dir/hub" --exchange-url "https://127.0.0.1:$exchange_port" --analyst-url "https://127.0.0.1:$analyst_port" >/dev/null
"$hub" serve --data-dir "$dir/hub" >"$dir/hub/hub.log" 2>&1 &
pids+=($!)
wait_for_port "$exchange_port"
echo "hub serving: exchange https://127.0.0.1:$exchange_port (mutual TLS), analysts https://127.0.0.1:$analyst_port"
# An analyst and an operator for the dashboard (docs/dashboard.md), with passwords made for this demo.
demo_password=$("$hub" user add demo-analyst --role regional-analyst --data-dir "$dir/hub" | sed -n 's/^Password (shown once): //p')
operator_password=$("$hub" user add demo-operator --role operator --data-dir "$dir/hub" | sed -n 's/^Password (shown once): //p')

step "Sample data: Frontex routes split over the reporting states"
"$here/sample-data/frontex-to-incidents.sh" "$here/sample-data/frontex_ibc_monthly_2009-2025.csv" "$dir/sample"
for s in "${states[@]}"; do printf '%s: %6d incident rows\n' "$s" $(( $(wc -l <"$dir/sample/incidents-$s.csv") - 1 )); done

step "Nodes: init, CSR signed by the hub, import, protected release"
for s in "${states[@]}"; do
  d="$dir/node-$s"
  "$node" init --data-dir "$d" --state "$s" --hub "https://localhost:$exchange_port" --ingest-url "http://127.0.0.1:$(free_port)" >/dev/null
  "$hub" pki sign "$d/node.csr" --node "$s" --data-dir "$dir/hub" --out "$d/signed.crt" >/dev/null
  "$node" enrol --data-dir "$d" --cert "$d/signed.crt" --ca "$dir/hub/pki/ca.crt" >/dev/null
  printf '%s: ' "$s"; "$node" import "$dir/sample/incidents-$s.csv" --kind incidents --data-dir "$d"
  printf '%s: ' "$s"; "$node" release --data-dir "$d"
done

step "Nodes serving: each delivers its outbox to the hub over mutual TLS"
for s in "${states[@]}"; do
  "$node" serve --data-dir "$dir/node-$s" >"$dir/node-$s/node.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 150); do
  delivered=$("$hub" nodes --data-dir "$dir/hub" --format csv | awk -F, 'NR > 1 && $4 > 0' | wc -l)
  [ "$delivered" = "${#states[@]}" ] && break
  sleep 0.2
done
"$hub" nodes --data-dir "$dir/hub"
[ "$delivered" = "${#states[@]}" ] || { echo "demo.sh: only $delivered of ${#states[@]} nodes delivered; see $dir/node-*/node.log" >&2; exit 1; }

step "Yearly migrants detected, by corridor (hub: protected cells of the 'corridors' table)"
"$hub" query series --data-dir "$dir/hub" --table corridors --measure migrants --by corridor --period year --from 2015-01 --to 2024-12 \
  --format csv >"$dir/by-corridor.csv"
"$hub" query series --data-dir "$dir/hub" --table corridors --measure migrants --by corridor --period year --from 2015-01 --to 2024-12

step "Yearly migrants detected, by reporting state"
"$hub" query series --data-dir "$dir/hub" --table totals --measure migrants --by state --period year --from 2015-01 --to 2024-12

step "Check against the Frontex file"
# True yearly totals per corridor from the source file; the hub's figures may differ by the noise of
# each published monthly cell (at most 5) and the cells below the threshold (under 10 each): with
# land and sea cells per month that is at most 24 x 9 = 216 per corridor and year.
awk -F'","|^"|",|,' '
  NR == FNR { if (FNR > 1) hub[$1","$2] = $3; next }
  FNR == 1 { next }
  {
    code = $2; gsub(/ Route$/, "", code); gsub(/ /, "_", code); code = tolower(code)
    if ($2 == "Circular Route from Albania to Greece") code = "albania_greece_circular"
    year = substr($5, 1, 4)
    if (year >= 2015 && year <= 2024 && code != "other") truth[year","code] += $6
  }
  END {
    worst = 0; bad = 0
    for (k in truth) {
      d = hub[k] - truth[k]; if (d < 0) d = -d
      if (d > worst) worst = d
      if (d > 216) { bad++; print "  outside bounds: " k " hub " hub[k] " frontex " truth[k] }
      n++
    }
    printf "%d corridor-years compared: largest difference %d (bound 216), %d outside the bound\n", n, worst, bad
    exit bad > 0
  }' "$dir/by-corridor.csv" "$here/sample-data/frontex_ibc_monthly_2009-2025.csv"

step "Emerging trends: top alerts of the last 12 months with data"
# The hub also runs this pass by itself after every release it applies; --refresh runs it now.
"$hub" alerts --data-dir "$dir/hub" --refresh --limit 10

step "Known movements: top alerts of 2015, of mid-2019 to 2020 and of 2021"
"$hub" alerts --data-dir "$dir/hub" --from 2015-01 --to 2015-12 --limit 5
"$hub" alerts --data-dir "$dir/hub" --from 2019-07 --to 2020-12 --limit 5
"$hub" alerts --data-dir "$dir/hub" --from 2021-01 --to 2021-12 --limit 5

step "Similar states: for each state, the one whose trends of the last 5 years are most alike"
for s in "${states[@]}"; do
  "$hub" similar --data-dir "$dir/hub" --state "$s" --months 60 --top 1 --format csv | tail -n +2
done

step "Query further"
cat <<EOT
  $hub query series --data-dir $dir/hub --table flows --measure migrants --by nationality --period year --where corridor=central_mediterranean
  $hub query series --data-dir $dir/hub --table corridors --measure migrants --by state --period quarter --from 2020-01 --format csv
  $hub query series --data-dir $dir/hub --measure migrants --by nationality --where corridor=eastern_borders --from 2021-06 --to 2021-12
  $hub query flows --data-dir $dir/hub --of corridors --from 2024-01 --to 2024-12
  $hub query profiles --data-dir $dir/hub --by nationality --state POL --from 2021-01 --to 2021-12
  $hub query coverage --data-dir $dir/hub
  $hub alerts --data-dir $dir/hub --state ESP --from 2019-01 --to 2020-12 --format csv
  $hub similar --data-dir $dir/hub --state GRC --months 36
  $node status --data-dir $dir/node-ITA
  $node preview --data-dir $dir/node-ITA --format csv
EOT
if [ "$keep" = 1 ]; then
  echo
  echo "Hub and nodes keep serving (pids ${pids[*]}); stop them with: kill ${pids[*]}"
  echo "Dashboard: https://127.0.0.1:$analyst_port/dashboard/ (its certificate is signed by the demo's CA, $dir/hub/pki/ca.crt)"
  echo "  sign in as demo-analyst / $demo_password, or as demo-operator / $operator_password for the node status"
else
  step "Stopping hub and nodes"
  stop_all
  echo "Stopped. State kept in $dir"
fi
