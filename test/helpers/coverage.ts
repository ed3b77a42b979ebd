import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a run executed, from the V8 coverage it wrote (NODE_V8_COVERAGE=dir): the script files it
 * loaded, and the bundled modules that ran. esbuild wraps each module that is loaded on demand in
 * an initializer named after its source path, so a module that never ran has no counted call.
 */
export function executed(dir: string): { scripts: string[]; modules: string[] } {
  const scripts: string[] = [];
  const modules: string[] = [];
  for (const file of readdirSync(dir)) {
    for (const script of JSON.parse(readFileSync(join(dir, file), 'utf8')).result as {
      url: string;
      functions: { functionName: string; ranges: { count: number }[] }[];
    }[]) {
      if (!script.url.startsWith('file:')) continue;
      scripts.push(script.url);
      for (const fn of script.functions) if (fn.ranges[0]!.count > 0 && /^(node_modules|src)\//.test(fn.functionName)) modules.push(fn.functionName);
    }
  }
  return { scripts, modules };
}
