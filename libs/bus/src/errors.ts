/** Base class of every error the bus throws. */
export class BusError extends Error {
  override readonly name: string = 'BusError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A key cannot be stored (ill-formed Unicode, too long) or a stored key is not one the bus wrote. */
export class BusKeyError extends BusError {
  override readonly name: string = 'BusKeyError';
}

/** A stored value is not an envelope this bus can read. */
export class BusDecodeError extends BusError {
  override readonly name: string = 'BusDecodeError';
}

/** A value could not be stored even through the large-value object store. */
export class BusPayloadTooLargeError extends BusError {
  override readonly name: string = 'BusPayloadTooLargeError';
  readonly key: string;
  readonly size: number;
  constructor(key: string, size: number, options?: ErrorOptions) {
    super(`value for key ${JSON.stringify(key)} (${size} bytes compressed) cannot be stored`, options);
    this.key = key;
    this.size = size;
  }
}
