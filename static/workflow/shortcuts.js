// Keyboard shortcuts of the case page (issue 15): a single key follows the
// link marked data-shortcut="<key>" (N: next case in the queue, I: inbox,
// D: the decision). Never while typing, never with a modifier key.
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  const target = event.target;
  if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) return;
  const key = (event.key || "").toLowerCase();
  if (key.length !== 1) return;
  const link = document.querySelector(`a[data-shortcut="${key}"]`);
  if (!link) return;
  event.preventDefault();
  link.click();
});
