// A few DOM helpers instead of a framework: `h()` builds elements, `replace()` swaps a container's content.
export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (event: Event) => void;
export type Props = Record<string, string | number | boolean | Handler | null | undefined>;

/** An element with attributes (`on<event>` props become listeners; false/null leave the attribute out). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null,
  ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/** Append children, flattening arrays and skipping empty ones. */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else if (child !== null && child !== undefined && child !== false) parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace everything inside `parent` with `children`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A short status or error message, announced by screen readers. */
export function notice(text: string, kind: "status" | "alert" = "status"): HTMLElement {
  return h("p", { class: `notice notice-${kind}`, role: kind }, text);
}

/** A percentage, rounded, from a probability 0–1. */
export function percent(probability: number): string {
  return `${Math.round(probability * 100)}%`;
}

/** "45 min" or "3 h 20 min". */
export function duration(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return "";
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** A lower-case label from an enum value: BEGINNER -> beginner. */
export function label(value: string | null | undefined): string {
  return (value ?? "").toLowerCase().replace(/_/g, " ");
}
