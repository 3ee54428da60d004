#!/bin/sh
# example.sh - from a fresh checkout to a parallel job in one command.
#
# Usage: scripts/example.sh
#
# Installs the build dependencies that are missing (scripts/install-deps.sh;
# on Debian or Ubuntu, with sudo when not root), builds mprun, and runs a
# few real jobs on this repository's own files to show what it does.

set -eu

cd "$(dirname "$0")/.."

sh scripts/install-deps.sh
make
echo

# show COMMAND: prints the shell command COMMAND, then runs it.
show()
{
	printf '$ %s\n' "$1"
	sh -c "$1" || true
	echo
}

echo "# One task per argument, run in parallel, output in input order:"
show "./mprun echo hello ::: world mprun"

echo "# The line count of every source file, tagged with its name:"
show "./mprun --tag 'wc -l <' ::: src/*.c"

echo "# The tasks finish in reverse order; the output stays in order:"
show "./mprun -j 3 'sleep {}; echo slept {}' ::: 0.6 0.4 0.2"

echo "# Eight tasks of one second on four workers take two seconds:"
show "s=\$(date +%s); ./mprun -j 4 sleep ::: 1 1 1 1 1 1 1 1;
    echo \"\$((\$(date +%s) - s)) s\""

echo "# The cartesian product of two sources; the exit status is the number"
echo "# of tasks that failed (here the three false comparisons):"
show "./mprun test {1} -lt {2} '&& echo {1} \\< {2}' ::: 1 2 ::: 1 2 3;
    echo \"status \$?\""
