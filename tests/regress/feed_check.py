# feed_check.py FEED EXPECTED FROM UNTIL: python icalendar with
# recurring_ical_events, which use the system zone database, expand the
# feed over [FROM, UNTIL) (seconds since the epoch); the meetings must be
# those in EXPECTED (a JSON list of {utc, local, status}), at the same
# instants, the same local times (when EXPECTED gives them) and with the
# same status.
import datetime
import json
import sys

import icalendar
import recurring_ical_events


def main():
    feed, expected, start, until = sys.argv[1:5]
    with open(feed, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    with open(expected) as f:
        want = json.load(f)
    utc = datetime.timezone.utc
    lo = datetime.datetime.fromtimestamp(int(start), utc)
    hi = datetime.datetime.fromtimestamp(int(until), utc)
    got = []
    for ev in recurring_ical_events.of(cal).between(lo, hi):
        dt = ev["DTSTART"].dt
        if not isinstance(dt, datetime.datetime) or dt.tzinfo is None:
            print("python: a meeting without a zone: %r" % (dt,))
            return 1
        t = int(dt.timestamp())
        if t < int(start) or t >= int(until):
            continue
        got.append({"utc": t, "local": dt.strftime("%Y-%m-%dT%H:%M"),
                    "status": str(ev.get("STATUS", "CONFIRMED")).upper()})
    # A list without local times asks for the instants alone.
    if all("local" not in o for o in want):
        for o in got:
            del o["local"]
    got.sort(key=lambda o: (o["utc"], o["status"]))
    want.sort(key=lambda o: (o["utc"], o["status"]))
    if got != want:
        print("python: the feed and convened disagree")
        print("python read:  %s" % json.dumps(got, indent=1))
        print("convened has: %s" % json.dumps(want, indent=1))
        return 1
    print("python: %d meetings agree" % len(got))
    return 0


sys.exit(main())
