#!/bin/sh
# Five synthetic provinces of 200,000 households (codes 91..95, seeds 1..5) in one database:
# the 1,000,000-household "nation" of issue 16. Each province is one generate_area run with
# --workers 2, timed by /usr/bin/time -v; load averages are logged before and after each.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_nation sh bench/nation_generate.sh
# Log: bench/out/nation_generate.log (override with LOG=...), with the load average each minute.
set -eu
LOG=${LOG:-bench/out/nation_generate.log}
HOUSEHOLDS=${HOUSEHOLDS:-200000}
WORKERS=${WORKERS:-2}
mkdir -p "$(dirname "$LOG")"
echo "start $(date -u +%FT%TZ) load $(cat /proc/loadavg)" >>"$LOG"
# The load average once a minute, beside the generator's own progress lines.
(while sleep 60; do echo "load $(date -u +%T) $(cat /proc/loadavg)"; done) >>"$LOG" &
sampler=$!
trap 'kill "$sampler"' EXIT
for n in 1 2 3 4 5; do
    code=$((90 + n))
    echo "province $code seed $n start $(date -u +%FT%TZ) load $(cat /proc/loadavg)" >>"$LOG"
    /usr/bin/time -v .venv/bin/python manage.py generate_area --households "$HOUSEHOLDS" \
        --province-code "$code" --seed "$n" --workers "$WORKERS" >>"$LOG" 2>&1
    echo "province $code end $(date -u +%FT%TZ) load $(cat /proc/loadavg)" >>"$LOG"
done
echo "end $(date -u +%FT%TZ) load $(cat /proc/loadavg)" >>"$LOG"
