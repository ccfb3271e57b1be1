// `courtdesk settings [get NAME | set NAME VALUE | reset [NAME]] [--json]`: the agent's workbench settings.
import { ConfigError, loadConfig, resetSettings, saveSetting } from '../config.js';
import { fail, parseFlags } from '../options.js';
import { DEFAULT_SETTINGS, parseSetting, SETTING_NAMES, SETTING_SPECS, type Settings } from '../../workbench/settings.js';

const HELP = `usage:
  courtdesk settings [--json]          show every setting, its value and what it does
  courtdesk settings get NAME
  courtdesk settings set NAME VALUE
  courtdesk settings reset [NAME]      back to the default (all settings without NAME)

Settings:
${SETTING_NAMES.map((n) => `  ${n.padEnd(16)} ${SETTING_SPECS[n].help} (default ${String(DEFAULT_SETTINGS[n])})`).join('\n')}
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('settings', argv, { json: { type: 'boolean' } }, { positionals: true });
  if (!flags.ok) return fail('settings', flags.message, 2);
  const { values, positionals } = flags;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [action, name, value, ...extra] = positionals;
  try {
    switch (action) {
      case undefined: {
        const { settings, path } = loadConfig();
        if (values.json) process.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
        else process.stdout.write(`${describe(settings)}\n(saved in ${path})\n`);
        return 0;
      }
      case 'get': {
        if (!name || !isName(name)) return fail('settings', unknown(name), 2);
        const setting = loadConfig().settings[name];
        process.stdout.write(values.json ? `${JSON.stringify(setting)}\n` : `${String(setting)}\n`);
        return 0;
      }
      case 'set': {
        if (!name || value === undefined || extra.length > 0) return fail('settings', 'set takes a name and one value: courtdesk settings set slaRedMinutes 45', 2);
        const parsedValue = parseSetting(name, value);
        if (!parsedValue.ok) return fail('settings', parsedValue.reason, 2);
        const settings = saveSetting(parsedValue.name, parsedValue.value as never);
        process.stdout.write(`${parsedValue.name} is now ${String(settings[parsedValue.name])}.\n`);
        return 0;
      }
      case 'reset': {
        if (name !== undefined && !isName(name)) return fail('settings', unknown(name), 2);
        const settings = resetSettings(name ?? null);
        process.stdout.write(name ? `${name} is back to ${String(settings[name])}.\n` : `Every setting is back to its default.\n${describe(settings)}\n`);
        return 0;
      }
      default:
        return fail('settings', `unknown action "${action}": use get, set or reset (courtdesk settings --help).`, 2);
    }
  } catch (err) {
    if (err instanceof ConfigError) return fail('settings', err.message);
    throw err;
  }
}

function isName(name: string): name is keyof Settings {
  return (SETTING_NAMES as string[]).includes(name);
}

function unknown(name: string | undefined): string {
  return name ? `there is no setting "${name}". Settings: ${SETTING_NAMES.join(', ')}.` : `name a setting: ${SETTING_NAMES.join(', ')}.`;
}

function describe(settings: Settings): string {
  return SETTING_NAMES.map((n) => `${n.padEnd(16)} ${String(settings[n]).padEnd(9)} ${SETTING_SPECS[n].help}`).join('\n');
}
