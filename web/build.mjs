// Bundles the playground into a folder any static host can serve: index.html, the
// page's script and style, the worker, and the wasm module, each file named by a hash
// of its contents (a host may cache them forever; a new build changes the names).
// Called by build.sh, which builds the wasm module and its glue first:
//   node build.mjs --pkg DIR --out DIR --examples DIR
// --pkg: wasm-bindgen's output (mgrad_wasm.js, mgrad_wasm_bg.wasm); --examples: the
// .mg programs of the examples menu, bundled into the page.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const options = {};
for (let i = 2; i < process.argv.length; i += 2) options[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const required of ['pkg', 'out', 'examples']) {
  if (!options[required]) throw new Error(`build.mjs needs --${required} DIR`);
}

const hash = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 10);
rmSync(options.out, { recursive: true, force: true });
mkdirSync(options.out, { recursive: true });

const wasm = readFileSync(join(options.pkg, 'mgrad_wasm_bg.wasm'));
const wasmFile = `mgrad-${hash(wasm)}.wasm`;
writeFileSync(join(options.out, wasmFile), wasm);

const examples = readdirSync(options.examples)
  .filter((name) => name.endsWith('.mg'))
  .sort()
  .map((name) => ({ name, source: readFileSync(join(options.examples, name), 'utf8') }));
const examplesModule = {
  name: 'examples',
  setup(build) {
    build.onResolve({ filter: /^virtual:examples$/ }, () => ({ path: 'examples', namespace: 'examples' }));
    build.onLoad({ filter: /.*/, namespace: 'examples' }, () => ({
      contents: `export default ${JSON.stringify(examples)};`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2020'],
  outdir: options.out,
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: here,
};
const outputOf = (result, entry) => basename(Object.entries(result.metafile.outputs)
  .find(([file, output]) => output.entryPoint === entry && file.endsWith('.js'))[0]);

const worker = await esbuild.build({
  ...common,
  entryPoints: [join(here, 'src/worker.js')],
  alias: { 'mgrad-wasm-glue': join(options.pkg, 'mgrad_wasm.js') },
  define: { MGRAD_WASM_FILE: JSON.stringify(wasmFile) },
});
const workerFile = outputOf(worker, 'src/worker.js');

const app = await esbuild.build({
  ...common,
  entryPoints: [join(here, 'src/app.js')],
  define: { WORKER_FILE: JSON.stringify(workerFile) },
  plugins: [examplesModule],
});
const appFile = outputOf(app, 'src/app.js');
const cssFile = basename(Object.keys(app.metafile.outputs).find((file) => file.endsWith('.css')));

const html = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replace('{{app}}', appFile)
  .replace('{{css}}', cssFile)
  .replace('{{worker}}', workerFile);
writeFileSync(join(options.out, 'index.html'), html);

for (const file of readdirSync(options.out).sort()) {
  const size = readFileSync(join(options.out, file)).length;
  console.log(`  ${file.padEnd(34)} ${(size / 1024).toFixed(1).padStart(8)} KiB`);
}
