// Overview: the catalog's size and taxonomy, its latest imports (runs of `pathwise import-courses`,
// `import-skills`, `import-exercises`, `pathwise demo`), and the recommendation cache.
import type { PageContext } from "../context";
import { badge, h, stat, table } from "../dom";
import { count, percent, when } from "../format";
import { CatalogQuery } from "../../src/console/operations";

export async function renderCatalog({ api }: PageContext): Promise<Node> {
  const data = await api.query(CatalogQuery, {});
  const cache = data.recommendationCache;
  const lookups = cache.hits + cache.misses;
  type Run = (typeof data.catalogImports)[number];
  return h("div", {},
    h("section", { "aria-labelledby": "catalog-size" }, h("h2", { id: "catalog-size" }, "Courses"),
      h("div", { class: "stats" },
        stat("courses in the catalog", count(data.courses.totalCount), "published and unpublished"),
        stat("published courses", count(data.published.totalCount), "what learners can be recommended"),
        stat("skills", count(data.taxonomy.skills.length), "named by the catalog's courses"),
        stat("topics", count(data.taxonomy.topics.length)))),
    h("section", { "aria-labelledby": "imports" }, h("h2", { id: "imports" }, "Latest imports"),
      table<Run>("Import runs, newest first", [
        { header: "Finished", cell: (r) => when(r.finishedAt) },
        { header: "Kind", cell: (r) => r.kind },
        { header: "File", cell: (r) => h("code", {}, r.source) },
        { header: "Result", cell: (r) => (r.skipped ? badge(`${count(r.skipped)} skipped`, "warn") : badge("ok", "ok")) },
        { header: "Read", cell: (r) => count(r.read), numeric: true },
        { header: "Created", cell: (r) => count(r.created), numeric: true },
        { header: "Updated", cell: (r) => count(r.updated), numeric: true },
        { header: "Unchanged", cell: (r) => count(r.unchanged), numeric: true },
        { header: "With warnings", cell: (r) => count(r.warned), numeric: true },
        { header: "First problems", cell: (r) => r.problems.map((problem) => h("div", {}, problem)) },
      ], data.catalogImports)),
    h("section", { "aria-labelledby": "taxonomy" }, h("h2", { id: "taxonomy" }, "Taxonomy"),
      chips("Skills", data.taxonomy.skills), chips("Topics", data.taxonomy.topics)),
    h("section", { "aria-labelledby": "cache" }, h("h2", { id: "cache" }, "Recommendation cache"),
      h("div", { class: "stats" },
        stat("cache", cache.enabled ? "on" : "off", cache.enabled ? `answers kept ${cache.seconds} s` : undefined),
        stat("entries", count(cache.size)),
        stat("hit rate", lookups ? percent(cache.hits / lookups) : "–", `${count(cache.hits)} hits, ${count(cache.misses)} misses`))));
}

function chips(label: string, values: readonly string[]): HTMLElement {
  return h("div", { class: "chips-block" }, h("h3", {}, `${label} (${values.length})`),
    values.length ? h("ul", { class: "chips" }, values.map((value) => h("li", {}, value))) : h("p", {}, "None."));
}
