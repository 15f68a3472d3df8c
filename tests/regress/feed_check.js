// feed_check.js FEED EXPECTED FROM UNTIL: Mozilla's ical.js, which follows
// the feed's own VTIMEZONE, expands every series with its overrides over
// [FROM, UNTIL) (seconds since the epoch); the meetings must be those in
// EXPECTED (a JSON list of {utc, local, status}; without local, the
// instants and status alone).
'use strict';
const fs = require('fs');
const ICAL = require('ical.js');

function main() {
	const [feed, expected, from, until] = process.argv.slice(2);
	const lo = Number(from), hi = Number(until);
	const comp = new ICAL.Component(ICAL.parse(fs.readFileSync(feed,
	    'utf8')));
	for (const vtz of comp.getAllSubcomponents('vtimezone'))
		ICAL.TimezoneService.register(vtz);
	const masters = new Map(), exceptions = [];
	for (const ve of comp.getAllSubcomponents('vevent')) {
		/*
		 * An empty list of exceptions: otherwise ical.js relates every
		 * override in the calendar to every series, whatever its UID.
		 */
		const ev = new ICAL.Event(ve, { exceptions: [] });
		if (ev.isRecurrenceException())
			exceptions.push(ev);
		else
			masters.set(ev.uid, ev);
	}
	for (const ev of exceptions) {
		if (!masters.has(ev.uid)) {
			console.log('ical.js: an override without its series: ' +
			    ev.uid);
			return 1;
		}
		masters.get(ev.uid).relateException(ev);
	}
	const got = [];
	const add = (start, item) => {
		const t = start.toUnixTime();
		if (t < lo || t >= hi)
			return;
		if (start.zone == null || start.zone.tzid === 'floating') {
			console.log('ical.js: a meeting without a zone');
			process.exit(1);
		}
		got.push({ utc: t, local: start.toString().slice(0, 16),
		    status: (item.component.getFirstPropertyValue('status') ||
		    'CONFIRMED').toUpperCase() });
	};
	for (const ev of masters.values()) {
		if (!ev.isRecurring()) {
			add(ev.startDate, ev);
			continue;
		}
		const it = ev.iterator();
		let next;
		/* A month's margin: a meeting may have moved into the window. */
		while ((next = it.next()) && next.toUnixTime() < hi + 31 * 86400) {
			const d = ev.getOccurrenceDetails(next);
			add(d.startDate, d.item);
		}
	}
	const want = JSON.parse(fs.readFileSync(expected, 'utf8'));
	/* A list without local times asks for the instants alone. */
	if (want.every((o) => !('local' in o)))
		got.forEach((o) => delete o.local);
	got.sort((a, b) => a.utc - b.utc || a.status.localeCompare(b.status));
	want.sort((a, b) => a.utc - b.utc || a.status.localeCompare(b.status));
	if (JSON.stringify(got) !== JSON.stringify(want)) {
		console.log('ical.js: the feed and convened disagree');
		console.log('ical.js read: ' + JSON.stringify(got, null, 1));
		console.log('convened has: ' + JSON.stringify(want, null, 1));
		return 1;
	}
	console.log('ical.js: ' + got.length + ' meetings agree');
	return 0;
}

process.exit(main());
