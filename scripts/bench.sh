#!/usr/bin/env bash
# bench.sh - time mprun side by side with GNU parallel and xargs -P, and
# hold the figures against mprun's performance targets.
#
#   usage: scripts/bench.sh [path/to/mprun]      (from the repository root;
#          default ./mprun, or $MPRUN; `make bench` builds and runs it)
#
# Every runner is checked on the workload before it is timed (a runner that
# fails a check is skipped with a message, never timed), each figure is the
# median of hyperfine's runs, and one table and a TARGETS block are printed.
# The exit status is 0 whether targets are met or not (this measures, it
# does not test); it is 1 only when the script itself cannot run.
#
# Workloads, in this order (sizes from the environment, defaults in []):
#   trivial      A_N [5000] jobs `/bin/true ARG`; rows limit (a bare
#                posix_spawn loop), mprun, xargs, GNU parallel    -> jobs/s
#   ordered      B_N [5000] jobs `/bin/echo ARG`, output in input order;
#                mprun, GNU parallel -k, xargs as unordered reference
#                                                                 -> jobs/s
#   volume       C_N [64] jobs each writing C_BYTES [8388608] bytes, in
#                order, to /dev/null; rows as for ordered         -> MiB/s
#   volume-pipe  the same piped through `cat >/dev/null`, so a runner that
#                special-cases /dev/null still pays for its copies -> MiB/s
#   startup      one job `/bin/true 1`, E_RUNS [30] runs after E_WARMUP [5]
#                                                                 -> ms
#   cpu          D_N [16] jobs each burning D_MS [200] ms of CPU, at -j1 and
#                at -jJ                                           -> speedup
#   worker       `seq W_N | mprun --worker cat`, W_N [1000000]    -> tasks/s
#   rss          `seq N | mprun /bin/true` for N = R_N [1000000] and R_N/10,
#                one run each                           -> peak RSS in MiB
#                (slow: ~8 min at 1M on 2 cores; R_N=100000 for a quick look)
#
# Other settings:
#   WORKLOADS  [trivial ordered volume volume-pipe startup cpu worker rss]
#   J          [nproc] jobs at a time, for every runner
#   RUNS       [5] timed runs per command; WARMUP [1] untimed runs before
#   QUICK      [0]; 1 makes the sizes ~10x smaller and RUNS 3: A_N=B_N=500,
#              C_BYTES=1 MiB, D_MS=20, W_N=R_N=100000 (variables set
#              explicitly still win)
#   OUTDIR     [${TMPDIR:-/tmp}/mprun-bench-DATE] hyperfine JSON per workload
#              and summary.tsv
#   MPRUN      the mprun to time when no argument is given
#
# Needs bash, hyperfine and cc (benchjob.c, next to this script, is compiled
# into a temporary directory); xargs and GNU parallel are skipped when absent.
#
# Examples:
#   QUICK=1 scripts/bench.sh
#   WORKLOADS='trivial startup' RUNS=10 scripts/bench.sh ./mprun
#   R_N=100000 WORKLOADS=rss scripts/bench.sh

set -u -o pipefail
# The C locale: byte-wise sort, and "." as the decimal point in awk and in
# $EPOCHREALTIME.
export LC_ALL=C
# Default options from the caller would skew mprun's figures.
unset MPRUN_OPTS

say() { printf '%s\n' "$*" >&2; }
die() { say "bench.sh: $*"; exit 1; }

MPRUN=${1:-${MPRUN:-./mprun}}
J=${J:-$(nproc)}
if [[ ${QUICK:-0} == 1 ]]; then
    : "${A_N:=500}" "${B_N:=500}" "${C_BYTES:=1048576}" "${D_MS:=20}" \
      "${W_N:=100000}" "${R_N:=100000}" "${RUNS:=3}"
fi
A_N=${A_N:-5000}; B_N=${B_N:-5000}
C_N=${C_N:-64}; C_BYTES=${C_BYTES:-8388608}
D_N=${D_N:-16}; D_MS=${D_MS:-200}
E_RUNS=${E_RUNS:-30}; E_WARMUP=${E_WARMUP:-5}
W_N=${W_N:-1000000}; R_N=${R_N:-1000000}
RUNS=${RUNS:-5}; WARMUP=${WARMUP:-1}
WORKLOADS=${WORKLOADS:-trivial ordered volume volume-pipe startup cpu worker rss}
OUTDIR=${OUTDIR:-${TMPDIR:-/tmp}/mprun-bench-$(date +%Y%m%d-%H%M%S)}

for v in J A_N B_N C_N C_BYTES D_N D_MS E_RUNS W_N R_N RUNS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, not '${!v}'"
done
for v in WARMUP E_WARMUP; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
done
for w in $WORKLOADS; do
    case $w in
        trivial|ordered|volume|volume-pipe|startup|cpu|worker|rss) ;;
        *) die "unknown workload '$w'" ;;
    esac
done
command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install hyperfine)"
command -v cc >/dev/null || die "cc not found (apt-get install gcc)"
[[ -f $MPRUN && -x $MPRUN ]] || die "$MPRUN: no such executable (run make first)"
# Absolute, so that the commands hyperfine runs do not depend on PATH.
MPRUN=$(realpath -- "$MPRUN") || die "cannot resolve $MPRUN"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mprun-bench-work.XXXXXX") || die "mktemp failed"
trap 'rm -rf -- "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
H=$WORK/benchjob
cc -O2 -o "$H" "$(dirname -- "${BASH_SOURCE[0]}")/benchjob.c" ||
    die "cannot compile benchjob.c"
mkdir -p -- "$OUTDIR" || die "cannot create $OUTDIR"
SUMMARY=$OUTDIR/summary.tsv
printf 'workload\trunner\tmedian_s\trate\tunit\tmprun_vs\tnote\n' >"$SUMMARY"

declare -A LABEL=([mprun]=mprun [xargs]=xargs [parallel]='GNU parallel')
declare -A MED=()       # "workload|row" -> median seconds
declare -A RATE=()      # "workload|row" -> jobs/s, MiB/s, ms, speedup, MiB
declare -A CHECKED=()   # check command -> "" if it passed, else why not
declare -A REF=()       # reference command and digest mode -> digest
RUNNERS=()              # the runners present and sane, in table order
NAMES=() CMDS=()        # the rows of the workload being collected

# runner_cmd RUNNER J KEEP ARGFILE JOB...: the shell command with which
# RUNNER runs JOB once per line of ARGFILE (the line as its last argument),
# J at a time, in input order when KEEP is 1.  mprun keeps order by default,
# which is what its users get, so it is given nothing for KEEP.
runner_cmd() {
    local r=$1 j=$2 keep=$3 args=$4 job
    shift 4
    job=$(printf '%q ' "$@")
    case $r in
        mprun)    printf '%q -j %s %s:::: %q' "$MPRUN" "$j" "$job" "$args" ;;
        xargs)    printf 'xargs -a %q -P %s -n 1 %s' "$args" "$j" "$job" ;;
        parallel) printf 'parallel -j %s %s%s:::: %q' "$j" \
                      "$( ((keep)) && echo '-k ')" "$job" "$args" ;;
    esac
}

# digest MODE < output: sha256 of the bytes (exact), or of the multiset of
# lines (sorted: the same verdict as comparing sorted output, without
# sorting 512 MiB).
digest() {
    if [[ $1 == exact ]]; then
        sha256sum
    else
        awk '{ n[$0]++ } END { for (l in n) print n[l] "\t" l }' | sort | sha256sum
    fi | cut -c1-64
}

# reference MODE ARGFILE JOB...: digest of the sequential `xargs -P1` run.
reference() {
    local mode=$1 args=$2 key
    shift 2
    key="$mode $args $*"
    if [[ -z ${REF[$key]:-} ]]; then
        REF[$key]=$(xargs -a "$args" -P 1 -n 1 "$@" </dev/null | digest "$mode")
    fi
    printf '%s' "${REF[$key]}"
}

# try NAME CMD CHECKCMD MODE [WANT]: add the row NAME timing CMD if CHECKCMD
# exits 0 and, for MODE exact or sorted, its output has the digest WANT.  A
# check that ran before is not run again (volume-pipe reuses volume's).
try() {
    local name=$1 cmd=$2 check=$3 mode=$4 want=${5:-} got rc
    if [[ -z ${CHECKED[$check]+set} ]]; then
        CHECKED[$check]=
        if [[ $mode == status ]]; then
            bash -c "$check" </dev/null >/dev/null 2>&1
            rc=$?
            ((rc == 0)) || CHECKED[$check]="exit status $rc"
        else
            got=$(bash -c "$check" </dev/null 2>/dev/null | digest "$mode")
            rc=$?    # pipefail: the runner's status, unless digest failed
            if ((rc != 0)); then
                CHECKED[$check]="exit status $rc"
            elif [[ $got != "$want" ]]; then
                CHECKED[$check]="output differs, compared $mode"
            fi
        fi
    fi
    if [[ -n ${CHECKED[$check]} ]]; then
        say "   $name: check failed (${CHECKED[$check]}), not timed"
        return
    fi
    say "   $name: check ok"
    NAMES+=("$name")
    CMDS+=("$cmd")
}

# begin WORKLOAD TEXT: announce a workload and start collecting its rows.
begin() {
    say "== $1: $2"
    NAMES=() CMDS=()
}

# calc EXPR A B: print the awk expression EXPR of a and b.
calc() { awk -v a="$2" -v b="$3" "BEGIN { printf \"%.10g\", $1 }"; }

# measure WORKLOAD [RUNS WARMUP]: time the collected rows with hyperfine,
# then record each row's median, rate and ratio (summarize).
measure() {
    local w=$1 runs=${2:-$RUNS} warmup=${3:-$WARMUP} json=$OUTDIR/$1.json
    local hf i name med
    if ((${#NAMES[@]} == 0)); then
        say "   nothing to time"
        return
    fi
    hf=(hyperfine --shell bash --runs "$runs" --warmup "$warmup"
        --export-json "$json")
    for i in "${!NAMES[@]}"; do
        hf+=(-n "${NAMES[i]}" "${CMDS[i]}")
    done
    if ! "${hf[@]}" </dev/null >&2; then
        say "   hyperfine failed: no figures for $w"
        return
    fi
    # hyperfine pretty-prints one key a line, "command" before "median".
    while IFS=$'\t' read -r name med; do
        MED[$w|$name]=$med
    done < <(awk '/^ *"command": / { sub(/^ *"command": "/, ""); sub(/",?$/, ""); c = $0 }
                  /^ *"median": / { sub(/^ *"median": /, ""); sub(/,$/, ""); print c "\t" $0 }' "$json")
    summarize "$w"
}

# rate_of WORKLOAD ROW MEDIAN: print the row's rate and unit.
rate_of() {
    local w=$1 name=$2 med=$3
    case $w in
        trivial) echo "$(calc 'a / b' "$A_N" "$med") jobs/s" ;;
        ordered) echo "$(calc 'a / b' "$B_N" "$med") jobs/s" ;;
        volume*) echo "$(calc 'a / 1048576 / b' $((C_N * C_BYTES)) "$med") MiB/s" ;;
        startup) echo "$(calc 'a * 1000' "$med" 0) ms" ;;
        worker)  echo "$(calc 'a / b' "$W_N" "$med") tasks/s" ;;
        cpu)     if [[ $name == *' -j1' ]]; then
                     echo "$(calc 'a / b' "$D_N" "$med") jobs/s"
                 else
                     echo "$(calc 'a / b' "${MED[$w|${name% -j*} -j1]:-0}" "$med") speedup"
                 fi ;;
    esac
}

# summarize WORKLOAD: append the workload's rows to summary.tsv, each with
# "mprun vs" = mprun's rate / its rate (for times in ms: its time / mprun's).
summarize() {
    local w=$1 name rate unit mine vs note
    local -A units=()
    for name in "${NAMES[@]}"; do
        [[ -n ${MED[$w|$name]:-} ]] || continue
        read -r rate unit < <(rate_of "$w" "$name" "${MED[$w|$name]}")
        [[ $rate == 0 ]] && continue    # a speedup without its -j1 time
        RATE[$w|$name]=$rate
        units[$name]=$unit
    done
    for name in "${NAMES[@]}"; do
        [[ -n ${RATE[$w|$name]:-} ]] || continue
        unit=${units[$name]}
        mine=mprun
        [[ $w == cpu ]] && mine="mprun ${name##* }"
        vs=-
        if [[ $name != "$mine" && -n ${RATE[$w|$mine]:-} ]]; then
            if [[ $unit == ms ]]; then
                vs=$(calc 'a / b' "${RATE[$w|$name]}" "${RATE[$w|$mine]}")
            else
                vs=$(calc 'a / b' "${RATE[$w|$mine]}" "${RATE[$w|$name]}")
            fi
        fi
        note=
        [[ $unit == speedup ]] &&
            note="speedup/J $(calc 'int(a / b * 1000 + 0.5) / 1000' "${RATE[$w|$name]}" "$J")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$name" "${MED[$w|$name]}" \
            "${RATE[$w|$name]}" "$unit" "$vs" "$note" >>"$SUMMARY"
    done
}

# find_runners: fill RUNNERS with the runners that are installed and can run
# four `echo` jobs (a runner that exits 0 without running anything would
# otherwise pass the exit-status checks and be timed).
find_runners() {
    local r got
    printf '%s\n' 1 2 3 4 >"$WORK/four"
    for r in mprun xargs parallel; do
        case $r in
            xargs)    command -v xargs >/dev/null ||
                          { say "xargs: not installed, skipped"; continue; } ;;
            parallel) parallel --version </dev/null 2>/dev/null | grep -q 'GNU parallel' ||
                          { say "GNU parallel: not installed, skipped"; continue; } ;;
        esac
        got=$(bash -c "$(runner_cmd "$r" "$J" 0 "$WORK/four" /bin/echo)" \
            </dev/null 2>/dev/null | sort | tr '\n' ' ')
        if [[ $got != '1 2 3 4 ' ]]; then
            say "${LABEL[$r]}: cannot run 4 echo jobs (printed '$got'), skipped"
            continue
        fi
        RUNNERS+=("$r")
    done
}

# have RUNNER: whether RUNNER is present and sane.
have() { [[ " ${RUNNERS[*]} " == *" $1 "* ]]; }

# status_rows ARGFILE SUFFIX JOBS JOB...: one row per runner running JOB over
# ARGFILE, JOBS at a time, named with SUFFIX, checked on four jobs.
status_rows() {
    local args=$1 suffix=$2 j=$3 r
    shift 3
    for r in "${RUNNERS[@]}"; do
        try "${LABEL[$r]}$suffix" "$(runner_cmd "$r" "$j" 0 "$args" "$@")" \
            "$(runner_cmd "$r" "$J" 0 "$WORK/four" "$@")" status
    done
}

# ordered_rows ARGFILE PIPE JOB...: rows for an in-order workload, each
# checked at full size against xargs -P1: mprun and GNU parallel -k exactly,
# xargs (which cannot keep order) by its sorted output, as a reference row.
ordered_rows() {
    local args=$1 pipe=$2 r name mode keep cmd
    shift 2
    for r in mprun parallel xargs; do
        have "$r" || continue
        name=${LABEL[$r]} mode=exact keep=1
        [[ $r == xargs ]] && name='xargs (reference, unordered)' mode=sorted keep=0
        cmd=$(runner_cmd "$r" "$J" "$keep" "$args" "$@")
        try "$name" "$cmd$pipe" "$cmd" "$mode" "$(reference "$mode" "$args" "$@")"
    done
}

wl_trivial() {
    seq "$A_N" >"$WORK/trivial"
    begin trivial "$A_N jobs /bin/true ARG, -j $J"
    try limit "$(printf '%q spawn %s %s /bin/true' "$H" "$A_N" "$J")" \
        "$(printf '%q spawn 4 %s /bin/true' "$H" "$J")" status
    status_rows "$WORK/trivial" '' "$J" /bin/true
    measure trivial
}

wl_ordered() {
    seq "$B_N" >"$WORK/ordered"
    begin ordered "$B_N jobs /bin/echo ARG in order, -j $J"
    ordered_rows "$WORK/ordered" '' /bin/echo
    measure ordered
}

# wl_volume WORKLOAD PIPE: C_N jobs of C_BYTES each, in order, then PIPE.
wl_volume() {
    seq "$C_N" >"$WORK/volume"
    begin "$1" "$C_N jobs x $C_BYTES bytes in order, -j $J${2:+, output$2}"
    ordered_rows "$WORK/volume" "$2" "$H" emit "$C_BYTES"
    measure "$1"
}

wl_startup() {
    echo 1 >"$WORK/startup"
    begin startup "one job /bin/true 1, $E_RUNS runs"
    status_rows "$WORK/startup" '' "$J" /bin/true
    measure startup "$E_RUNS" "$E_WARMUP"
}

wl_cpu() {
    if ((J == 1)); then
        say "== cpu: skipped, J=1 leaves no speedup to measure"
        return
    fi
    seq "$D_N" >"$WORK/cpu"
    begin cpu "$D_N jobs burning $D_MS ms of CPU, -j1 and -j $J"
    status_rows "$WORK/cpu" ' -j1' 1 "$H" burn "$D_MS"
    status_rows "$WORK/cpu" " -j$J" "$J" "$H" burn "$D_MS"
    measure cpu
}

wl_worker() {
    local cmd
    begin worker "seq $W_N | mprun --worker cat, -j $J"
    if have mprun; then
        cmd="seq $W_N | $(printf '%q' "$MPRUN") -j $J --worker cat"
        try mprun "$cmd" "$cmd" exact "$(seq "$W_N" | digest exact)"
    fi
    measure worker
}

# wl_rss: peak RSS of one run at R_N/10 and one at R_N (too slow to repeat).
wl_rss() {
    local n kib rc t0 t1
    begin rss "peak RSS of seq N | mprun /bin/true, N = $((R_N / 10)) and $R_N"
    if ! have mprun; then
        say "   nothing to time"
        return
    fi
    for n in $((R_N / 10)) "$R_N"; do
        ((n > 0)) || continue
        say "   mprun N=$n: running once"
        t0=$EPOCHREALTIME
        kib=$("$H" rss "seq $n | $(printf '%q' "$MPRUN") -j $J /bin/true >/dev/null 2>&1")
        rc=$?
        t1=$EPOCHREALTIME
        if ((rc != 0)); then
            say "   mprun N=$n: exit status $rc, no figure"
            continue
        fi
        MED[rss|mprun N=$n]=$(calc 'a - b' "$t1" "$t0")
        RATE[rss|mprun N=$n]=$(calc 'a / 1024' "$kib" 0)
        printf 'rss\tmprun N=%s\t%s\t%s\tMiB\t-\tpeak RSS, 1 run\n' "$n" \
            "${MED[rss|mprun N=$n]}" "${RATE[rss|mprun N=$n]}" >>"$SUMMARY"
    done
}

# ratio WORKLOAD A B: A's rate / B's rate, or nothing when one is missing.
ratio() {
    [[ -n ${RATE[$1|$2]:-} && -n ${RATE[$1|$3]:-} ]] &&
        calc 'a / b' "${RATE[$1|$2]}" "${RATE[$1|$3]}"
}

# target WORKLOAD TEXT VALUE OP LIMIT: one TARGETS line, met when VALUE OP
# LIMIT holds; TEXT's "%s" is replaced by VALUE.
target() {
    local w=$1 text=$2 v=$3 op=$4 lim=$5 verdict
    if [[ -z $v ]]; then
        verdict='not measured' v='?'
    elif awk -v v="$v" -v l="$lim" "BEGIN { exit !(v $op l) }"; then
        verdict=met
    else
        verdict='NOT met'
    fi
    [[ $v == '?' ]] || v=$(awk -v v="$v" 'BEGIN { f = v >= 1000 ? "%.0f" : "%.2f"; printf f, v }')
    # shellcheck disable=SC2059 # TEXT is our own format
    printf "  %-12s %-56s %s\n" "$w" "$(printf "$text" "$v")" "$verdict"
}

report() {
    local small=$((R_N / 10)) t
    echo
    awk -F'\t' 'NR == 1 { printf "%-12s %-30s %10s %14s %-8s %9s  %s\n",
                          "workload", "runner", "median_s", "rate", "", "mprun_vs", "note"; next }
                { r = ($5 == "ms" || $5 == "speedup" || $5 == "MiB") ? sprintf("%.2f", $4) : sprintf("%.0f", $4)
                  v = ($6 == "-") ? "-" : sprintf("%.2fx", $6)
                  printf "%-12s %-30s %10.4f %14s %-8s %9s  %s\n", $1, $2, $3, r, $5, v, $7 }' "$SUMMARY"
    echo
    echo "mprun_vs: mprun's rate / the row's (startup: the row's time / mprun's)."
    echo
    echo "TARGETS"
    target trivial 'mprun/xargs jobs/s %sx (>= 2.0x)' "$(ratio trivial mprun xargs)" '>=' 2.0
    target trivial 'mprun/limit jobs/s %sx (>= 0.85x)' "$(ratio trivial mprun limit)" '>=' 0.85
    target ordered 'mprun/GNU parallel -k jobs/s %sx (>= 2.0x)' \
        "$(ratio ordered mprun 'GNU parallel')" '>=' 2.0
    target volume 'mprun/GNU parallel -k MiB/s %sx (>= 4.0x)' \
        "$(ratio volume mprun 'GNU parallel')" '>=' 4.0
    target volume-pipe 'mprun/GNU parallel -k MiB/s %sx (>= 4.0x)' \
        "$(ratio volume-pipe mprun 'GNU parallel')" '>=' 4.0
    target startup 'mprun time/xargs time %sx (<= 1.0x)' \
        "$(ratio startup mprun xargs)" '<=' 1.0
    t=$(calc 'a * b' 0.99 "$J")
    target cpu "mprun speedup %s at -j$J (>= $t)" "${RATE[cpu|mprun -j$J]:-}" '>=' "$t"
    target worker 'mprun --worker cat %s tasks/s (>= 1000000)' \
        "${RATE[worker|mprun]:-}" '>=' 1000000
    target rss "mprun peak %s MiB at N=$R_N (< 10 MiB)" \
        "${RATE[rss|mprun N=$R_N]:-}" '<' 10
    target rss "peak at N=$R_N / at N=$small %sx (<= 1.2x)" \
        "$(ratio rss "mprun N=$R_N" "mprun N=$small")" '<=' 1.2
    echo
    echo "results: $OUTDIR (hyperfine JSON per workload, summary.tsv)"
}

say "bench.sh: $MPRUN, $(nproc) CPUs, -j $J, load average $(cut -d' ' -f1-3 /proc/loadavg)"
find_runners
for w in $WORKLOADS; do
    case $w in
        trivial)     wl_trivial ;;
        ordered)     wl_ordered ;;
        volume)      wl_volume volume '' ;;
        volume-pipe) wl_volume volume-pipe ' | cat >/dev/null' ;;
        startup)     wl_startup ;;
        cpu)         wl_cpu ;;
        worker)      wl_worker ;;
        rss)         wl_rss ;;
    esac
done
report
exit 0
