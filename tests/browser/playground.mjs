// Checks the playground (web/) in headless Chromium: the page loads and runs the design
// card, a runaway loop is stopped (by the time limit and by Stop) without freezing the
// tab, a Share link opens its program and runs it, pictures and written files show.
// Usage: node playground.mjs DIST CHROMIUM [--cli-output FILE] [--timings N] [--screenshot FILE.png]
// where DIST is a built playground (web/build.sh). --cli-output: what `mgrad
// examples/01_derivative.mg` prints, which the page must show the same. --timings: loads a Share link of the
// design card N times, each in a fresh browser profile (nothing cached), and prints the
// median times from navigation to the page's load, to mgrad's readiness and to the first
// result. --screenshot: runs examples/moons.mg from the menu and saves the page.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { checker, launchChromium, watchErrors } from './chromium.mjs';

const [dist, executablePath, ...rest] = process.argv.slice(2);
const option = (name) => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
const screenshot = option('--screenshot');
const timings = Number(option('--timings') ?? 0);
const cliOutput = option('--cli-output');
const { check, failures } = checker();

const DESIGN_CARD = 'a = 2; b = -3; L = (a*b + 10) * -2; grad L';

// The page is served as any static host would, on 127.0.0.1 (a Web Worker cannot start from file://).
const server = spawn(process.execPath, [fileURLToPath(new URL('../../web/serve.mjs', import.meta.url)), dist, '0'],
  { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(server.stdout, 'data');
const base = String(line).match(/http:\/\/127\.0\.0\.1:\d+\//)[0];

const browser = await launchChromium(executablePath);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors = watchErrors(page, (url) => url.startsWith(base) || url.startsWith('blob:') ||
    url.startsWith('data:') || url.startsWith('about:'));
  const status = page.locator('#status');
  const output = page.locator('#output');
  const waitForState = (states, timeout = 60000) => page.waitForFunction(
    (wanted) => wanted.includes(document.getElementById('status').dataset.state), states, { timeout });
  // Types a program as a person would: into the editor, then Ctrl-Enter.
  async function typeAndRun(source) {
    await page.click('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(source);
    await page.keyboard.press('Control+Enter');
  }
  const editorText = () => page.evaluate(() => document.querySelector('.cm-content').innerText.replace(/\u00a0/g, ' '));

  // 1. The design card, typed and run with Ctrl-Enter.
  await page.goto(base);
  await page.waitForSelector('.cm-content');
  await typeAndRun(DESIGN_CARD);
  await waitForState(['ok', 'error', 'check_failed']);
  const text = await output.innerText();
  check((await status.getAttribute('data-state')) === 'ok', `the design card runs (${await status.innerText()})`);
  check(/^a\s+2\s+6$/m.test(text), `the output shows a.grad = 6 (${JSON.stringify(text)})`);
  check(/^b\s+-3\s+-4$/m.test(text), 'the output shows b.grad = -4');
  check(/^node\s+data\s+grad$/m.test(text), 'the grad table has the CLI\'s header');

  // The editor: mg's keywords highlighted, brackets matched.
  const colours = await page.evaluate(() => {
    const colour = (word) => {
      const span = Array.from(document.querySelectorAll('.cm-content span')).find((s) => s.textContent === word);
      return span ? getComputedStyle(span).color : null;
    };
    return { grad: colour('grad'), number: colour('10') };
  });
  check(colours.grad === 'rgb(139, 47, 168)', `'grad' is highlighted as a keyword (${colours.grad})`);
  check(colours.number === 'rgb(11, 127, 134)', `numbers are highlighted (${colours.number})`);
  await page.click('.cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText('\nprint (a * (b + 1))');
  await page.keyboard.press('ArrowLeft');
  check((await page.locator('.cm-matchingBracket').count()) === 2, 'the bracket at the cursor and its match are marked');

  // 2. An error shows the CLI's diagnostic with its caret.
  await typeAndRun('a = 2\nL = a * bb');
  await waitForState(['error']);
  const error = await page.locator('#output pre.error').innerText();
  check(error.includes("unknown name 'bb'") && error.includes('(line 2, column 9)') && error.includes('^^'),
    `an error shows its line, column and caret (${JSON.stringify(error)})`);

  // 3. Pictures inline: the graph, a plot, the backward walk a program writes.
  await typeAndRun('a = 2; b = -3; L = (a*b + 10) * -2\ngrad L\ndot L\nplot tanh\nexplain L > "steps.html"');
  await waitForState(['ok', 'error']);
  const pictures = await page.evaluate(async () => {
    const images = Array.from(document.querySelectorAll('#output img'));
    await Promise.all(images.map((image) => image.decode().catch(() => {})));
    return images.map((image) => [image.alt, image.naturalWidth]);
  });
  check(pictures.length === 2 && pictures.every(([, width]) => width > 100),
    `the graph and the plot are drawn inline (${JSON.stringify(pictures)})`);
  const steps = page.frameLocator('#output figure.html iframe');
  await steps.locator('#next').click();
  check((await steps.locator('#counter').innerText()) === 'step 1 of 4', 'the backward walk steps inside the page');
  check((await output.innerText()).includes('wrote the backward steps as a web page to steps.html'),
    'the page says what the program wrote');

  // 4. A runaway loop: stopped by the time limit, and by Stop, and the tab stays responsive.
  await page.selectOption('#time-limit', '5');
  // (A loop that builds nothing: `k += 1` builds a node a pass and would reach the memory limit first.)
  await typeAndRun('print "started"\nwhile true { }');
  await waitForState(['error'], 30000);
  const timeout = await page.locator('#output pre.error').innerText();
  check(timeout.includes('the program ran longer than its time limit of 5 s'),
    `the time limit stops an endless loop (${JSON.stringify(timeout)})`);
  check((await output.innerText()).startsWith('started'), 'what it printed before stays');
  await page.selectOption('#time-limit', '0');
  await typeAndRun('for k in 0..1e15 { }');
  await page.waitForTimeout(1500);
  check((await status.getAttribute('data-state')) === 'running', 'with no time limit, the loop runs on');
  const started = Date.now();
  const answered = await page.evaluate(() => new Promise((resolve) => { setTimeout(() => resolve(true), 0); }));
  check(answered && Date.now() - started < 1000, 'the tab answers while mg runs');
  await page.click('#stop');
  await waitForState(['stopped'], 5000);
  check((await output.innerText()).includes('stopped after'), 'Stop stops it');
  await typeAndRun(DESIGN_CARD);
  await waitForState(['ok'], 30000);
  check(/^a\s+2\s+6$/m.test(await output.innerText()), 'after Stop, the next run works');

  // Recursion deeper than the browser's stack allows is an mg error, not a crashed module:
  // the deepest paths of the evaluator, through a plotted function and through closures.
  for (const deep of ['fn f(x) { plot f from 0 to 1\n return x }\nplot f from 0 to 1',
    'fn g(n) { fn h(m) = g(m - 1)\n return h(n) }\nprint g(100000)',
    'fn f(n) { return max(f(n - 1), sum([f(n - 1)])) }\nprint f(100000)']) {
    await typeAndRun(deep);
    await waitForState(['ok', 'error']);
    const said = await output.innerText();
    check(/evaluation is nested more than \d+ levels deep/.test(said),
      `deep recursion stops with the depth limit's error (${JSON.stringify(said.split('\n')[0])})`);
  }

  // 5. A Share link opens its program and runs it at once; the link is #code= and the
  //    program's UTF-8 in base64url.
  const shared = '# α, β: learning rates\nα = 0.5\nx = 3; y = x * α\ngrad y';
  await typeAndRun(shared);
  await waitForState(['ok']);
  await page.click('#share');
  const link = await page.inputValue('#share-link');
  check(link === `${base}#code=${Buffer.from(shared, 'utf8').toString('base64url')}`,
    `Share gives #code= and the program's UTF-8 in base64url (${link})`);
  const visitor = await browser.newPage();
  const visitorErrors = watchErrors(visitor, (url) => url.startsWith(base) || url.startsWith('blob:'));
  await visitor.goto(link);
  await visitor.waitForFunction(() => ['ok', 'error'].includes(document.getElementById('status').dataset.state),
    null, { timeout: 60000 });
  const visitorEditor = await visitor.evaluate(() => document.querySelector('.cm-content').innerText.replace(/\u00a0/g, ' '));
  check(visitorEditor.trim() === shared.trim(), `the link opens its program (${JSON.stringify(visitorEditor)})`);
  check(/^x\s+3\s+0\.5$/m.test(await visitor.locator('#output').innerText()), 'and runs it at once');
  const firstResult = await visitor.evaluate(() => window.mgradPlayground.firstResultMs);
  console.log(`time from navigation to the first result: ${Math.round(firstResult)} ms`);
  await visitor.goto(`${base}#code=not*base64`);
  const unread = await visitor.locator('#output .notice.error').innerText();
  check(unread.startsWith("this link's program could not be read"), `a broken link says so (${JSON.stringify(unread)})`);
  check(visitorErrors.length === 0, `the shared page: no console error, no fetch elsewhere (${visitorErrors.join('; ')})`);
  await visitor.close();

  // 6. The examples menu loads a program of examples/; it runs and checks itself.
  await page.selectOption('#examples', '01_derivative.mg');
  check((await editorText()).startsWith('# 01'), 'the examples menu loads examples/01_derivative.mg');
  await page.click('#run');
  await waitForState(['ok', 'error', 'check_failed'], 60000);
  check((await status.getAttribute('data-state')) === 'ok', `the example runs and its asserts hold (${await status.innerText()})`);
  if (cliOutput) {
    const shown = await page.evaluate(() => Array.from(document.querySelectorAll('#output .text-run pre'))
      .map((pre) => pre.textContent).join(''));
    check(shown === readFileSync(cliOutput, 'utf8'), 'the page shows exactly what the CLI prints for the example');
  }
  check(errors.length === 0, `the playground: no console error, no fetch elsewhere (${errors.join('; ')})`);

  if (timings > 0) {
    const runs = [];
    for (let i = 0; i < timings; i += 1) {
      const context = await browser.newContext();
      const fresh = await context.newPage();
      await fresh.goto(`${base}#code=${Buffer.from(DESIGN_CARD).toString('base64url')}`);
      await fresh.waitForFunction(() => window.mgradPlayground.firstResultMs !== null, null, { timeout: 60000 });
      runs.push(await fresh.evaluate(() => ({
        load: performance.getEntriesByType('navigation')[0].loadEventEnd,
        ready: performance.getEntriesByName('mgrad:ready')[0]?.startTime,
        result: window.mgradPlayground.firstResultMs,
      })));
      await context.close();
    }
    const median = (key) => {
      const sorted = runs.map((run) => run[key]).sort((a, b) => a - b);
      return Math.round(sorted[Math.floor(sorted.length / 2)]);
    };
    const all = (key) => runs.map((run) => Math.round(run[key])).join(' ');
    console.log(`over ${timings} first visits, median ms from navigation: page loaded ${median('load')}, ` +
      `mgrad ready ${median('ready')}, first result ${median('result')} (each: ${all('result')})`);
  }

  if (screenshot) {
    await page.selectOption('#time-limit', '60');
    await page.selectOption('#examples', 'moons.mg');
    await page.click('#run');
    await waitForState(['ok', 'error'], 120000);
    console.log(`moons.mg: ${await status.innerText()}`);
    await page.screenshot({ path: screenshot });
    console.log(`saved ${screenshot}`);
  }
} finally {
  await browser.close();
  server.kill();
}
if (failures().length > 0) {
  console.log(`${failures().length} playground check(s) failed`);
  process.exit(1);
}
console.log('all playground checks passed');
