#!/bin/sh
# The property test of the records: random records (any bytes but the
# separator, NULs and newlines included, lengths up to 20000, random
# separators) through every mode (exec, shell, appended values, -n 3,
# --worker line and JSON protocols; stdin, :::: and -a; -j 1 to 4;
# ordered and not; --json and plain output), checked task by task by
# tests/helpers/records.py: each task gets exactly its records and prints
# exactly what they make, or fails with the documented message, and the
# exit status counts the failures.  MPRUN_RECORDS_SEED replays a failure
# (the seed is printed); MPRUN_RECORDS_ROUNDS runs more rounds.
. "$(dirname "$0")/lib.sh"

need python3
RUN_TIMEOUT=110 run python3 "$SRCDIR/tests/helpers/records.py" "$MPRUN" \
    "$TH" "${MPRUN_RECORDS_ROUNDS:-20}" ${MPRUN_RECORDS_SEED:+"$MPRUN_RECORDS_SEED"}
check_rc 0 || cat "$T/out"
check_err ""

done_testing
