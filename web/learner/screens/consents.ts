// Each consent purpose in plain words, with what it is used for (the server's privacy notice says why).
import type { ConsentPurpose } from "../../src/gql/graphql";
import { h } from "../dom";

export const PLAIN_WORDS: Record<ConsentPurpose, string> = {
  ESSENTIAL: "Run the service: your enrolments, ratings and profile",
  PERSONALIZATION: "Pick courses for me from my goals, interests and what I do here",
  BEHAVIORAL_TRACKING: "Record what I view and click in this app",
  THIRD_PARTY_IMPORT: "Import my profile from accounts I connect (LinkedIn, GitHub, Google)",
  ANALYTICS: "Count me in statistics that help improve the courses",
};

export interface PurposeText {
  purpose: ConsentPurpose;
  why: string;
  feeds: readonly string[];
  retention: string;
  onWithdrawal: string;
  canWithdraw: boolean;
}

/** A checkbox for one purpose, labelled in plain words, described by what it is used for. */
export function consentField(notice: PurposeText, granted: boolean, onChange?: (granted: boolean) => void,
  detailed = false): HTMLElement {
  const id = `consent-${notice.purpose.toLowerCase()}`;
  const input = h("input", { type: "checkbox", id, name: notice.purpose, "aria-describedby": `${id}-why`,
    checked: granted, disabled: !notice.canWithdraw,
    onchange: (event: Event) => onChange?.((event.currentTarget as HTMLInputElement).checked) });
  const used = notice.feeds.length ? ` Used for: ${notice.feeds.join(", ")}.` : "";
  const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);
  return h("div", { class: "consent" },
    input, h("label", { for: id }, PLAIN_WORDS[notice.purpose]),
    h("p", { id: `${id}-why`, class: "hint" }, `${notice.why}${used}`, notice.canWithdraw ? "" : " Needed to use Pathwise.",
      detailed ? ` Kept: ${sentence(notice.retention)}` : "", detailed && notice.canWithdraw ? ` If you say no: ${notice.onWithdrawal}` : ""));
}
