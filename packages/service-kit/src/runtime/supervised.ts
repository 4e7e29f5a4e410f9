/**
 * Under a supervisor (the run command's, which forks each service process with an IPC channel): tells it that the
 * process has started, and stops the process (through its own SIGTERM handler) when the supervisor goes away, so no
 * child outlives it. Does nothing in a process started otherwise.
 */
export function reportToSupervisor(message: { url: string }): void {
  if (!process.send) return;
  process.send({ type: 'ready', url: message.url });
  // The channel must not keep the process alive once its graceful shutdown has closed everything else.
  process.channel?.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
