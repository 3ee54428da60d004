#!/bin/sh
# Each task's environment has MPRUN_SEQ ({#}), MPRUN_SLOT ({%}) and GNU
# parallel's PARALLEL_SEQ and PARALLEL_JOBSLOT (the same values), whether
# it runs through the shell or directly, over whatever mprun inherited;
# --init gets the slot ones.
. "$(dirname "$0")/lib.sh"

# Through the shell: the variables agree with {#} and {%}.
run "$MPRUN" -j3 \
    'echo {#} {%} $MPRUN_SEQ $MPRUN_SLOT $PARALLEL_SEQ $PARALLEL_JOBSLOT; : {}' \
    ::: a b c d e f g h
check_rc 0
check_err ""
awk '$1 != $3 || $1 != $5 || $2 != $4 || $2 != $6 || $2 < 1 || $2 > 3 {
	print; bad = 1 } END { exit bad }' "$T/out" >"$T/bad" ||
	fail "variables differ from {#} {%}: $(cat "$T/bad")"
cut -d ' ' -f 1 "$T/out" | tr '\n' ' ' >"$T/seqs"
[ "$(cat "$T/seqs")" = "1 2 3 4 5 6 7 8 " ] || fail "seqs: $(cat "$T/seqs")"

# Run directly (printenv needs no shell).
expect_out "$(lines 1 1 1 2 1 1 1 4)" \
    "$MPRUN" -j1 printenv PARALLEL_JOBSLOT {} \
    ::: MPRUN_SEQ PARALLEL_SEQ MPRUN_SLOT PARALLEL_SEQ

# Values mprun inherited are replaced, other variables kept.
run env MPRUN_SEQ=99 PARALLEL_SEQ=98 MPRUN_SLOT=97 PARALLEL_JOBSLOT=96 \
    KEEP=kept "$MPRUN" -j1 printenv MPRUN_SEQ PARALLEL_SEQ MPRUN_SLOT \
    PARALLEL_JOBSLOT {} ::: KEEP
check_rc 0
check_out "$(lines 1 1 1 1 kept)"

# --init: the slot, no sequence number.
run "$MPRUN" -j1 --init 'echo init $MPRUN_SLOT $PARALLEL_JOBSLOT ${MPRUN_SEQ-none} >&2' \
    true ::: 1
check_rc 0
check_err "init 1 1 none"

# A replaced worker keeps its slot; the seq goes on.
expect_out "$(lines 1:1 2:1 3:1)" "$MPRUN" -j1 --maxtasksperchild 1 \
    'echo $MPRUN_SEQ:$MPRUN_SLOT; : {}' ::: a b c

done_testing
