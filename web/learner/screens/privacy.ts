// The privacy centre: consents in plain words with what each is used for, the personalization switch, a download
// of everything held about the learner (`myData` as a JSON file), and erasure after a confirmation.
import type { ConsentPurpose } from "../../src/gql/graphql";
import { SetConsentMutation } from "../../src/lib/operations";
import { DeleteMyDataMutation, MyDataQuery, PrivacyCentreQuery, SetPersonalizationMutation } from "../../src/learner/operations";
import { type App, checkPayload, LIST_SIZE, mutate, query, type Screen } from "../app";
import { h, notice, replace } from "../dom";
import { forgetSession } from "../session";
import { consentField } from "./consents";

async function download(app: App, status: HTMLElement): Promise<void> {
  const data = await query(app, MyDataQuery, {}, "network-only");
  const blob = new Blob([JSON.stringify(data.myData, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: `pathwise-my-data-${data.myData.userId}.json`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  const count = data.myData.sections.reduce((sum, section) => sum + section.count, 0);
  replace(status, notice(`Downloaded: ${count} records in ${data.myData.sections.length} collections.`));
}

function deleteDialog(app: App, main: HTMLElement): HTMLDialogElement {
  const dialog = h("dialog", { id: "confirm-delete", "aria-labelledby": "confirm-title" },
    h("h2", { id: "confirm-title" }, "Delete all your data?"),
    h("p", null, "Everything Pathwise holds about you is erased: profile, enrolments, ratings, events, mastery and ",
      "consents. This cannot be undone."),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "danger", id: "confirm-delete-yes", onclick: async () => {
        try {
          const result = await mutate(app, DeleteMyDataMutation, {});
          checkPayload(result.deleteMyData);
          dialog.close();
          forgetSession();
          void app.tracker.flush();
          app.tracker.stop();
          replace(main, h("h1", { tabindex: "-1", id: "deleted" }, "Your data is deleted"),
            h("p", null, `${result.deleteMyData.total} records were erased. You are signed out.`),
            h("p", null, h("a", { href: "/", onclick: () => window.location.assign("/") }, "Start again")));
          main.querySelector("h1")?.focus();
        } catch (error) {
          dialog.close();
          main.append(notice(`Could not delete: ${(error as Error).message}`, "alert"));
        }
      } }, "Yes, delete everything"),
      h("button", { type: "button", onclick: () => dialog.close() }, "Cancel")));
  return dialog;
}

/** The privacy centre. */
export const privacyPage: Screen = async (app, main) => {
  const data = await query(app, PrivacyCentreQuery, {}, "network-only");
  const granted = new Map(data.consents.map((consent) => [consent.purpose, consent.granted]));
  const status = h("div", { class: "status", "aria-live": "polite" });
  const setConsent = async (purpose: ConsentPurpose, on: boolean): Promise<void> => {
    try {
      checkPayload((await mutate(app, SetConsentMutation, { purpose, granted: on, first: LIST_SIZE })).setConsent);
      replace(status, notice(on ? "Saved: you said yes." : "Saved: you said no. What was collected only for it is deleted."));
    } catch (error) {
      replace(status, notice(`Could not save: ${(error as Error).message}`, "alert"));
    }
  };
  const personal = data.me?.personalizationEnabled ?? true;
  const switchInput = h("input", { type: "checkbox", role: "switch", id: "personalization", checked: personal,
    "aria-describedby": "personalization-hint", onchange: async (event: Event) => {
      const on = (event.currentTarget as HTMLInputElement).checked;
      try {
        checkPayload((await mutate(app, SetPersonalizationMutation, { enabled: on, first: LIST_SIZE })).setPersonalization);
        replace(status, notice(on ? "Personal recommendations are on." : "You now see popular courses, the same for everyone."));
      } catch (error) {
        replace(status, notice(`Could not save: ${(error as Error).message}`, "alert"));
      }
    } });
  const dialog = deleteDialog(app, main);
  replace(main, h("h1", { tabindex: "-1" }, "Privacy"),
    h("p", { class: "lead" }, `What Pathwise may use, and why (privacy policy ${data.privacyNotice.policyVersion}; `,
      `events are kept ${data.privacyNotice.eventRetentionDays} days).`),
    status,
    h("section", { "aria-labelledby": "consents-title" }, h("h2", { id: "consents-title" }, "Your choices"),
      data.privacyNotice.purposes.map((purpose) => consentField(purpose, granted.get(purpose.purpose) ?? false,
        (on) => void setConsent(purpose.purpose, on), true))),
    h("section", { "aria-labelledby": "personal-title" }, h("h2", { id: "personal-title" }, "Personal recommendations"),
      h("div", { class: "consent" }, switchInput, h("label", { for: "personalization" }, "Personalise my recommendations"),
        h("p", { class: "hint", id: "personalization-hint" },
          "Off: you see popular courses, the same for everyone, whatever you allowed above."))),
    h("section", { "aria-labelledby": "data-title" }, h("h2", { id: "data-title" }, "Your data"),
      h("div", { class: "actions" },
        h("button", { type: "button", id: "download-data", onclick: () => void download(app, status).catch((error: Error) =>
          replace(status, notice(`Could not download: ${error.message}`, "alert"))) }, "Download my data"),
        h("button", { type: "button", class: "danger", id: "delete-data", onclick: () => dialog.showModal() }, "Delete my data"))),
    dialog);
};
