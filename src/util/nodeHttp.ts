// node:http for the operator's process, without `import … from 'node:http'`: on Node 24 any ESM import
// of node:http builds its namespace, which reads the module's lazy `WebSocket` export and so loads
// undici (fetch, WebSocket, web streams) into a process that uses none of them — ~4 MiB RSS for the
// operator's life (measured at import). process.getBuiltinModule hands out the same module object
// without reading the getters. src/operator/build.test.ts keeps undici out.
export const http = process.getBuiltinModule('node:http');
