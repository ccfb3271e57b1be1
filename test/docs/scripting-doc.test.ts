// docs/scripting.md's CI smoke script, run exactly as printed: every command a doc prints must
// run as printed, and this one must leave nothing behind.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

it('the smoke script in docs/scripting.md passes as printed and removes its temporary folders', () => {
  const doc = readFileSync(join(root, 'docs', 'scripting.md'), 'utf8');
  const script = /`ci\/smoke\.sh`:\n\n```bash\n([\s\S]*?)\n```/.exec(doc)?.[1];
  expect(script, 'the ci/smoke.sh block in docs/scripting.md').toBeDefined();
  const tmp = mkdtempSync(join(tmpdir(), 'courtdesk-smoke-'));
  try {
    const run = spawnSync('bash', ['-c', script!], { cwd: root, encoding: 'utf8', env: { ...process.env, TMPDIR: tmp, CI: 'true' }, timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^smoke test passed: enquiry E\w+, escalation X\w+\n$/);
    expect(readdirSync(tmp)).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
