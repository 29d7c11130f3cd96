/**
 * The Rebalance tab's behaviour: a category row opens to show its holdings, a trade its lots.
 *
 * Fava serves this module because its name is the extension's class name and calls
 * onExtensionPageLoad after every load of the tab (also after in-app navigation, which
 * inserts the server-rendered HTML without running inline scripts). Everything shown is
 * rendered on the server; this only toggles `hidden` and `aria-expanded`.
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

export default {
  onExtensionPageLoad() {
    for (const button of document.querySelectorAll(".rebalance .rebalance-toggle")) {
      if (button.dataset.wired) {
        continue;
      }
      button.dataset.wired = "true";
      button.addEventListener("click", () => toggle(button));
    }
  },
};
