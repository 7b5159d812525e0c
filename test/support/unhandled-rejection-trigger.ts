// Preloaded (node --import) into a spawned server by a test: on SIGUSR2 it rejects a promise that
// nobody handles, as a forgotten `await` in a timer or event handler would.
process.on('SIGUSR2', () => {
  void Promise.reject(new Error('test: a rejection nobody handles'));
});
