// The console's pages, in navigation order.
import type { Page } from "../context";
import { renderAnalytics } from "./analytics";
import { renderAudit } from "./audit";
import { renderCatalog } from "./catalog";
import { renderConsents } from "./consents";
import { renderExperiment } from "./experiment";
import { renderExperimentForm } from "./experiment-form";
import { renderExperiments } from "./experiments";
import { renderMetrics } from "./metrics";
import { renderRecommenders } from "./recommenders";

export const PAGES: readonly Page[] = [
  { path: "", nav: "Catalog", title: () => "Catalog", render: renderCatalog },
  { path: "recommenders", nav: "Recommenders", title: () => "Recommenders", render: renderRecommenders },
  { path: "metrics", nav: "Serving metrics", title: () => "Serving metrics", render: renderMetrics },
  { path: "experiments", nav: "Experiments", title: () => "Experiments", render: renderExperiments },
  { path: "experiments/new", title: () => "New experiment", render: renderExperimentForm },
  { path: "experiments/:id", title: (p) => `Experiment ${p.id ?? ""}`, render: renderExperiment },
  { path: "analytics", nav: "Funnels and struggles", title: () => "Course funnels and struggle points",
    render: renderAnalytics },
  { path: "consents", nav: "Consent", title: () => "Consent statistics", render: renderConsents },
  { path: "audit", nav: "Audit log", title: () => "Audit log", render: renderAudit },
];
