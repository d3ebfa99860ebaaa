#!/usr/bin/env bash
# Many machines: fanout.sh --sshlogin to two local "hosts" (two sshd on loopback ports,
# started by the test with throwaway keys). Skipped, with the reason, where sshd is not
# installed (Debian package openssh-server).
. "$(dirname "$0")/lib.sh"

SSHD=/usr/sbin/sshd
if ! [ -x "$SSHD" ] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
	test_skip 'fanout over two ssh hosts gives the sequential output' 'openssh-server is not installed'
	test_done
	exit
fi

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

start_sshd() {   # start_sshd NAME: sets NAME_PORT, logs to NAME.log
	local name=$1 port
	port=$(free_port)
	cat >"$name.config" <<-EOF
	Port $port
	ListenAddress 127.0.0.1
	HostKey $TRASH/hostkey
	AuthorizedKeysFile $TRASH/authorized_keys
	PidFile $TRASH/$name.pid
	StrictModes no
	UsePAM no
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	PermitRootLogin prohibit-password
	LogLevel VERBOSE
	EOF
	mkdir -p /run/sshd
	"$SSHD" -f "$TRASH/$name.config" -D -E "$TRASH/$name.log" &
	MOCK_PIDS="$MOCK_PIDS $!"
	eval "${name}_PORT=$port"
	for i in $(seq 50); do
		ssh_to "$port" true 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

ssh_to() {   # ssh_to PORT COMMAND...
	local port=$1
	shift
	ssh -i "$TRASH/userkey" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
		-o LogLevel=ERROR -p "$port" "$(id -un)@127.0.0.1" "$@"
}

# Two "hosts": set up here, outside any one test, so both tests see their ports.
if ! { ssh-keygen -q -t ed25519 -N "" -f hostkey && ssh-keygen -q -t ed25519 -N "" -f userkey &&
	cp userkey.pub authorized_keys && start_sshd h1 && start_sshd h2; } >setup.log 2>&1; then
	test_skip 'fanout over two ssh hosts gives the sequential output' "sshd could not be started here: $(tail -n 1 setup.log)"
	test_done
	exit
fi

test_expect_success 'fanout over two ssh hosts gives the sequential output, and both hosts worked' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 400 --seed 3 >p.jsonl &&
	persona-craft --template <p.jsonl >seq &&
	login() { echo "1/ssh -i $TRASH/userkey -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -p $1 $(id -un)@127.0.0.1"; } &&
	"$SRC/pipelines/fanout.sh" -i p.jsonl -o par -b 16k -S "$(login "$h1_PORT")" -S "$(login "$h2_PORT")" \
		-- "$BIN/persona-craft" --template 2>err &&
	sort seq >a && sort par >b && test_cmp a b &&
	grep -q "Accepted publickey" h1.log && grep -q "Accepted publickey" h2.log
'

test_done
