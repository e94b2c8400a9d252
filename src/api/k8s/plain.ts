// @kubernetes/client-node declares its models as classes (with static type maps) and timestamps as
// Date, but manifests are plain JSON: object literals and RFC 3339 strings. Plain<T> is the wire shape
// of a model: the same fields, as a structural object type, with Date as string. Object literals then
// type-check without pretending to be class instances.
export type Plain<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Plain<U>[]
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;
