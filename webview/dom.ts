/**
 * A tiny element builder. Strings always become text nodes and attributes are set one by one, so
 * nothing from a trace is ever parsed as HTML (there is no innerHTML anywhere in the page).
 */

/** Child of {@link h}: an element, a string (inserted as text), or nothing. */
export type Child = Node | string | number | null | undefined | false;

/** Creates an element with attributes (`on*` keys must be functions and become listeners). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, unknown> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
    else if (k === 'className') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

/** Appends children (strings as text). */
export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Removes all children. */
export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}
