import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { launchChromium } from './chromium.mjs';
const server = spawn(process.execPath, ['../../web/serve.mjs', '../../web/dist', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(server.stdout, 'data');
const base = String(line).match(/http:\/\/127\.0\.0\.1:\d+\//)[0];
const browser = await launchChromium('/usr/bin/chromium');
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
for (const prog of ['for k in 0..100000 { print k }', 'for k in 0..1e7 { print k }']) {
  const t = Date.now();
  await page.goto(base + '#code=' + Buffer.from(prog).toString('base64url'));
  await page.waitForFunction(() => ['ok','error'].includes(document.getElementById('status').dataset.state), null, {timeout: 120000});
  const out = await page.locator('#output').innerText();
  console.log(prog, Date.now() - t, 'ms', out.length, 'chars', await page.locator('#status').innerText());
}
await browser.close(); server.kill();
