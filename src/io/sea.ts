/**
 * What the single executable (npm run sea) carries beside its script: assets read through
 * node:sea. Outside one, every asset is undefined and the files beside the bundle are used.
 */
export function seaAsset(name: string): ArrayBuffer | undefined {
  const sea = process.getBuiltinModule('node:sea');
  return sea?.isSea() ? sea.getRawAsset(name) : undefined;
}
