// The due date next to 標準処理期間 follows the period while it is typed.
// The server computes it (the same function that sets an application's due
// date, with the office holidays); without this script the page shows the
// date for the period as it was last saved or posted.
document.addEventListener("DOMContentLoaded", () => {
  const target = document.querySelector("[data-due-date-preview]");
  if (!target) return;
  const days = document.getElementById(target.dataset.days);
  const business = document.getElementById(target.dataset.business);
  if (!days || !business) return;
  let timer = null;
  let latest = 0;
  const update = () => {
    const asked = ++latest;
    const query = new URLSearchParams({
      days: days.value.trim(),
      business: business.checked ? "1" : "",
    });
    fetch(`${target.dataset.url}?${query}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => response.json())
      .then((data) => {
        if (asked === latest) target.textContent = data.text || "";
      })
      .catch(() => {});
  };
  days.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 250);
  });
  business.addEventListener("change", update);
});
