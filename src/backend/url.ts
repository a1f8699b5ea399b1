/**
 * The one join of a source's base URL with an API path. The base is a folder whether or not
 * it ends with a slash ("https://h/desk" and "https://h/desk/" both give
 * "https://h/desk/api/v1/clients/"); the path is resolved against it as a relative URL, so a
 * path with a leading slash starts at the server's root and one with a query keeps it.
 */
export function joinUrl(base: string, path: string): string {
  return new URL(path, base.endsWith('/') ? base : base + '/').toString()
}
