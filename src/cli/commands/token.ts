// `courtdesk token add|list|revoke`: manages access tokens in the data folder.
import { ROLES, type Language, type Role } from '../../domain/events.js';
import { addToken, readTokens, revokeToken } from '../../broker/tokens.js';
import { dataDirFrom, fail, parseFlags } from '../options.js';

const HELP = `usage:
  courtdesk token add NAME --role ${ROLES.join('|')} [--languages en,cy] [--max-held N] [--data DIR]
  courtdesk token list [--json] [--data DIR]
  courtdesk token revoke NAME [--data DIR]

"add" prints the new token once, alone on the last line; only its hash is kept.
--max-held: enquiries this agent may hold at once, instead of the broker's --max-held.
A running broker notices revocations within a second and closes that token's sockets.
What each role may do: docs/records.md, "Who may do what".
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(
    'token',
    argv,
    { role: { type: 'string' }, languages: { type: 'string' }, 'max-held': { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } },
    { positionals: true },
  );
  if (!flags.ok) return fail('token', flags.message, 2);
  const { values, positionals } = flags;
  const [action, name] = positionals;
  if (values.help || !action) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const dataDir = dataDirFrom(values.data);
  switch (action) {
    case 'add': {
      if (!name) return fail('token', 'name the token: courtdesk token add NAME --role agent', 2);
      if (!values.role) return fail('token', `give a role: --role ${ROLES.join(', ')}`, 2);
      const languages = values.languages?.split(',').map((l) => l.trim()) as Language[] | undefined;
      const maxHeld = values['max-held'] !== undefined ? Number(values['max-held']) : undefined;
      try {
        const token = await addToken(dataDir, { name, role: values.role as Role, ...(languages ? { languages } : {}), ...(maxHeld !== undefined ? { maxHeld } : {}) });
        process.stdout.write(`Token for ${name} (${values.role}) created in ${dataDir}. It is shown only this once:\n${token}\n`);
        return 0;
      } catch (err) {
        return fail('token', (err as Error).message);
      }
    }
    case 'list': {
      const tokens = (await readTokens(dataDir)).map(({ hash: _hash, ...visible }) => visible);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
      } else if (tokens.length === 0) {
        process.stdout.write(`No tokens in ${dataDir}. Add one: courtdesk token add NAME --role agent\n`);
      } else {
        for (const t of tokens) {
          process.stdout.write(
            `${t.name.padEnd(20)} ${t.role.padEnd(10)} ${t.languages.join(',').padEnd(6)} created ${t.createdAt}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}\n`,
          );
        }
      }
      return 0;
    }
    case 'revoke': {
      if (!name) return fail('token', 'name the token to revoke: courtdesk token revoke NAME', 2);
      if (!(await revokeToken(dataDir, name))) return fail('token', `no live token is named "${name}" (see courtdesk token list)`);
      process.stdout.write(`Revoked ${name}. A running broker closes its sockets within a second.\n`);
      return 0;
    }
    default:
      return fail('token', `unknown action "${action}": use add, list or revoke`, 2);
  }
}
