// A deep copy typed as its input. (@types/node types structuredClone's result as the JSON-ish
// "cloned" shape, Date → string, which no longer matches the client library's model classes.)
export function clone<T>(value: T): T {
  return structuredClone<T>(value);
}
