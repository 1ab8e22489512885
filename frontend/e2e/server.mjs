// Starts the real Dhana backend for the browser tests: a free 127.0.0.1 port, a throwaway
// SQLite data dir, and the built web app (frontend/dist) served at `/`.
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');

/** The `dhana` binary: $DHANA_BIN, else a fresh `cargo build` copied aside (the target dir may be shared). */
function binary(workDir) {
  if (process.env.DHANA_BIN) return process.env.DHANA_BIN;
  execFileSync('cargo', ['build', '-q', '-p', 'dhana'], { cwd: repo, stdio: 'inherit' });
  const target = process.env.CARGO_TARGET_DIR ? resolve(repo, process.env.CARGO_TARGET_DIR) : join(repo, 'target');
  const copy = join(workDir, 'dhana');
  copyFileSync(join(target, 'debug', 'dhana'), copy);
  return copy;
}

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

async function waitUntilUp(base, child, log) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${log()}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not come up:\n${log()}`);
}

export async function startServer() {
  const dist = resolve(import.meta.dirname, '../dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error('frontend/dist is missing: run `npm run build` first');
  const workDir = mkdtempSync(join(tmpdir(), 'dhana-e2e-'));
  const bin = binary(workDir);
  const port = await freePort();
  let output = '';
  const child = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      DHANA_BIND: `127.0.0.1:${port}`,
      DHANA_DATA_DIR: join(workDir, 'data'),
      DHANA_FRONTEND_DIR: dist,
      DHANA_WORKERS: '2',
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(base, child, () => output);
  return {
    base,
    log: () => output,
    stop() {
      child.kill('SIGTERM');
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
