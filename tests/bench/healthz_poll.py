"""healthz_poll.py PORT STOPFILE OUT: ask /healthz every 10 ms, each on a
new connection, until STOPFILE exists; then write to OUT how long the
answers took (p50, p99, max) and how many there were, and how many got no
answer within 10 seconds."""
import os
import socket
import sys
import time

port, stop, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
times, failed = [], 0
while not os.path.exists(stop):
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.settimeout(10)
        s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        if b" 200 " not in data.split(b"\r\n", 1)[0]:
            failed += 1
        else:
            times.append(time.monotonic() - t0)
    except OSError:
        failed += 1
    time.sleep(0.01)
times.sort()


def pct(q):
    return times[min(len(times) - 1, int(q * len(times)))] * 1000


with open(out, "w") as f:
    if times:
        f.write("p50 %.1f ms, p99 %.1f ms, max %.1f ms, n = %d, "
                "unanswered = %d\n" % (pct(0.5), pct(0.99), times[-1] * 1000,
                                       len(times), failed))
    else:
        f.write("no answers, unanswered = %d\n" % failed)
