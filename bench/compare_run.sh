#!/usr/bin/env bash
# Compares `stepwise run` with the peer, aws-local-stepfunctions (through the shared
# peer-run.mjs), on the shared workloads, in one run on one machine:
#   loop.json  input {"i":0,"n":N}                    for N in LOOP_SIZES (50000 500000)
#   map.json   input {"items":[{"k":0},...,{"k":N-1}]} for N in MAP_SIZES (10000 100000)
# Each case runs RUNS times (3), the two tools interleaved so that machine noise hits both alike;
# the table shows medians. Wall time is measured with bash's microsecond clock around
# /usr/bin/time (whose %e has only 10 ms steps); peak RSS is /usr/bin/time's %M.
#
# Transitions are counted as states entered:
#   loop: 2n + 1    (Step and More once per iteration, then Done)
#   map:  items + 1 (the Map state, then Square once per item)
# transitions/s = transitions / median wall time. speed ratio = stepwise transitions/s divided by
# the peer's; memory ratio = stepwise peak RSS divided by the peer's.
#
# Both tools must report SUCCEEDED with the expected output (loop: output.i == n; map:
# output.count == items), or the script stops.
#
# Environment: STEPWISE_BUILD_DIR (default build-release; configured as Release and built with
# scripts/build unless SKIP_BUILD=1), SHARED_BENCH (default ../shared/bench next to the
# checkout), PEER_DIR (default bench/peer), BENCH_SIDES ("stepwise peer"; name one side to run
# only it), RUNS, LOOP_SIZES, MAP_SIZES (set empty to skip that workload).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${STEPWISE_BUILD_DIR:-build-release}
[[ "$build" == /* ]] || build="$root/$build"
shared=${SHARED_BENCH:-$root/../shared/bench}
peer_dir=${PEER_DIR:-$root/bench/peer}
sides=${BENCH_SIDES:-stepwise peer}
runs=${RUNS:-3}
loop_sizes=${LOOP_SIZES-50000 500000}
map_sizes=${MAP_SIZES-10000 100000}

die() { echo "compare_run: $*" >&2; exit 1; }
wants() { [[ " $sides " == *" $1 "* ]]; }

[[ -f "$shared/peer-run.mjs" && -d "$shared/workloads" ]] ||
  die "no peer-run.mjs and workloads/ in $shared (set SHARED_BENCH)"
[[ -x /usr/bin/time ]] || "$root/scripts/install-deps" time

stepwise="$build/cli/stepwise"
if wants stepwise; then
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    # Release, not the default RelWithDebInfo: the comparison is about the optimized interpreter.
    STEPWISE_BUILD_DIR="$build" "$root/scripts/build" -DCMAKE_BUILD_TYPE=Release
  fi
  [[ -x "$stepwise" ]] || die "$stepwise was not built"
  "$stepwise" --help 2>&1 | grep -Eq '^ +run ' ||
    die "$stepwise has no 'run' command yet (BENCH_SIDES=peer runs the peer alone)"
fi
if wants peer; then
  command -v node >/dev/null || die "node is needed for the peer"
  if [[ ! -d "$peer_dir/node_modules/aws-local-stepfunctions" ]]; then
    echo "compare_run: installing aws-local-stepfunctions into $peer_dir" >&2
    mkdir -p "$peer_dir"
    npm install --silent --no-audit --no-fund --prefix "$peer_dir" aws-local-stepfunctions >&2
  fi
  peer_package="$peer_dir/node_modules/aws-local-stepfunctions/package.json"
  peer_version=$(node -p "require('$peer_package').version")
  echo "peer: aws-local-stepfunctions $peer_version, node $(node --version)" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run_once SIDE DEFINITION INPUT_FILE: appends "wall_seconds peak_kb" to $work/SIDE.samples and
# leaves the tool's stdout in $work/SIDE.out.
run_once() {
  local side=$1 definition=$2 input=$3 command
  if [[ $side == stepwise ]]; then
    # The 100,000-item map input is larger than the 256 KiB payload limit, which the peer lacks.
    command=("$stepwise" run "$definition" --input-file "$input" --json --max-payload-bytes 0)
  else
    command=(env PEER_DIR="$peer_dir" node "$shared/peer-run.mjs" run "$definition"
             --input-file "$input" --json)
  fi
  local start=$EPOCHREALTIME status=0
  /usr/bin/time -f '%e %M' -o "$work/time" "${command[@]}" >"$work/$side.out" 2>"$work/$side.err" ||
    status=$?
  local end=$EPOCHREALTIME
  if [[ $status -ne 0 ]]; then
    echo "compare_run: $side failed (exit $status) on $(basename "$definition"):" >&2
    head -c 2000 "$work/$side.out" "$work/$side.err" >&2
    exit 1
  fi
  local peak_kb
  peak_kb=$(tail -n 1 "$work/time" | awk '{print $2}')
  echo "$(awk -v s="$start" -v e="$end" 'BEGIN{printf "%.6f", e - s}') $peak_kb" \
    >>"$work/$side.samples"
}

# check SIDE FIELD EXPECTED: the run reported SUCCEEDED with output[FIELD] == EXPECTED.
check() {
  node -e '
    const [file, field, expected] = process.argv.slice(1);
    const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const got = r.output && r.output[field];
    if (r.status !== "SUCCEEDED" || got !== Number(expected)) {
      console.error(`expected SUCCEEDED with output.${field} == ${expected}, got ` +
                    JSON.stringify(r).slice(0, 500));
      process.exit(1);
    }' "$work/$1.out" "$2" "$3" || die "$1 gave a wrong result"
}

median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

rows=()
# bench NAME DEFINITION INPUT_FILE TRANSITIONS FIELD EXPECTED
bench() {
  local name=$1 definition=$2 input=$3 transitions=$4 field=$5 expected=$6 side run
  rm -f "$work"/*.samples
  for ((run = 1; run <= runs; run++)); do
    for side in $sides; do
      run_once "$side" "$definition" "$input"
      check "$side" "$field" "$expected"
    done
  done
  local -A wall=() peak=()
  for side in stepwise peer; do
    if wants "$side"; then
      wall[$side]=$(awk '{print $1}' "$work/$side.samples" | median)
      peak[$side]=$(awk '{print $2}' "$work/$side.samples" | median)
    else
      wall[$side]=nan
      peak[$side]=nan
    fi
  done
  rows+=("$(awk -v name="$name" -v t="$transitions" -v sw="${wall[stepwise]}" \
    -v pw="${wall[peer]}" -v sm="${peak[stepwise]}" -v pm="${peak[peer]}" '
    function have(x) { return x != "nan" }
    function num(x, fmt) { return have(x) ? sprintf(fmt, x) : "-" }
    BEGIN {
      st = have(sw) ? t / sw : "nan"; pt = have(pw) ? t / pw : "nan"
      smb = have(sm) ? sm / 1024 : "nan"; pmb = have(pm) ? pm / 1024 : "nan"
      speed = (have(st) && have(pt)) ? st / pt : "nan"
      memory = (have(smb) && have(pmb)) ? smb / pmb : "nan"
      printf "%-14s %10s %10s %14s %14s %8s %11s %10s %8s", name, num(sw, "%.3f"),
             num(pw, "%.3f"), num(st, "%.0f"), num(pt, "%.0f"), num(speed, "%.1fx"),
             num(smb, "%.1f"), num(pmb, "%.1f"), num(memory, "%.3f")
    }')")
  echo "done: $name" >&2
}

for n in $loop_sizes; do
  printf '{"i":0,"n":%d}\n' "$n" >"$work/loop-$n.json"
  bench "loop n=$n" "$shared/workloads/loop.json" "$work/loop-$n.json" $((2 * n + 1)) i "$n"
done
for n in $map_sizes; do
  awk -v n="$n" 'BEGIN {
    printf "{\"items\":["
    for (i = 0; i < n; i++) printf "%s{\"k\":%d}", (i ? "," : ""), i
    print "]}"
  }' >"$work/map-$n.json"
  bench "map n=$n" "$shared/workloads/map.json" "$work/map-$n.json" $((n + 1)) count "$n"
done

printf '%-14s %10s %10s %14s %14s %8s %11s %10s %8s\n' workload "stepwise s" "peer s" \
  "stepwise tr/s" "peer tr/s" speed "stepwise MB" "peer MB" memory
printf '%s\n' "${rows[@]}"
