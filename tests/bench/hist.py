"""hist.py BEFORE AFTER NAME: percentiles of a Prometheus histogram between
two scrapes of /metrics, as the upper bounds of the buckets they fall in
(so "<= 5 ms"); prints p50, p99, the largest bucket reached and the
count."""
import re
import sys


def buckets(path, name):
    out = {}
    for line in open(path):
        m = re.match(r'%s_bucket\{le="([^"]+)"\} (\d+)' % name, line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


a, b = buckets(sys.argv[1], sys.argv[3]), buckets(sys.argv[2], sys.argv[3])
les = sorted(b, key=lambda k: float("inf") if k == "+Inf" else float(k))
delta = [(le, b[le] - a.get(le, 0)) for le in les]
total = delta[-1][1]
if total == 0:
    sys.exit("no observations of %s" % sys.argv[3])


def pct(q):
    for le, c in delta:
        if c >= q * total:
            return le
    return "+Inf"


def ms(le):
    return le if le == "+Inf" else "%g ms" % (float(le) * 1000)


top = [le for le, c in delta if c == total][0]
print("p50 <= %s, p99 <= %s, max <= %s, n = %d"
      % (ms(pct(0.5)), ms(pct(0.99)), ms(top), total))
