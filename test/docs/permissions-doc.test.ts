// docs/records.md's "Who may do what" is the role table as the code has it, like the keymap's
// help: this fails when the page is out of date (fix: npm run build && node scripts/permissions-doc.js).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/domain/events.js';
import { ACTIONS, can, PERMISSIONS, type Action } from '../../src/domain/permissions.js';
import { howTo, permissionsSection, withPermissionsSection } from '../../src/protocol/permissions-doc.js';

const PAGE = new URL('../../docs/records.md', import.meta.url);

describe('docs/records.md, "Who may do what"', () => {
  it('is the table the broker enforces', async () => {
    const page = await readFile(PAGE, 'utf8');
    const current = withPermissionsSection(page);
    expect(page, 'docs/records.md is out of date with src/domain/permissions.ts: run npm run build && node scripts/permissions-doc.js').toBe(current);
    expect(page).toContain(permissionsSection());
  });

  it('would notice one cell changed', async () => {
    const page = await readFile(PAGE, 'utf8');
    const flipped: Record<Role, ReadonlySet<Action>> = { ...PERMISSIONS, auditor: new Set([...PERMISSIONS.auditor, 'reply']) };
    expect(withPermissionsSection(page, permissionsSection(flipped))).not.toBe(page);
    expect(permissionsSection(flipped)).toContain('| `reply` | reply to a customer | `reply` command | yes | yes | no | yes |');
  });

  it('replaces only its own section, keeping the ones after it', () => {
    const doc = '# Records\n\nIntro.\n\n## Who may do what\n\nstale\n\n## Exporting\n\nKept.\n';
    const written = withPermissionsSection(doc);
    expect(written).toBe(`# Records\n\nIntro.\n\n${permissionsSection()}\n## Exporting\n\nKept.\n`);
    expect(withPermissionsSection(written)).toBe(written);
    expect(withPermissionsSection('# Records\n')).toBe(`# Records\n\n${permissionsSection()}`);
  });

  it('says how to do every action, with a row and a cell for every role', () => {
    const section = permissionsSection();
    for (const action of ACTIONS) {
      expect(howTo(action)).not.toBe('');
      expect(section).toContain(`| \`${action}\` |`);
    }
    expect(section).toContain(`| action | what | how | ${ROLES.join(' | ')} |`);
  });
});

describe('the role table', () => {
  it('lets every role that opens the agent websocket read notes: its events and open carry them', () => {
    for (const role of ROLES) if (can(role, 'open-agent-socket')) expect(can(role, 'read-notes'), role).toBe(true);
  });

  it('lets an auditor read everything and change nothing', () => {
    const reads: Action[] = ['read-enquiry', 'read-notes', 'open-agent-socket', 'open-conversation', 'read-catalogue', 'list-agents', 'read-access-log', 'export', 'read-wallboard'];
    expect([...PERMISSIONS.auditor].sort()).toEqual([...reads].sort());
  });
});
