#!/usr/bin/env bash
# Builds and lints every .bicep file under infra/ with the Bicep CLI restored from NuGet
# (CI reaches NuGet but not the Bicep release downloads). Fails on any warning or error.
# Usage: bash infra/bicep.sh
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="0.49.2"

dotnet restore "$infra_dir/bicep-cli/BicepCli.proj" --nologo --verbosity quiet >/dev/null

# Honour NUGET_PACKAGES / nuget.config instead of assuming ~/.nuget/packages.
packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
bicep="${packages%/}/azure.bicep.commandline.linux-x64/$version/tools/bicep"
if [[ ! -f "$bicep" ]]; then
  echo "bicep.sh: Bicep CLI not found at $bicep after restore" >&2
  exit 1
fi
# NuGet extracts the binary without the execute bit.
chmod +x "$bicep"
"$bicep" --version

out_dir="$(mktemp -d)"
trap 'rm -rf "$out_dir"' EXIT

failed=0
count=0
while IFS= read -r -d '' file; do
  count=$((count + 1))
  rel="${file#"$infra_dir"/}"
  for step in build lint; do
    if [[ $step == build ]]; then
      args=(build "$file" --outdir "$out_dir/$(dirname "$rel")")
    else
      args=(lint "$file")
    fi
    # Diagnostics go to stderr as "path(line,col) : Warning|Error rule: message".
    if ! output="$("$bicep" "${args[@]}" 2>&1)"; then
      failed=1
    fi
    if grep -Eq ' : (Warning|Error) ' <<<"$output"; then
      failed=1
    fi
    if [[ -n $output ]]; then
      echo "$output"
    fi
  done
  echo "bicep $rel: build+lint done"
done < <(find "$infra_dir" -name '*.bicep' -not -path '*/obj/*' -not -path '*/bin/*' -print0 | sort -z)

if [[ $count -eq 0 ]]; then
  echo "bicep.sh: no .bicep files found under $infra_dir" >&2
  exit 1
fi
if [[ $failed -ne 0 ]]; then
  echo "bicep.sh: FAILED (warnings or errors above)" >&2
  exit 1
fi
echo "bicep.sh: $count file(s) built and linted with no warnings"
