// Records every module URL the program loads (ESM resolve hook), for the lazy-loading test.
import { register } from 'node:module';
import { appendFileSync } from 'node:fs';

const out = process.env.AUTHCTL_TRACE_FILE;
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => appendFileSync(out, `${url}\n`));
port1.unref();
register(
  `data:text/javascript,${encodeURIComponent(`
    let port;
    export function initialize(data) { port = data.port; }
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      port.postMessage(result.url);
      return result;
    }`)}`,
  { data: { port: port2 }, transferList: [port2] },
);
