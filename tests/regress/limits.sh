# limits.sh: a body over max_body_size gets 413, an oversized head is
# refused, two Content-Length fields that differ get 400, an idle or
# trickling client is cut off, and through it all the daemon keeps serving.
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

# cl.py METHOD BODY LENGTH...: one raw request with a Content-Length field
# for each LENGTH; prints the status code and the reason.
cat > "$T/cl.py" <<'PY'
import json, socket, sys
port, method, body = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
head = "%s /healthz HTTP/1.1\r\nHost: x\r\n" % method
for n in sys.argv[4:]:
    head += "Content-Length: %s\r\n" % n
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(5)
s.sendall(head.encode() + b"\r\n" + body)
data = b""
while b"\r\n\r\n" not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
status = data.split(b" ", 2)[1].decode() if data else "none"
reason = ""
if status == "400":
    hdr, _, rest = data.partition(b"\r\n\r\n")
    n = [int(l.split(b":")[1]) for l in hdr.split(b"\r\n")
         if l.lower().startswith(b"content-length:")][0]
    while len(rest) < n:
        chunk = s.recv(4096)
        if not chunk:
            break
        rest += chunk
    reason = json.loads(rest[:n])["reason"]
print(status, reason)
PY
got=$("$PY" "$T/cl.py" "$PORT" GET "" 0 0)
[ "$got" = "200 " ] || fail "the same Content-Length twice gave $got"
got=$("$PY" "$T/cl.py" "$PORT" GET "" 0 5)
case "$got" in
"400 "*Content-Length*) ;;
*) fail "Content-Length 0 and 5 gave $got, wanted 400" ;;
esac
got=$("$PY" "$T/cl.py" "$PORT" POST "hello" 5 10)
case "$got" in
"400 "*Content-Length*) ;;
*) fail "Content-Length 5 and 10 gave $got, wanted 400" ;;
esac
healthy || fail "stopped serving after two Content-Length fields"
ok "two Content-Length fields that differ: $got"

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
