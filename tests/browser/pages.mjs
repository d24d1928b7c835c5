// Checks the HTML pages mgrad writes in headless Chromium: each loads with no console
// error, hovering a value shows its grad, and "next" advances the backward walk.
// Usage: node pages.mjs DIR CHROMIUM, where DIR holds graph.html and steps.html
// written by run.sh.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { checker, launchChromium, watchErrors } from './chromium.mjs';

const [dir, executablePath] = process.argv.slice(2);
const { check, failures } = checker();

const browser = await launchChromium(executablePath);
try {
  const page = await browser.newPage();
  const errors = watchErrors(page, (url) => url.startsWith('file:'));

  // The graph page: hover shows a value's data and grad.
  await page.goto(pathToFileURL(join(dir, 'graph.html')).href);
  check(await page.locator('#tip').isHidden(), 'graph page: no tooltip before hovering');
  const a = await page.evaluate(() => Array.from(document.querySelectorAll('#graph .node'))
    .find((node) => node.querySelector('.label').textContent.trim() === 'a').id);
  await page.hover(`#${a}`);
  const tip = await page.locator('#tip').innerText();
  check(await page.locator('#tip').isVisible(), 'graph page: hovering a shows a tooltip');
  check(tip.includes('grad 6') && tip.includes('data 2'), `graph page: the tooltip shows a's data and grad (${JSON.stringify(tip)})`);
  check(errors.length === 0, `graph page: no console error (${errors.join('; ')})`);

  // The steps page: next and previous walk backward one step at a time.
  errors.length = 0;
  await page.goto(pathToFileURL(join(dir, 'steps.html')).href);
  const counter = page.locator('#counter');
  const line = page.locator('#line');
  check((await counter.innerText()) === 'step 0 of 6', 'steps page: starts before the first step');
  check((await line.innerText()).startsWith('L.grad = 1'), 'steps page: the first line says where backward starts');
  await page.click('#next');
  check((await counter.innerText()) === 'step 1 of 6', 'steps page: next advances to step 1');
  check((await line.innerText()) === 'L = d * f: d.grad += f.data * L.grad = -2 * 1 = -2',
        `steps page: step 1 shows its chain-rule line (${await line.innerText()})`);
  const input = page.locator('#graph .node.input');
  check((await input.count()) === 1, 'steps page: the input of the step is highlighted');
  check((await input.locator('.grad').textContent()).trim() === 'grad -2.0000', 'steps page: the input\'s grad is updated');
  check((await page.locator('#graph .node.current').count()) === 1, 'steps page: the step\'s node is highlighted');
  await page.click('#next');
  check((await counter.innerText()) === 'step 2 of 6', 'steps page: next advances to step 2');
  await page.click('#previous');
  check((await counter.innerText()) === 'step 1 of 6', 'steps page: previous goes back');
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('counter').textContent === 'step 6 of 6', null, { timeout: 15000 });
  check((await page.locator('#play').innerText()) === 'play', 'steps page: play runs to the last step and stops');
  check(errors.length === 0, `steps page: no console error (${errors.join('; ')})`);
} finally {
  await browser.close();
}
if (failures().length > 0) {
  console.log(`${failures().length} browser check(s) failed`);
  process.exit(1);
}
console.log('all browser checks passed');
