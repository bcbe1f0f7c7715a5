#!/usr/bin/env bash
# Runs every test against real parts: Azurite (started by the tests), an SMTP server, HTTP feeds on loopback and,
# for the browser tests, Debian's Chromium. Usage: ./test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x node_modules/.bin/azurite ]; then
  npm ci --no-audit --no-fund
fi
dotnet tool restore >/dev/null
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "test.sh: could not install chromium; browser tests will fail" >&2
  else
    echo "test.sh: browser tests need Debian's chromium: sudo apt-get install chromium" >&2
  fi
fi

dotnet build Alerts.sln -c Release -nologo -v quiet
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Alerts.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, summed over the test projects' summaries.
# Reads both the minimal ("Failed!  - Failed: 1, Passed: 2, Skipped: 0") and the normal ("Passed: 2" lines) formats.
awk '
  /^(Passed|Failed)! +- Failed: / { gsub(/,/, ""); fm += $4; pm += $6; sm += $8; minimal = 1 }
  /^ +Passed: +[0-9]+$/ { pn += $2 }
  /^ +Failed: +[0-9]+$/ { fn += $2 }
  /^ +Skipped: +[0-9]+$/ { sn += $2 }
  END { if (minimal) printf "%d passed, %d failed, %d skipped\n", pm, fm, sm; else printf "%d passed, %d failed, %d skipped\n", pn, fn, sn }
' "$log"
exit "$status"
