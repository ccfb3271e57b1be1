// Imported before Ink by tests of what a real terminal sees: Ink decides once, when it is loaded,
// whether it runs in CI, and then draws only the last frame (and the clock painter stays off).
process.env.CI = 'false';
delete process.env.CONTINUOUS_INTEGRATION;
