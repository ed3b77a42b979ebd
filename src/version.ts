declare const __AUTHCTL_VERSION__: string | undefined;
declare const __AUTHCTL_COMMIT__: string | undefined;

/** Set by the build from package.json; tests that run the sources see the dev marker. */
export const VERSION: string = typeof __AUTHCTL_VERSION__ === 'string' ? __AUTHCTL_VERSION__ : '0.0.0-dev';

/** The commit the build was made from (`git rev-parse`), or "unknown" outside a git checkout. */
export const COMMIT: string = typeof __AUTHCTL_COMMIT__ === 'string' ? __AUTHCTL_COMMIT__ : 'unknown';

declare const __AUTHCTL_COMMIT_DATE__: string | undefined;

/** The date of that commit (YYYY-MM-DD), for the man page's footer: the same build, the same page. */
export const COMMIT_DATE: string = typeof __AUTHCTL_COMMIT_DATE__ === 'string' ? __AUTHCTL_COMMIT_DATE__ : '1970-01-01';
