// Move focus to an error summary when a page shows one, so that screen
// readers announce it and keyboard users start from the list of errors.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
});
