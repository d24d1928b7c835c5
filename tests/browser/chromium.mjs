// Headless Chromium for the browser tests, driven by playwright-core: the machine's own
// Chromium (Debian's package; playwright never downloads a browser), in a fresh
// profile, with everything that would reach for the network turned off.
import { chromium } from 'playwright-core';

export async function launchChromium(executablePath) {
  // playwright gives each launch a new, empty --user-data-dir of its own.
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

/** Collects a page's console errors, uncaught exceptions, and requests that leave `origin`. */
export function watchErrors(page, isLocal) {
  const errors = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => {
    if (!isLocal(request.url())) errors.push(`the page fetched ${request.url()}`);
  });
  return errors;
}

/** A check that prints itself and is counted; `failures()` says how many failed. */
export function checker() {
  const failed = [];
  const check = (condition, message) => {
    if (!condition) failed.push(message);
    console.log(`${condition ? 'ok' : 'FAILED'}: ${message}`);
  };
  return { check, failures: () => failed };
}
