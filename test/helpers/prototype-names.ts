// Every name Object.prototype answers to: `name in {}` is true for each, so a table looked up with
// `in` or a bare `table[name]` mistakes them for entries. Inputs that must never match a table.
export const PROTOTYPE_NAMES: readonly string[] = Object.getOwnPropertyNames(Object.prototype);
