// a11y.js URL... [--rsvp URL...] [--involvement URL...] [--report URL...]:
// open each page in headless Chromium, run axe-core with the WCAG 2.0,
// 2.1 and 2.2 A and AA rules, and use the preferences form, and the
// first page to answer after --rsvp, by keyboard alone, ticking a need
// on each; from the preferences form, reach the member's meetings and
// payments and come back by Tab and Enter alone; check the chart of
// each report after --report is drawn as it should be.  Prints one line
// a check; exits 1 on any violation.
'use strict';

const fs = require('fs');
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'),
    'utf8');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
let failures = 0;

function fail(what) {
	console.log('FAIL: ' + what);
	failures++;
}

// axe-core on what the page shows now; every violation is printed.
async function audit(page, label) {
	await page.addScriptTag({ content: axeSource });
	const r = await page.evaluate(async (tags) => {
		// eslint-disable-next-line no-undef
		return await axe.run(document, { runOnly: { type: 'tag',
		    values: tags } });
	}, TAGS);
	for (const v of r.violations) {
		fail(label + ': ' + v.id + ' (' + v.impact + '): ' + v.help +
		    ' at ' + v.nodes.map((n) => n.target.join(' ')).join(', '));
	}
	if (r.passes.length === 0)
		fail(label + ': axe checked nothing');
	console.log('ok: ' + label + ': ' + r.violations.length +
	    ' violations, ' + r.passes.length + ' rules passed');
}

// Where the keyboard focus is, described.
async function focused(page) {
	return await page.evaluate(() => {
		const e = document.activeElement;
		if (!e)
			return '';
		return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
		    (e.value && e.type !== 'radio' ? '=' + e.value : '');
	});
}

// The page to answer: each link's page audited, the form with a
// mistake, then the first answered by Tab, Space and Enter alone.
async function rsvp(page, urls) {
	const [first, ...rest] = urls;

	for (const u of rest) {
		const resp = await page.goto(u);
		const lang = await page.evaluate(() =>
		    document.documentElement.lang + ' ' +
		    document.documentElement.dir);
		await audit(page, 'answer page ' + lang + ' (' +
		    resp.status() + ')');
	}
	// No answer chosen, as a browser posts a form sent empty.
	await page.goto(first);
	await page.evaluate(() => document.querySelector('form').submit());
	await page.waitForLoadState();
	if (!/There is a problem/.test(await page.textContent('main')))
		fail('no problem summary after a form with no answer');
	await audit(page, 'answer page with a mistake');

	await page.goto(first);
	// The answer, each need in the catalogue's order, anything else,
	// the note, the button.
	const needs = await page.evaluate(() => Array.from(
	    document.querySelectorAll('#needs input[type=checkbox]'),
	    (e) => 'input#' + e.id + '=' + e.value));
	if (needs.length === 0)
		fail('no needs to tick on the page to answer');
	const want = ['input#answer-yes', ...needs, 'input#need-other',
	    'textarea#note', 'button'];
	await page.keyboard.press('Tab');
	let f = await focused(page);
	if (f !== 'input#answer-yes')
		fail('the first Tab lands on ' + f + ', not the first answer');
	await page.keyboard.press('Space');
	const seen = [f];
	for (let i = 0; i < want.length + 2 && !f.startsWith('button'); i++) {
		await page.keyboard.press('Tab');
		f = await focused(page);
		seen.push(f);
		// Tick the first need by Space, as a keyboard user would.
		if (f === needs[0])
			await page.keyboard.press('Space');
	}
	if (seen.join(' > ') !== want.join(' > '))
		fail('the tab order to answer: ' + seen.join(' > '));
	const ticked = await page.evaluate(() => Array.from(
	    document.querySelectorAll('#needs input:checked'), (e) => e.value));
	if (ticked.join(' ') !== needs[0].replace(/.*=/, ''))
		fail('ticked by Space: ' + ticked.join(' '));
	const [sent] = await Promise.all([
		page.waitForNavigation(),
		page.keyboard.press('Enter'),
	]);
	// Sent on (303) to the page's own address, which says it is saved.
	if (sent.status() !== 200 || !/\?saved=1$/.test(page.url()))
		fail('answering by keyboard gave ' + sent.status() + ' at ' +
		    page.url());
	const text = await page.textContent('main');
	if (!/We have your answer/.test(text) || !/Yes, I will come/.test(text) ||
	    !/What you need/.test(text))
		fail('the page after answering says: ' + text);
	// Said first, as a status a screen reader announces; then the
	// first Tab reaches the link to change the answer.
	const top = await page.evaluate(() => {
		const e = document.querySelector('main').firstElementChild;
		return e.getAttribute('role') + ' ' +
		    e.querySelector('h1').textContent;
	});
	if (!/^status .*We have your answer/.test(top))
		fail('the saved page starts with: ' + top);
	await page.keyboard.press('Tab');
	f = await focused(page);
	const link = await page.evaluate(() =>
	    document.activeElement.textContent);
	if (f !== 'a' || link !== 'Change your answer')
		fail('the first Tab on the saved page lands on ' + f + ' ' +
		    link);
	// A reload asks for the page again; it posts nothing (a11y.sh
	// counts the answers).
	const again = await page.reload();
	if (again.status() !== 200 || again.request().method() !== 'GET')
		fail('a reload of the saved page: ' +
		    again.request().method() + ' ' + again.status());
	console.log('ok: answered, and a need ticked, by Tab, Space and ' +
	    'Enter alone, and told it is saved: ' + seen.join(' > '));
	await audit(page, 'answer recorded');
}

// The member's own page, reached from the form by Tab and Enter alone,
// and left by its link back; then each page given audited.
async function involvement(page, prefsUrl, urls) {
	await page.goto(prefsUrl);
	const seen = [];
	let f = '';
	for (let i = 0; i < 40; i++) {
		await page.keyboard.press('Tab');
		f = await page.evaluate(() => {
			const e = document.activeElement;
			return e && e.tagName === 'A' ?
			    e.getAttribute('href') : '';
		});
		seen.push(f);
		if (f.endsWith('/involvement'))
			break;
	}
	if (!f.endsWith('/involvement'))
		fail('Tab never reaches the link to meetings and payments');
	const [opened] = await Promise.all([
		page.waitForNavigation(),
		page.keyboard.press('Enter'),
	]);
	if (opened.status() !== 200)
		fail('the meetings and payments page gave ' +
		    opened.status());
	const text = await page.textContent('main');
	if (!/Your meetings/.test(text) || !/Your payments/.test(text))
		fail('the meetings and payments page says: ' + text);
	await audit(page, 'meetings and payments, reached by keyboard');
	for (let i = 0; i < 10; i++) {
		await page.keyboard.press('Tab');
		f = await page.evaluate(() => {
			const e = document.activeElement;
			return e && e.tagName === 'A' ?
			    e.getAttribute('href') : '';
		});
		if (f.startsWith('../'))
			break;
	}
	if (!f.startsWith('../'))
		fail('Tab never reaches the link back');
	const [back] = await Promise.all([
		page.waitForNavigation(),
		page.keyboard.press('Enter'),
	]);
	if (back.status() !== 200 || !/How you hear from us/.test(
	    await page.textContent('h1')))
		fail('the link back gave ' + back.status());
	console.log('ok: meetings and payments reached and left by Tab ' +
	    'and Enter alone');
	for (const u of urls) {
		const resp = await page.goto(u);
		const lang = await page.evaluate(() =>
		    document.documentElement.lang + ' ' +
		    document.documentElement.dir);
		if (resp.status() !== 200)
			fail('meetings and payments ' + lang + ' gave ' +
			    resp.status());
		await audit(page, 'meetings and payments ' + lang);
	}
}

// The members' report in each language: audited, its language links
// marked with theirs, and its chart's words drawn inside the chart,
// none over another or over the key, nor so near another on its line
// as to read as one phrase, each in its own direction (right to left
// for Arabic, numbers left to right).
async function report(page, urls) {
	for (const u of urls) {
		const resp = await page.goto(u);
		if (resp.status() !== 200)
			fail('the report ' + u + ' gave ' + resp.status());
		const [lang, dir] = await page.evaluate(() =>
		    [document.documentElement.lang,
		    document.documentElement.dir]);
		await audit(page, 'report ' + lang + ' (' + dir + ')');
		const r = await page.evaluate(() => {
			const svg = document.querySelector('main svg');
			const s = svg.getBoundingClientRect();
			const texts = Array.from(svg.querySelectorAll('text'));
			const boxes = texts.map((t) => t.getBoundingClientRect());
			const marks = Array.from(svg.querySelectorAll(
			    'rect[width="16"], path')).map((m) =>
			    m.getBoundingClientRect());
			// Boxes that touch, or words on a line closer
			// than 8 pixels, as if one phrase.
			const meet = (a, b, gap) => a.left < b.right + gap &&
			    b.left < a.right + gap && a.top < b.bottom - 0.5 &&
			    b.top < a.bottom - 0.5;
			const out = { bad: [], words: [], links: [] };
			texts.forEach((t, i) => {
				const b = boxes[i], w = t.textContent;
				if (b.width === 0 || b.left < s.left - 0.5 ||
				    b.right > s.right + 0.5 ||
				    b.top < s.top - 0.5 ||
				    b.bottom > s.bottom + 0.5)
					out.bad.push('outside: ' + w);
				for (let j = i + 1; j < texts.length; j++)
					if (meet(b, boxes[j], 8))
						out.bad.push(w + ' over ' +
						    texts[j].textContent);
				for (const m of marks)
					if (meet(b, m, -0.5))
						out.bad.push(w + ' over the key');
				out.words.push([w,
				    getComputedStyle(t).direction]);
			});
			for (const a of document.querySelectorAll('nav a'))
				out.links.push([a.getAttribute('hreflang'),
				    a.getAttribute('lang'),
				    new URL(a.href).searchParams.get('lang')]);
			out.nav = document.querySelector('nav') &&
			    document.querySelector('nav').getAttribute(
			    'aria-label');
			return out;
		});
		for (const [w, d] of r.words) {
			const want = /[\u0600-\u06ff]/.test(w) ? 'rtl' :
			    /^[0-9%-]+$/.test(w) ? 'ltr' : null;
			if (want !== null && d !== want)
				r.bad.push(w + ' is written ' + d);
			if (lang !== 'ar' && d !== 'ltr')
				r.bad.push(w + ' is written ' + d);
		}
		if (!r.nav || r.links.length !== 2 ||
		    r.links.some(([h, l, q]) => !h || h !== l || l !== q ||
		    h === lang))
			r.bad.push('the language links: ' +
			    JSON.stringify([r.nav, r.links]));
		if (r.bad.length > 0)
			fail('the report in ' + lang + ': ' +
			    r.bad.join('; '));
		console.log('ok: report chart ' + lang + ': ' +
		    r.words.length + ' words inside it, none over another');
	}
}

async function main() {
	let all = process.argv.slice(2);
	const rcut = all.indexOf('--report');
	const reports = rcut < 0 ? [] : all.slice(rcut + 1);
	all = rcut < 0 ? all : all.slice(0, rcut);
	const icut = all.indexOf('--involvement');
	const args = icut < 0 ? all : all.slice(0, icut);
	const invs = icut < 0 ? [] : all.slice(icut + 1);
	const cut = args.indexOf('--rsvp');
	const [prefsUrl, ...others] = cut < 0 ? args : args.slice(0, cut);
	const rsvps = cut < 0 ? [] : args.slice(cut + 1);
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu',
		    '--disable-quic', '--no-first-run',
		    '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
	});
	// The pages' CSP forbids scripts; axe is injected by the test only.
	const context = await browser.newContext({ bypassCSP: true,
	    javaScriptEnabled: true });
	const page = await context.newPage();

	let resp = await page.goto(prefsUrl);
	if (resp.status() !== 200)
		fail('the form gave ' + resp.status());
	await audit(page, 'preferences form');

	// Keyboard alone: Tab reaches the first choice, arrows move within
	// a radio group, Tab moves on, and Enter on the button submits.
	await page.keyboard.press('Tab');
	let f = await focused(page);
	if (!f.startsWith('input#how-'))
		fail('the first Tab lands on ' + f + ', not the first question');
	const seen = [f];
	for (let i = 0; i < 30; i++) {
		await page.keyboard.press('Tab');
		f = await focused(page);
		seen.push(f);
		if (f.startsWith('button'))
			break;
	}
	if (!f.startsWith('button'))
		fail('Tab never reaches the button: ' + seen.join(' > '));
	for (const want of ['input#style-', 'select#language',
	    'input#need-', 'input#need-other'])
		if (!seen.some((s) => s.startsWith(want)))
			fail('Tab skips ' + want + ': ' + seen.join(' > '));
	console.log('ok: tab order: ' + seen.join(' > '));

	// A need, ticked by Space on its box, saved with the rest.
	await page.focus('#needs input[type=checkbox]');
	await page.keyboard.press('Space');

	// Choose Easy Read by keyboard: focus the style group, arrow to it.
	await page.focus('input#style-standard');
	for (let i = 0; i < 3; i++)
		await page.keyboard.press('ArrowDown');
	const style = await page.evaluate(() =>
	    document.querySelector('input[name=style]:checked').value);
	if (style !== 'easyread')
		fail('arrows chose ' + style + ', not easyread');
	await page.focus('button');
	const [saved] = await Promise.all([
		page.waitForNavigation(),
		page.keyboard.press('Enter'),
	]);
	if (saved.status() !== 200)
		fail('submitting by keyboard gave ' + saved.status());
	const text = await page.textContent('main');
	if (!/Your choices are saved/.test(text) || !/Easy Read/.test(text) ||
	    !/What you need at every meeting/.test(text) ||
	    /What you need at every meeting\s*Nothing/.test(text))
		fail('the saved page says: ' + text);
	console.log('ok: chosen and saved by keyboard alone');
	await audit(page, 'saved page');

	// The form with mistakes, as a browser would post a stale form.
	await page.goto(prefsUrl);
	await page.evaluate(() => {
		const r = document.querySelector('input[name=style]:checked');
		r.value = 'no-such-style';
		document.querySelector('input#quiet_from') &&
		    (document.querySelector('input#quiet_from').value = '');
		document.querySelector('form').submit();
	});
	await page.waitForLoadState();
	const err = await page.textContent('main');
	if (!/There is a problem/.test(err))
		fail('no problem summary after a bad form');
	await audit(page, 'form with a mistake');
	// The summary's link takes the keyboard to the field.
	await page.focus('.problems a');
	await page.keyboard.press('Enter');
	await page.waitForTimeout(100);
	const hash = await page.evaluate(() => location.hash);
	if (hash !== '#style')
		fail('the problem link goes to ' + hash);

	for (const u of others) {
		resp = await page.goto(u);
		await audit(page, 'page ' + u.replace(/\/preferences\/.*/,
		    '/preferences/...') + ' (' + resp.status() + ')');
	}
	if (rsvps.length > 0)
		await rsvp(page, rsvps);
	if (invs.length > 0)
		await involvement(page, prefsUrl, invs);
	if (reports.length > 0)
		await report(page, reports);
	await browser.close();
	if (failures > 0) {
		console.log(failures + ' accessibility checks failed');
		process.exit(1);
	}
}

main().catch((e) => {
	console.log('FAIL: ' + (e && e.stack ? e.stack : e));
	process.exit(1);
});
