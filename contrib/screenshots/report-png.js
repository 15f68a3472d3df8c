// report-png.js SVG PNG: the report's chart as a PNG, by headless
// Chromium through the tests' playwright-core.  contrib/screenshots/
// report.png is made from the six-month test's chart:
//   make -C _build/plain check TESTS=tests/regress/report.sh \
//       REPORT_KEEP=/tmp/report
//   NODE_PATH=_build/plain/tests/node/node_modules node \
//       contrib/screenshots/report-png.js /tmp/report/report.svg \
//       contrib/screenshots/report.png
'use strict';

const { chromium } = require('playwright-core');
const fs = require('fs');
(async () => {
	const b = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	    args: ['--headless', '--no-sandbox', '--disable-gpu'] });
	const p = await b.newPage({ viewport: { width: 640, height: 360 } });
	await p.setContent('<html><body style="margin:0;background:#fff">' +
	    fs.readFileSync(process.argv[2], 'utf8') + '</body></html>');
	await p.locator('svg').screenshot({ path: process.argv[3] });
	await b.close();
})();
