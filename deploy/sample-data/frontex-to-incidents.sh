#!/usr/bin/env bash
# Turns the Frontex monthly detections file into one incidents file (input format v1) per reporting
# state, as a statistical return: each Frontex row (route x border type x nationality x month) becomes
# one row with detected_on = YYYY-MM and migrants = n. Usage: frontex-to-incidents.sh FRONTEX.csv OUTDIR
set -euo pipefail
in=${1:?Frontex CSV}; out=${2:?output directory}
mkdir -p "$out"
# Route -> (reporting state, corridor code). "Other" rows (44 of 34,273) have no reporting state and are left out.
awk -F'","|^"|",|,' -v out="$out" '
BEGIN {
  state["Central Mediterranean Route"]="ITA";          code["Central Mediterranean Route"]="central_mediterranean"
  state["Eastern Mediterranean Route"]="GRC";          code["Eastern Mediterranean Route"]="eastern_mediterranean"
  state["Circular Route from Albania to Greece"]="GRC"; code["Circular Route from Albania to Greece"]="albania_greece_circular"
  state["Western Mediterranean Route"]="ESP";          code["Western Mediterranean Route"]="western_mediterranean"
  state["Western African Route"]="ESP";                code["Western African Route"]="western_african"
  state["Western Balkan Route"]="HRV";                 code["Western Balkan Route"]="western_balkan"
  state["Eastern Borders Route"]="POL";                code["Eastern Borders Route"]="eastern_borders"
  state["Black Sea Route"]="ROU";                      code["Black Sea Route"]="black_sea"
  # Frontex codes outside ISO 3166 / ICAO 9303: unspecified and stateless.
  nat["OOO"]="XXX"; nat["OOS"]="XXX"; nat["STL"]="XXA"
}
NR == 1 { next }
{
  route=$2; type=tolower($3); n_=$4; month=$5; n=$6
  if (!(route in state)) next
  s=state[route]; file=out "/incidents-" s ".csv"
  if (!(file in started)) { print "ref,detected_on,border_type,corridor,nationality,migrants" > file; started[file]=1 }
  ref="FX-" code[route] "-" type "-" n_ "-" month
  if (n_ in nat) n_=nat[n_]
  printf "%s,%s,%s,%s,%s,%d\n", ref, month, type, code[route], n_, n >> file
}' "$in"
