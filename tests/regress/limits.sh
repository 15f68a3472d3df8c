# limits.sh: a body over max_body_size gets 413, an oversized head is
# refused, an idle or trickling client is cut off, and through it all the
# daemon keeps serving.
. "$(dirname "$0")/lib.sh"

write_conf "max_body_size = 1024
max_header_size = 2048
timeout = 2
request_timeout = 2"
start_daemon

head -c 1000 /dev/zero > "$T/small"
head -c 5000 /dev/zero > "$T/big"
expect_code 405 POST /healthz --data-binary @"$T/small"
expect_code 413 POST /healthz --data-binary @"$T/big"
healthy || fail "stopped serving after a 413"
# Chunked, with no length given up front.
expect_code 413 POST /healthz -H 'Transfer-Encoding: chunked' \
    --data-binary @"$T/big"
healthy || fail "stopped serving after a chunked 413"
ok "413 over max_body_size"

long=$(head -c 3000 /dev/zero | tr '\0' a)
code=$(http GET /healthz -H "X-Long: $long") || true
case "$code" in
4*) ;;
*) fail "a 3000-byte header gave $code" ;;
esac
healthy || fail "stopped serving after a long header"
ok "oversized head refused with $code"

# slow.py: connect, then send a request head one byte every 0.4 s (or
# nothing at all); report how long until the server hung up.
cat > "$T/slow.py" <<'PY'
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(0.4)
head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 500
start = time.monotonic()
i = 0
while time.monotonic() - start < 20:
    try:
        if mode == "trickle" and i < len(head):
            s.send(head[i:i + 1])
            i += 1
        data = s.recv(4096)
        if not data:
            break
    except socket.timeout:
        continue
    except OSError:
        break
print("%.1f" % (time.monotonic() - start))
PY
for mode in idle trickle; do
	t=$("$PY" "$T/slow.py" "$PORT" "$mode")
	ok "$mode client cut off after $t s"
	awk -v t="$t" 'BEGIN { exit !(t >= 1 && t < 6) }' ||
	    fail "$mode client held its connection $t s (limit 2 s)"
done
healthy || fail "stopped serving after slow clients"

# Keep-alive still works for a client that asks in time.
n=$(curl -sS -m 5 -o /dev/null -o /dev/null -w '%{num_connects}\n' \
    "$BASE/healthz" "$BASE/healthz" | awk "{ s += \$1 } END { print s }")
[ "$n" = 1 ] || fail "two requests took $n connections"
stop_daemon
pass
