export async function run(): Promise<void> {
  throw new Error('action not implemented yet');
}
