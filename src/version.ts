declare const __AUTHCTL_VERSION__: string | undefined;

/** Set by the build from package.json; tests that run the sources see the dev marker. */
export const VERSION: string = typeof __AUTHCTL_VERSION__ === 'string' ? __AUTHCTL_VERSION__ : '0.0.0-dev';
