declare const __AUTHCTL_VERSION__: string | undefined;
declare const __AUTHCTL_COMMIT__: string | undefined;

/** Set by the build from package.json; tests that run the sources see the dev marker. */
export const VERSION: string = typeof __AUTHCTL_VERSION__ === 'string' ? __AUTHCTL_VERSION__ : '0.0.0-dev';

/** The commit the build was made from (`git rev-parse`), or "unknown" outside a git checkout. */
export const COMMIT: string = typeof __AUTHCTL_COMMIT__ === 'string' ? __AUTHCTL_COMMIT__ : 'unknown';
