"""ready.py CONVENED CONF PORT [RUNS]: how long convened takes from exec to
answering /healthz, and its resident memory then.  Prints one line per
run and the median; stops the daemon with SIGTERM after each run."""
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

convened, conf, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5


def healthy():
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=0.5)
    except OSError:
        return False
    try:
        s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
        return b" 200 " in s.recv(200)
    except OSError:
        return False
    finally:
        s.close()


times, rss = [], []
for i in range(runs):
    t0 = time.monotonic()
    p = subprocess.Popen([convened, "-d", "-f", conf],
                         stderr=subprocess.DEVNULL)
    while not healthy():
        if p.poll() is not None:
            sys.exit("convened exited with %d" % p.returncode)
        if time.monotonic() - t0 > 60:
            p.kill()
            sys.exit("convened did not answer within 60 s")
        time.sleep(0.001)
    t = (time.monotonic() - t0) * 1000
    with open("/proc/%d/status" % p.pid) as f:
        kb = [int(l.split()[1]) for l in f if l.startswith("VmRSS:")][0]
    times.append(t)
    rss.append(kb)
    print("run %d: ready in %.1f ms, RSS %.1f MB" % (i + 1, t, kb / 1024))
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=60)
print("median: ready in %.1f ms, RSS %.1f MB"
      % (statistics.median(times), statistics.median(rss) / 1024))
