#!/bin/sh
# --junit FILE: the exact report for a small run (times and the timestamp
# masked), exit statuses, signals and timeouts as failures with the tail
# of stderr, names from the command line or --tagstring, escaping of
# markup, control characters and invalid UTF-8 (the file always parses),
# --retries, stderr on /dev/null, the rename over FILE, write errors
# (status 255), a path that cannot be created (255 before any task runs),
# and SIGINT in the middle of a run (the file lists what ran).
. "$(dirname "$0")/lib.sh"

# The helper as "th" on PATH, so the names in the reports are short.
mkdir "$T/bin" && ln -s "$TH" "$T/bin/th" || exit 1
PATH=$T/bin:$PATH
export PATH

if command -v python3 >/dev/null 2>&1; then
	have_python=1
else
	have_python=0
	echo "note: no python3: the reports are not parsed"
fi

# junit_mask FILE: FILE with the suite's timestamp replaced by S and each
# time by T, once their formats are checked.
junit_mask()
{
	sed -E -e 's/ timestamp="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"/ timestamp="S"/' \
	    -e 's/ time="[0-9]+\.[0-9]{3}"/ time="T"/g' "$1"
}

# check_junit FILE: FILE, masked, is exactly what $T/want holds, and it
# parses as XML.
check_junit()
{
	if [ ! -f "$1" ]; then
		fail "no report $1 from: $lastcmd"
		return
	fi
	junit_mask "$1" >"$T/.jm"
	check_file_is "report $1" "$T/want" "$T/.jm"
	check_wellformed "$1"
}

# check_wellformed FILE: FILE parses as XML (with python3's minidom).
check_wellformed()
{
	[ "$have_python" -eq 1 ] || return 0
	if ! python3 -c 'import xml.dom.minidom, sys
xml.dom.minidom.parse(sys.argv[1])' "$1" 2>"$T/.py"; then
		fail "report $1 is not well-formed XML, from: $lastcmd"
		sed 's/^/    /' "$T/.py"
	fi
}

# failure_text FILE N: the text of the N-th testcase's <failure> (or
# <error>), as an XML parser reads it, written to stdout raw.
failure_text()
{
	python3 -c 'import xml.dom.minidom, sys
d = xml.dom.minidom.parse(sys.argv[1])
c = d.getElementsByTagName("testcase")[int(sys.argv[2]) - 1]
f = [e for e in c.childNodes if e.nodeType == e.ELEMENT_NODE][0]
sys.stdout.buffer.write("".join(t.data for t in f.childNodes).encode())
' "$1" "$2"
}

# attr FILE N ATTR: an attribute of the N-th testcase, as parsed.
attr()
{
	python3 -c 'import xml.dom.minidom, sys
d = xml.dom.minidom.parse(sys.argv[1])
c = d.getElementsByTagName("testcase")[int(sys.argv[2]) - 1]
sys.stdout.buffer.write(c.getAttribute(sys.argv[3]).encode())
' "$1" "$2" "$3"
}

# A small run, each record a command: the exact report, in input order.
cat >cmds <<'EOF'
th -e 'quiet <ok>' -s 100
th -o out -e 'line one' -e "a <b> & \"c\" 'd'" -x 3
exec th -e bye -k 9
th -x 0
EOF
run "$MPRUN" -j4 --junit r.xml :::: cmds
check_rc 2
check_out "out"
cat >want <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="mprun" tests="4" failures="2" errors="0" skipped="0" time="T" timestamp="S">
  <testcase name="th -e &apos;quiet &lt;ok&gt;&apos; -s 100" classname="mprun" time="T"/>
  <testcase name="th -o out -e &apos;line one&apos; -e &quot;a &lt;b&gt; &amp; \&quot;c\&quot; &apos;d&apos;&quot; -x 3" classname="mprun" time="T">
    <failure message="exit status 3" type="exit">line one
a &lt;b&gt; &amp; "c" 'd'
</failure>
  </testcase>
  <testcase name="exec th -e bye -k 9" classname="mprun" time="T">
    <failure message="killed by signal SIGKILL" type="signal">bye
</failure>
  </testcase>
  <testcase name="th -x 0" classname="mprun" time="T"/>
</testsuite>
EOF
check_junit r.xml
# The first task ran at least 100 ms; the suite at least as long.
grep -Eq '^  <testcase name="th -e &apos;quiet.* time="0\.(09[5-9]|[1-9][0-9][0-9])"/>$' r.xml ||
	fail "the first task's time is not about 0.1 s: $(sed -n 3p r.xml)"
grep -Eq '<testsuite .* time="([1-9][0-9]*\.[0-9]{3}|0\.(09[5-9]|[1-9][0-9][0-9]))" ' r.xml ||
	fail "the suite's time is not >= 0.1 s: $(sed -n 2p r.xml)"

# A command template: the names are the command lines as run (as the
# joblog has them); --tagstring names them instead.
run "$MPRUN" --junit r.xml th -e err{} -x {} ::: 0 1
check_rc 1
cat >want <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="mprun" tests="2" failures="1" errors="0" skipped="0" time="T" timestamp="S">
  <testcase name="th -e err0 -x 0" classname="mprun" time="T"/>
  <testcase name="th -e err1 -x 1" classname="mprun" time="T">
    <failure message="exit status 1" type="exit">err1
</failure>
  </testcase>
</testsuite>
EOF
check_junit r.xml
run "$MPRUN" --junit r.xml --tagstring 'job <{}> #{#}' th -x ::: 0 4
check_rc 1
cat >want <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="mprun" tests="2" failures="1" errors="0" skipped="0" time="T" timestamp="S">
  <testcase name="job &lt;0&gt; #1" classname="mprun" time="T"/>
  <testcase name="job &lt;4&gt; #2" classname="mprun" time="T">
    <failure message="exit status 4" type="exit"/>
  </testcase>
</testsuite>
EOF
check_junit r.xml

# Escaping: markup, control characters and bad UTF-8, in the stderr tail
# and in the name.  The report parses, and reads back as what the task
# wrote, with U+FFFD for each byte XML cannot carry.
printf '<&>"'"'"'\033[31m\001\tcaf\351 \303\251\r\n\342\202\n' >nasty
run "$MPRUN" --junit r.xml 'cat nasty >&2; exit 5 #' ::: "$(printf 'x\001\377y')"
check_rc 1
check_wellformed r.xml
grep -q '<failure message="exit status 5" type="exit">&lt;&amp;&gt;"'"'"'' r.xml ||
	fail "markup in the stderr tail not escaped: $(cat r.xml)"
if [ "$have_python" -eq 1 ]; then
	failure_text r.xml 1 >got
	printf '<&>"'"'"'\357\277\275[31m\357\277\275\tcaf\357\277\275 \303\251\r\n\357\277\275\357\277\275\n' >want
	check_file_is "escaped stderr tail" want got
	attr r.xml 1 name >got
	printf "cat nasty >&2; exit 5 # 'x\357\277\275\357\277\275y'" >want
	check_file_is "escaped name" want got
fi

# The tail is the last 4 KiB of stderr, cut at a character.
run "$MPRUN" --junit r.xml 'seq 1 3000 >&2; printf "\342\202\254%.0s" $(seq 1 2000) >&2; exit {}' ::: 7
check_rc 1
check_wellformed r.xml
if [ "$have_python" -eq 1 ]; then
	failure_text r.xml 1 >got
	# 4096 bytes: 1365 euro signs (4095 bytes) after a cut-off byte.
	printf '\342\202\254%.0s' $(seq 1 1365) >want
	check_file_is "stderr tail of 4 KiB" want got
fi
run "$MPRUN" --junit r.xml 'seq 1 3000 >&2; exit {}' ::: 2
check_rc 1
if [ "$have_python" -eq 1 ]; then
	failure_text r.xml 1 >got
	seq 1 3000 | tail -c 4096 >want
	check_file_is "stderr tail of 4 KiB (lines)" want got
fi

# Stderr that goes to /dev/null is still read for the report.
lastcmd="$MPRUN --junit r.xml th -e gone -x 1 ::: a 2>/dev/null"
rc=0
"$MPRUN" --junit r.xml th -e gone -x ::: 1 2>/dev/null || rc=$?
check_rc 1
grep -q '<failure message="exit status 1" type="exit">gone$' r.xml ||
	fail "no stderr tail with stderr on /dev/null: $(cat r.xml)"

# --timeout: a failure of type timeout, with what the task said.
run "$MPRUN" --junit r.xml --timeout 0.3 th -e started -s ::: 5000 10
check_rc 1
cat >want <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="mprun" tests="2" failures="1" errors="0" skipped="0" time="T" timestamp="S">
  <testcase name="th -e started -s 5000" classname="mprun" time="T">
    <failure message="timed out after 0.3 s" type="timeout">started
</failure>
  </testcase>
  <testcase name="th -e started -s 10" classname="mprun" time="T"/>
</testsuite>
EOF
check_junit r.xml

# --retries: one testcase per task, for its last attempt; the stderr of
# the attempts before it is not in the tail.
run "$MPRUN" --junit r.xml --retries 3 'n=$(cat c{} 2>/dev/null || echo 0); n=$((n + 1)); echo $n >c{}; echo "attempt $n" >&2; [ $n -ge {} ]' ::: 2 5
check_rc 1
cat >want <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="mprun" tests="2" failures="1" errors="0" skipped="0" time="T" timestamp="S">
  <testcase name="n=$(cat c2 2&gt;/dev/null || echo 0); n=$((n + 1)); echo $n &gt;c2; echo &quot;attempt $n&quot; &gt;&amp;2; [ $n -ge 2 ]" classname="mprun" time="T"/>
  <testcase name="n=$(cat c5 2&gt;/dev/null || echo 0); n=$((n + 1)); echo $n &gt;c5; echo &quot;attempt $n&quot; &gt;&amp;2; [ $n -ge 5 ]" classname="mprun" time="T">
    <failure message="exit status 1" type="exit">attempt 3
</failure>
  </testcase>
</testsuite>
EOF
check_junit r.xml

# No task: an empty suite.
run "$MPRUN" --junit r.xml echo
check_rc 0
cat >want <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="mprun" tests="0" failures="0" errors="0" skipped="0" time="T" timestamp="S">
</testsuite>
EOF
check_junit r.xml

# The report is renamed over FILE: its mode stays, nothing is left
# beside it; a symbolic link is written through, not replaced.
echo old >r.xml
chmod 640 r.xml
run "$MPRUN" --junit r.xml true ::: 1
check_rc 0
[ "$(stat -c %a r.xml)" = 640 ] || fail "mode of r.xml: $(stat -c %a r.xml)"
grep -q '^<testsuite .*tests="1"' r.xml || fail "r.xml not rewritten"
[ -z "$(ls | grep '^r\.xml\.')" ] || fail "left behind: $(ls | grep '^r\.xml\.')"
mkdir real
ln -s real/target.xml link.xml
run "$MPRUN" --junit link.xml true ::: 1
check_rc 0
[ -L link.xml ] || fail "link.xml is no longer a symbolic link"
grep -q '^<testsuite .*tests="1"' real/target.xml ||
	fail "real/target.xml not written through link.xml"

# A write error is mprun's own: status 255, one line naming the file.
if [ -w /dev/full ]; then
	run "$MPRUN" --junit /dev/full echo ::: a
	check_rc 255
	check_out "a"
	check_err "mprun: --junit /dev/full: No space left on device"
fi

# A path that cannot be created fails before any task runs.
run "$MPRUN" --junit "$T/nodir/r.xml" touch ::: ran
check_rc 255
check_err "mprun: --junit $T/nodir/r.xml: No such file or directory"
[ ! -e ran ] || fail "a task ran though --junit could not be created"
run "$MPRUN" --junit "$T" touch ::: ran
check_rc 255
check_err "mprun: --junit $T: Is a directory"
[ ! -e ran ] || fail "a task ran though --junit was a directory"
# "-" and "" are usage errors.
run "$MPRUN" --junit - true ::: 1
check_rc 255
run "$MPRUN" --junit '' true ::: 1
check_rc 255

# A task whose worker dies under it is an <error>, with mprun's word on
# it as its stderr tail; the run goes on.
cat >cmds <<EOF
exec th -e working -s 30000
true
EOF
start_bg "$MPRUN" -j1 --junit r.xml :::: cmds
# It is the head of the order: its stderr streams live.
wait_for 20 grep -q working "$T/err" || fail "the first task did not start"
for w in $(workers_of "$bgpid"); do
	kill -KILL "$w"
done
wait_bg
check_rc 1
cat >want <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="mprun" tests="2" failures="0" errors="1" skipped="0" time="T" timestamp="S">
  <testcase name="exec th -e working -s 30000" classname="mprun" time="T">
    <error message="its worker was lost" type="lost">working
mprun: worker in slot 1 died (killed by signal 9): task 1 failed
</error>
  </testcase>
  <testcase name="true" classname="mprun" time="T"/>
</testsuite>
EOF
check_junit r.xml

# SIGINT in the middle: mprun dies by it, and the report is complete,
# listing the tasks that ran (the one stopped is killed by SIGTERM, a
# failure) and not those that never started.
cat >cmds <<EOF
true
false
exec th -e sleeping -s 30000
echo never
EOF
start_bg "$MPRUN" -j1 --junit r.xml :::: cmds
wait_for 20 grep -q sleeping "$T/err" || fail "the third task did not start"
kill -INT "$bgpid"
wait_bg
check_rc 130
cat >want <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="mprun" tests="3" failures="2" errors="0" skipped="0" time="T" timestamp="S">
  <testcase name="true" classname="mprun" time="T"/>
  <testcase name="false" classname="mprun" time="T">
    <failure message="exit status 1" type="exit"/>
  </testcase>
  <testcase name="exec th -e sleeping -s 30000" classname="mprun" time="T">
    <failure message="killed by signal SIGTERM" type="signal">sleeping
</failure>
  </testcase>
</testsuite>
EOF
check_junit r.xml

done_testing
