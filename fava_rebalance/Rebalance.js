/**
 * The Rebalance tab's behaviour: a category row opens to show its holdings, a trade its lots,
 * and the drift history's section is fetched once the page is shown.
 *
 * Fava serves this module because its name is the extension's class name and calls
 * onExtensionPageLoad after every load of the tab (also after in-app navigation, which
 * inserts the server-rendered HTML without running inline scripts). Everything shown is
 * rendered on the server; this only toggles `hidden` and `aria-expanded`, and puts the
 * history's server-rendered HTML (the `history` endpoint, with the page's filters) in place:
 * reading the whole history takes longer than the page, which should not wait for it.
 */

/** Open or close the detail row that a toggle button controls. */
function toggle(button) {
  const detail = document.getElementById(button.getAttribute("aria-controls"));
  if (!detail) {
    return;
  }
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  detail.hidden = !open;
}

/** Put `text` in the slot as a problem, as plain text. */
function showProblem(slot, text) {
  const message = document.createElement("p");
  message.className = "rebalance-problem";
  message.textContent = text;
  slot.replaceChildren(message);
}

/**
 * Fetch the drift history's section into its slot, its chart laid out for the slot's width;
 * a failure shows the server's message.
 */
async function loadHistory(slot) {
  try {
    const url = new URL(slot.dataset.rebalanceHistory, window.location.href);
    url.searchParams.set("width", String(Math.round(slot.clientWidth)));
    const response = await fetch(url, { credentials: "same-origin" });
    const text = await response.text();
    if (response.ok) {
      slot.innerHTML = text; // rendered by the server's templates, every value escaped there
    } else {
      showProblem(slot, text);
    }
  } catch (error) {
    showProblem(slot, `The drift history could not be loaded: ${error}`);
  }
}

export default {
  onExtensionPageLoad() {
    for (const slot of document.querySelectorAll(".rebalance [data-rebalance-history]")) {
      if (slot.dataset.wired) {
        continue;
      }
      slot.dataset.wired = "true";
      loadHistory(slot);
    }
    for (const button of document.querySelectorAll(".rebalance .rebalance-toggle")) {
      if (button.dataset.wired) {
        continue;
      }
      button.dataset.wired = "true";
      button.addEventListener("click", () => toggle(button));
    }
  },
};
