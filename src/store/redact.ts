/** `scheme://user:password@host` → `scheme://user:***@host`, wherever a URL appears in `text`: for anything printed. */
export function redactUrl(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s\/?#@:]*):[^\s\/?#]*@/g, '$1:***@');
}
