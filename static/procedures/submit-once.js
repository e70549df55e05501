// A second click while the first submission is on its way would only be
// answered with the same receipt (the server is idempotent), but it worries
// people: mark the button busy after the first click.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form").forEach((form) => {
    const button = form.querySelector("[data-submit-once]");
    if (!button) return;
    form.addEventListener("submit", () => {
      window.setTimeout(() => {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      }, 0);
    });
  });
});
