// Overview: the catalog's size and taxonomy, and the recommendation cache. (The schema exposes no import status:
// imports run from the command line, `pathwise import`.)
import type { PageContext } from "../context";
import { h, stat } from "../dom";
import { count, percent } from "../format";
import { CatalogQuery } from "../../src/console/operations";

export async function renderCatalog({ api }: PageContext): Promise<Node> {
  const data = await api.query(CatalogQuery, {});
  const cache = data.recommendationCache;
  const lookups = cache.hits + cache.misses;
  return h("div", {},
    h("section", { "aria-labelledby": "catalog-size" }, h("h2", { id: "catalog-size" }, "Courses"),
      h("div", { class: "stats" },
        stat("courses in the catalog", count(data.courses.totalCount), "published and unpublished"),
        stat("published courses", count(data.published.totalCount), "what learners can be recommended"),
        stat("skills", count(data.taxonomy.skills.length), "named by the catalog's courses"),
        stat("topics", count(data.taxonomy.topics.length)))),
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
