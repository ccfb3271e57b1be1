// `courtdesk logout`: forgets the saved token and broker URL; settings and drafts stay.
import { ConfigError, forgetLogin } from '../config.js';
import { fail, parseFlags } from '../options.js';

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('logout', argv, {});
  if (!flags.ok) return fail('logout', flags.message, 2);
  const { values } = flags;
  if (values.help) {
    process.stdout.write('usage: courtdesk logout\n\nForgets the saved token and broker URL. Settings and reply drafts are kept.\n');
    return 0;
  }
  try {
    const had = forgetLogin();
    process.stdout.write(had ? 'Logged out: the saved token is forgotten.\n' : 'No token was saved; nothing to forget.\n');
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) return fail('logout', err.message);
    throw err;
  }
}
