// Imported first by tests about colour: chalk decides its colour level when it is loaded, and under
// vitest (no TTY) it would choose none, so a test for "no colour codes" could never fail.
process.env.FORCE_COLOR = '1';
