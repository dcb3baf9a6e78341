// A few DOM helpers: elements from a tag, attributes and children; tables that scroll on small screens;
// the console renders with these rather than a framework (its pages are tables, forms and charts).

export type Child = Node | string | number | null | undefined | false;
type Attribute = string | number | boolean | null | undefined | EventListener;

/** An element with attributes (`on…` functions become listeners; false/null leave the attribute out). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attributes: Record<string, Attribute> = {}, ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/** Appends children, flattening arrays and skipping null, undefined and false. */
export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

export interface Column<T> {
  header: string;
  cell: (row: T) => Child | Child[];
  /** Right-aligned (numbers). */
  numeric?: boolean;
}

/** A table with a caption, in a focusable region that scrolls sideways when the screen is narrow. */
export function table<T>(caption: string, columns: Column<T>[], rows: readonly T[],
  rowClass?: (row: T) => string | null): HTMLElement {
  const head = h("tr", {}, columns.map((column) => h("th", { scope: "col", class: column.numeric ? "num" : null },
    column.header)));
  const body = rows.map((row) => h("tr", { class: rowClass?.(row) ?? null },
    columns.map((column) => h("td", { class: column.numeric ? "num" : null }, column.cell(row)))));
  const content = rows.length
    ? h("table", {}, h("caption", {}, caption), h("thead", {}, head), h("tbody", {}, body))
    : h("p", { class: "empty" }, `${caption}: nothing yet.`);
  return h("div", { class: "table-scroll", role: "region", "aria-label": caption, tabindex: 0 }, content);
}

/** A labelled badge (status, flags); `tone` picks its colours. */
export function badge(text: string, tone: "ok" | "warn" | "bad" | "muted" | "info" = "muted"): HTMLElement {
  return h("span", { class: `badge badge-${tone}` }, text);
}

/** A message shown in place of a page's content. */
export function notice(text: string, tone: "info" | "error" = "info"): HTMLElement {
  return h("p", { class: `notice notice-${tone}`, role: tone === "error" ? "alert" : "status" }, text);
}

/** A card with a big number and a label. */
export function stat(label: string, value: Child, detail?: string): HTMLElement {
  return h("div", { class: "stat" }, h("div", { class: "stat-value" }, value), h("div", { class: "stat-label" }, label),
    detail ? h("div", { class: "stat-detail" }, detail) : null);
}
