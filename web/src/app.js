// The playground's page: the editor, the Run/Stop/Share buttons, the examples menu,
// and the output. mg itself runs in a Web Worker (worker.js), so a runaway program
// never freezes the tab: the worker stops it at its time limit, and Stop (or a
// watchdog, should the worker not answer) terminates the worker and starts another.
import { EditorState, Prec } from '@codemirror/state';
import {
  EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars,
  keymap, lineNumbers,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput } from '@codemirror/language';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import examples from 'virtual:examples';
import { mgHighlight, mgLanguage } from './mg-language.js';
import { codeFromHash, linkFor } from './share.js';
import './style.css';

/* global WORKER_FILE */

const DEFAULT_PROGRAM = `# mg: micrograd's autograd as a language. Ctrl-Enter runs.
a = 2; b = -3
L = (a*b + 10) * -2
grad L      # every gradient of L, by backpropagation
dot L       # the graph, as micrograd draws it
`;

/** What the page keeps between visits (where the browser lets it). */
const saved = {
  get(key) {
    try { return localStorage.getItem(`mgrad.${key}`); } catch { return null; }
  },
  set(key, value) {
    try { localStorage.setItem(`mgrad.${key}`, value); } catch { /* private mode: not kept */ }
  },
};

const $ = (id) => document.getElementById(id);
const runButton = $('run');
const stopButton = $('stop');
const statusLine = $('status');
const output = $('output');
const timeLimitMenu = $('time-limit');
const examplesMenu = $('examples');

// For tests and for the curious: when the first result arrived, in ms since navigation.
window.mgradPlayground = { firstResultMs: null };

/* ---------- The editor ---------- */

let loadedExample = null;

const editor = new EditorView({
  parent: $('editor'),
  state: EditorState.create({
    doc: '',
    extensions: [
      Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => { runProgram(); return true; } }])),
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      highlightActiveLine(),
      EditorView.lineWrapping,
      mgLanguage,
      mgHighlight,
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        saveSoon();
        $('share-box').hidden = true;
        // Edited, the program is no longer what the link in the address bar says.
        if (!settingProgram && codeFromHash(window.location.hash) !== null) forgetLink();
      }),
      EditorView.contentAttributes.of({ 'aria-label': 'mg program' }),
    ],
  }),
});

function program() {
  return editor.state.doc.toString();
}

let settingProgram = false;

/** Replaces the program (undoably, as an edit). */
function setProgram(text) {
  settingProgram = true;
  try {
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
  } finally {
    settingProgram = false;
  }
}

let saveTimer = null;
function saveSoon() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => saved.set('program', program()), 300);
}

function forgetLink() {
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
}

/* ---------- The worker ---------- */

let worker = null;
let runId = 0;
let current = null; // the run in progress: { id, started, watchdog }

function startWorker() {
  // The first worker was started by index.html, before this script loaded.
  worker = window.mgradWorker ?? new Worker(WORKER_FILE, { type: 'module', name: 'mgrad' });
  window.mgradWorker = null;
  worker.onmessage = (event) => onWorkerMessage(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    if (current) {
      renderNotice(`mgrad could not start in this browser: ${event.message || 'the worker failed to load'}`, 'error');
      finish('error');
    }
  };
}

function onWorkerMessage(message) {
  if (message.type === 'ready') {
    performance.mark('mgrad:ready', { startTime: message.at - performance.timeOrigin });
    return;
  }
  if (!current || message.id !== current.id) return;
  if (message.type === 'items') {
    renderItems(JSON.parse(message.batch));
  } else if (message.type === 'crash') {
    renderNotice(message.stack
      ? 'the program nested or recursed more deeply than this browser\'s stack allows, and was stopped'
      : `mgrad stopped with an internal error, which is a bug: ${message.message}`, 'error');
    finish('error');
    restartWorker();
  }
}

function restartWorker() {
  worker.terminate();
  startWorker();
}

function timeLimit() {
  return Number(timeLimitMenu.value) || 0;
}

function runProgram() {
  if (current) stopProgram(false);
  clearOutput();
  runId += 1;
  const source = program();
  const name = loadedExample && loadedExample.source === source ? loadedExample.name : '<playground>';
  const limit = timeLimit();
  current = { id: runId, started: performance.now(), watchdog: null };
  if (limit > 0) {
    // The worker stops the program at its time limit; should it not answer (a builtin
    // that runs long between two polls), the page stops it a little later.
    current.watchdog = setTimeout(() => {
      renderNotice(`the program ran past its time limit of ${limit} s and did not stop; the page stopped it`, 'error');
      finish('error');
      restartWorker();
    }, (limit + 5) * 1000);
  }
  performance.mark('mgrad:run');
  worker.postMessage({ id: runId, name, source, timeLimit: limit });
  setStatus('running', 'running…');
  stopButton.disabled = false;
}

/** Stop: terminates the worker (the only way to stop wasm mid-loop) and starts a fresh one. */
function stopProgram(say = true) {
  if (!current) return;
  restartWorker();
  if (say) {
    renderNotice(`stopped after ${seconds(performance.now() - current.started)}`, 'stopped');
  }
  finish('stopped');
}

function finish(state) {
  if (!current) return;
  clearTimeout(current.watchdog);
  const elapsed = seconds(performance.now() - current.started);
  current = null;
  stopButton.disabled = true;
  const words = { ok: 'ran', error: 'stopped with an error', check_failed: 'ran; a check failed', stopped: 'stopped' };
  setStatus(state, `${words[state] ?? state} · ${elapsed}`);
}

function seconds(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function setStatus(state, text) {
  statusLine.dataset.state = state;
  statusLine.textContent = text;
}

/* ---------- The output ---------- */

// Consecutive text outputs go to one block, a <pre> per batch: appending a block lays
// out only the new one, where growing one <pre> would lay out all of its text again at
// every batch (a loop of prints made that quadratic: 600,000 lines took a minute).
let textBlock = null;
let blobUrls = [];

function clearOutput() {
  output.replaceChildren();
  textBlock = null;
  blobUrls.forEach((url) => URL.revokeObjectURL(url));
  blobUrls = [];
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function blobUrl(contents, type) {
  const url = URL.createObjectURL(new Blob([contents], { type }));
  blobUrls.push(url);
  return url;
}

function renderItems(items) {
  const atBottom = output.scrollHeight - output.scrollTop - output.clientHeight < 40;
  let text = '';
  const flushText = () => {
    if (!text) return;
    if (!textBlock) {
      textBlock = element('div', { class: 'text-run' });
      output.append(textBlock);
    }
    textBlock.append(element('pre', { class: 'text' }, text));
    text = '';
  };
  for (const item of items) {
    if (item.kind === 'output' && !item.svg && !item.html) {
      text += item.text;
      continue;
    }
    flushText();
    textBlock = null;
    if (item.kind === 'output') renderRich(item);
    else if (item.kind === 'file') renderFile(item);
    else if (item.kind === 'error') output.append(element('pre', { class: 'error' }, item.text.trimEnd()));
    else if (item.kind === 'notice') renderNotice(item.text, 'info');
    else if (item.kind === 'done') {
      if (window.mgradPlayground.firstResultMs === null) window.mgradPlayground.firstResultMs = performance.now();
      finish(item.status);
    }
  }
  flushText();
  if (atBottom) output.scrollTop = output.scrollHeight;
}

/** `dot` and `plot` as their pictures, with their text below; `explain` as its text and its walk. */
function renderRich(item) {
  if (item.svg) {
    const what = item.cmd === 'dot' ? `the graph of ${item.data.target}` : 'the plot';
    const textName = item.cmd === 'dot' ? 'DOT text' : 'as text';
    output.append(element('figure', { class: `picture ${item.cmd}` },
      picture(item.svg, what),
      element('details', {}, element('summary', {}, textName), element('pre', { class: 'text' }, item.text))));
  } else if (item.html) {
    output.append(element('pre', { class: 'text' }, item.text));
    const walk = element('details', { class: 'walk' },
      element('summary', {}, `step through backward from ${item.data.target}`));
    // The page is made when first opened: a program may explain many times.
    walk.addEventListener('toggle', () => {
      if (walk.open && !walk.querySelector('iframe')) walk.append(page(item.html, 'backward, step by step'));
    });
    output.append(walk);
  }
}

/** An SVG picture at its own size (a graph's text stays readable), scrolled where it is wider. */
function picture(svg, alt) {
  return element('div', { class: 'scroll' }, element('img', { src: blobUrl(svg, 'image/svg+xml'), alt }));
}

/** A page of mgrad's in a sandbox: its own scripts run, and it cannot touch this page. */
function page(html, title) {
  return element('iframe', { sandbox: 'allow-scripts', srcdoc: html, title, class: 'page' });
}

/** What `command > "path"` wrote: shown (a picture, a page, or text) and offered for download. */
function renderFile(item) {
  const extension = (item.path.match(/\.([^./\\]+)$/) || ['', ''])[1].toLowerCase();
  const type = { svg: 'image/svg+xml', html: 'text/html', htm: 'text/html' }[extension] || 'text/plain';
  const name = item.path.split(/[/\\]/).pop() || 'output';
  const caption = element('figcaption', {},
    element('code', {}, item.path), ' ',
    element('a', { href: blobUrl(item.contents, type), download: name }, 'download'));
  let body;
  if (extension === 'svg') body = picture(item.contents, item.path);
  else if (type === 'text/html') body = page(item.contents, item.path);
  else body = element('pre', { class: 'text' }, item.contents);
  output.append(element('figure', { class: `file ${extension}` }, caption, body));
}

function renderNotice(text, kind) {
  textBlock = null;
  output.append(element('p', { class: `notice ${kind}` }, text));
}

/* ---------- Sharing ---------- */

$('share').addEventListener('click', async () => {
  const link = linkFor(window.location.href, program());
  window.history.replaceState(null, '', link);
  const box = $('share-link');
  box.value = link;
  $('share-box').hidden = false;
  box.focus();
  box.select();
  let copied = false;
  try {
    await navigator.clipboard.writeText(link);
    copied = true;
  } catch { /* no clipboard (a plain-http host): the link is selected to copy */ }
  $('share-note').textContent = copied ? 'copied to the clipboard' : 'press Ctrl-C to copy it';
});
$('share-close').addEventListener('click', () => { $('share-box').hidden = true; });

/** Opens the program a link carries, and runs it at once: whether there was one to open. */
function openLink() {
  const code = codeFromHash(window.location.hash);
  if (code === null) return false;
  if (code.ok) {
    loadedExample = null;
    setProgram(code.text);
    runProgram();
  } else {
    clearOutput();
    renderNotice(`this link's program could not be read: ${code.error}`, 'error');
  }
  return code.ok;
}

/* ---------- The menus and buttons ---------- */

for (const example of examples) {
  examplesMenu.append(element('option', { value: example.name }, example.name));
}
examplesMenu.addEventListener('change', () => {
  const example = examples.find((e) => e.name === examplesMenu.value);
  examplesMenu.value = '';
  if (!example) return;
  setProgram(example.source);
  loadedExample = example;
  forgetLink();
  editor.focus();
});

timeLimitMenu.value = saved.get('timeLimit') ?? timeLimitMenu.value;
timeLimitMenu.addEventListener('change', () => saved.set('timeLimit', timeLimitMenu.value));
runButton.addEventListener('click', () => runProgram());
stopButton.addEventListener('click', () => stopProgram());
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !editor.hasFocus) {
    event.preventDefault();
    runProgram();
  }
});
window.addEventListener('hashchange', openLink);

/* ---------- Start ---------- */

// The worker starts (and compiles mgrad) while the page sets itself up.
startWorker();
if (!openLink()) {
  const last = saved.get('program');
  setProgram(last !== null && last.trim() !== '' ? last : DEFAULT_PROGRAM);
  setStatus('idle', 'Ctrl-Enter runs the program');
}
editor.focus();
