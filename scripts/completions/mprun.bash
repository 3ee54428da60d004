# bash completion for mprun(1)                             -*- shell-script -*-
#
# Installed by `make install` as share/bash-completion/completions/mprun,
# where bash-completion loads it the first time mprun is completed; or
# source it from ~/.bashrc.  It needs nothing from bash-completion itself.
#
# Completes mprun's options (the list of `mprun --help`, with the long
# aliases; tests/e2e/completions.sh keeps it in step with src/options.c),
# file names after -a, --arg-file, --joblog, --junit, --sshloginfile and
# ::::, host names after -S, command names for the command and for --init,
# --worker, --launcher, --ssh and --remote-mprun, and leaves the
# command's own arguments and the values after ::: to bash's default.

_mprun()
{
	local cur prev i w opt state=options
	local long='--arg-file --bar --chunksize --colsep --delay --delimiter
	    --dry-run --eta --group --halt --help --init --joblog --jobs --json
	    --junit --keep-order --launcher --lb --line-buffer --max-args
	    --maxtasksperchild --memfree --nice --null --progress
	    --progress-force --quote --remote-mprun --resume --resume-failed
	    --retries --ssh --sshlogin --sshloginfile --tag --tagstring
	    --termseq --timeout --ungroup --unordered --verbose --version
	    --worker --worker-eot --worker-protocol'
	local short='-0 -a -d -h -I -j -k -N -n -P -q -S -u -V -v'
	# The options that take an argument, as separate words.
	local witharg='-a|--arg-file|--chunksize|--colsep|--delay|-d|'
	witharg+='--delimiter|--halt|-I|--init|--joblog|-j|-P|--jobs|--junit|'
	witharg+='-n|-N|--max-args|--maxtasksperchild|--memfree|--nice|'
	witharg+='--retries|--tagstring|--termseq|--timeout|--worker|'
	witharg+='--worker-eot|--worker-protocol|--launcher|--remote-mprun|'
	witharg+='-S|--sshlogin|--sshloginfile|--ssh'

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# "--joblog=fi": bash splits at the '=' (COMP_WORDBREAKS).
	if [[ $cur == = ]]; then
		cur=
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	# Where the word is: among the options, at the command, after it,
	# or in an input source.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $state,$w in
		*,:::|*,:::+)
			state=args
			;;
		*,::::|*,::::+)
			state=files
			;;
		options,=)
			;;
		options,--)
			state=command
			;;
		options,-*)
			# The next word is this option's argument, unless
			# it came as --opt=value.
			opt=$w
			if [[ ${COMP_WORDS[i + 1]} == = ]]; then
				((i += 2))
			elif [[ $opt == @($witharg) ]]; then
				((i++))
			elif [[ $opt == -[!-]* && ${#opt} -gt 2 ]]; then
				# -j4, -kj 4: a bundle ending in an option
				# that takes an argument takes the next word.
				[[ -${opt: -1} == @($witharg) ]] && ((i++))
			fi
			;;
		options,*|command,*)
			state=cmdargs
			;;
		esac
	done

	if [[ $state == options ]]; then
		case $prev in
		-a|--arg-file|--joblog|--junit|--sshloginfile)
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
			return 0
			;;
		--init|--worker|--launcher|--ssh|--remote-mprun)
			COMPREPLY=($(compgen -c -- "$cur"))
			return 0
			;;
		--worker-protocol)
			COMPREPLY=($(compgen -W 'line json' -- "$cur"))
			return 0
			;;
		--halt)
			COMPREPLY=($(compgen -W 'never now,fail=1 soon,fail=1
			    now,success=1 soon,success=1 now,done=1
			    soon,done=1' -- "$cur"))
			return 0
			;;
		-d|--delimiter|--colsep|-I|--tagstring|--termseq|-j|-P|\
		--jobs|-n|-N|--max-args|--maxtasksperchild|--memfree|--nice|\
		--retries|--chunksize|--delay|--timeout|--worker-eot)
			# A value: nothing to offer, not even file names.
			compopt +o default +o bashdefault 2>/dev/null
			return 0
			;;
		-S|--sshlogin)
			COMPREPLY=($(compgen -A hostname -- "$cur"))
			# Host names only, not file names.
			compopt +o default +o bashdefault 2>/dev/null
			return 0
			;;
		esac
		case $cur in
		--*)
			COMPREPLY=($(compgen -W "$long" -- "$cur"))
			return 0
			;;
		-*)
			COMPREPLY=($(compgen -W "$short $long" -- "$cur"))
			return 0
			;;
		esac
		state=command
	fi

	case $state in
	command)
		COMPREPLY=($(compgen -c -- "$cur"))
		;;
	files)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	esac
	# Otherwise (the command's arguments, ::: values): bash's default.
	return 0
} &&
	complete -o bashdefault -o default -F _mprun mprun
