export async function startLiveServer(..._a: unknown[]): Promise<{ stop(): Promise<void> }> {
  throw new Error('todo');
}
