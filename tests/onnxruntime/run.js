#!/usr/bin/env node
// Runs ONNX models in ONNX Runtime (onnxruntime-node) for the FreeEnergy.Onnx tests and benchmarks.
// One process handles a whole batch of cases (Node start-up costs ~0.1 s), reusing sessions per model.
//
// Usage: node run.js MANIFEST.json RESULTS.json
// MANIFEST: {
//   "threads": 1,                         // intraOpNumThreads for every session (default 1)
//   "cases": [{
//     "id": "any string",
//     "model": "path/to/model.onnx",      // relative paths resolve against the manifest's folder
//     "inputs": { "features": { "file": "x.f32", "shape": [N, D] } },   // raw float32 little-endian
//              // or { "features": { "data": [..numbers..], "shape": [N, D] } }
//     "outputDir": "out/case0",           // optional: each output written there as <name>.f32
//     "warmup": 0, "repeat": 0            // optional: time `repeat` runs after `warmup` runs
//   }]
// }
// RESULTS: { "ortVersion", "threads", "cases": [{ "id", "ok": true, "outputs": { name: { "file", "shape",
//   "type" } }, "timing": { "runs", "meanMs", "minMs", "medianMs" } } | { "id", "ok": false, "error" }] }
// A case that fails (bad model, wrong input shape) is reported with ok=false and ONNX Runtime's message;
// the process exits 0 unless the manifest itself cannot be read (exit 2).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function readInput(spec, base) {
  const shape = spec.shape.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  let data;
  if (spec.file !== undefined) {
    const bytes = fs.readFileSync(path.resolve(base, spec.file));
    if (bytes.length !== count * 4) throw new Error(`input file ${spec.file} has ${bytes.length} bytes, shape [${shape}] needs ${count * 4}`);
    data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes);
  } else {
    data = Float32Array.from(spec.data);
    if (data.length !== count) throw new Error(`input data has ${data.length} values, shape [${shape}] needs ${count}`);
  }
  return new ort.Tensor('float32', data, shape);
}

async function main() {
  const [manifestPath, resultsPath] = process.argv.slice(2);
  if (!manifestPath || !resultsPath) {
    console.error('usage: node run.js MANIFEST.json RESULTS.json');
    process.exit(2);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const base = path.dirname(path.resolve(manifestPath));
  const threads = manifest.threads || 1;
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', logSeverityLevel: 3 };
  const sessions = new Map();
  const results = { ortVersion: ort.env.versions ? ort.env.versions.node : 'unknown', threads, cases: [] };

  for (const c of manifest.cases) {
    const result = { id: c.id };
    try {
      const modelPath = path.resolve(base, c.model);
      let session = sessions.get(modelPath);
      if (!session) {
        session = await ort.InferenceSession.create(modelPath, options);
        sessions.set(modelPath, session);
      }
      const feeds = {};
      for (const [name, spec] of Object.entries(c.inputs)) feeds[name] = readInput(spec, base);
      for (let i = 0; i < (c.warmup || 0); i++) await session.run(feeds);
      const outputs = await session.run(feeds);
      result.outputs = {};
      let dir = null;
      if (c.outputDir) {
        dir = path.resolve(base, c.outputDir);
        fs.mkdirSync(dir, { recursive: true });
      }
      for (const name of session.outputNames) {
        const t = outputs[name];
        const entry = { shape: t.dims.map(Number), type: t.type };
        if (dir) {
          entry.file = path.join(dir, `${name}.f32`);
          fs.writeFileSync(entry.file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        }
        result.outputs[name] = entry;
      }
      if (c.repeat) {
        const times = [];
        for (let i = 0; i < c.repeat; i++) {
          const start = process.hrtime.bigint();
          await session.run(feeds);
          times.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        const sorted = [...times].sort((a, b) => a - b);
        result.timing = {
          runs: times.length,
          meanMs: times.reduce((a, b) => a + b, 0) / times.length,
          minMs: sorted[0],
          medianMs: sorted[Math.floor(sorted.length / 2)],
        };
      }
      result.ok = true;
    } catch (e) {
      result.ok = false;
      result.error = String(e && e.message ? e.message : e);
    }
    results.cases.push(result);
  }
  fs.writeFileSync(resultsPath, JSON.stringify(results, null, 1));
}

main().catch((e) => {
  console.error(`error: ${e && e.message ? e.message : e}`);
  process.exit(2);
});
