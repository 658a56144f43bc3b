/** Input that cannot be used as given: one clear line, exit 2, nothing written. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}
