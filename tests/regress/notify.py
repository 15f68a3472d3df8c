"""notify.py SOCKET OUT: stand in for systemd's notification socket.

Binds a datagram socket at SOCKET and appends every message received to
OUT, one field a line, until SIGTERM or two minutes pass.
"""
import os
import signal
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
s.settimeout(120)
with open(out + ".ready", "w"):
    pass
try:
    with open(out, "a") as f:
        while True:
            try:
                msg = s.recv(4096)
            except socket.timeout:
                break
            for line in msg.decode().split("\n"):
                f.write(line + "\n")
            f.flush()
finally:
    os.unlink(path)
