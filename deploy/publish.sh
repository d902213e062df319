#!/usr/bin/env bash
# Self-contained linux-x64 builds of vrs-node and vrs-hub: one folder per service that runs on a server
# without the .NET SDK or runtime, plus a .tar.gz and its SHA-256 for carrying to an air-gapped server.
# Usage: deploy/publish.sh [--out DIR] [--rid RID] [--no-archive] [node] [hub]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist rid=linux-x64 archive=1 services=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --rid) rid=$2; shift 2 ;;
    --no-archive) archive=0; shift ;;
    node|hub) services+=("$1"); shift ;;
    *) echo "usage: $0 [--out DIR] [--rid RID] [--no-archive] [node] [hub]" >&2; exit 2 ;;
  esac
done
[[ ${#services[@]} -gt 0 ]] || services=(node hub)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$out"
out=$(cd "$out" && pwd)

for service in "${services[@]}"; do
  project=$service/VrsMsrc.${service^}/VrsMsrc.${service^}.csproj
  dir=$out/vrs-$service-$rid
  rm -rf "$dir"
  # Self-contained: the runtime travels with the program. No trimming: gRPC, JSON and Dapper use reflection.
  dotnet publish "$project" -c Release -r "$rid" --self-contained -p:DebugType=none -o "$dir" >&2
  cp "deploy/systemd/vrs-$service.service" "$dir/"
  cp "docs/install-$service.md" docs/configuration.md "$dir/"
  "$dir/vrs-$service" --help >/dev/null   # the published program starts on its own runtime
  if [[ $archive == 1 ]]; then
    tar -C "$out" -czf "$dir.tar.gz" "vrs-$service-$rid"
    (cd "$out" && sha256sum "vrs-$service-$rid.tar.gz" > "vrs-$service-$rid.tar.gz.sha256")
  fi
  echo "$dir"
done
