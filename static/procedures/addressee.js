// The addressee drop-downs (「申請者と宛名」) follow the version's form and
// the kind of applicant while they are chosen: the server redraws them for
// the form version, 申請できる者 and 代理申請 (with its guesses from the
// form's questions) and keeps what was chosen where it still fits. Without
// this script, saving after such a change brings the page back redrawn.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-addressee-fields]");
  if (!box) return;
  const form = box.closest("form");
  const prefix = box.dataset.prefix ? `${box.dataset.prefix}-` : "";
  const named = (name) => form.querySelector(`[name="${prefix}${name}"]`);
  const formVersion = named("form_version");
  const kind = named("applicant_kind");
  const proxy = named("allows_proxy");
  let latest = 0;
  const redraw = () => {
    const asked = ++latest;
    const query = new URLSearchParams({
      prefix: box.dataset.prefix || "",
      form_version: formVersion ? formVersion.value : "",
      applicant_kind: kind ? kind.value : "",
      allows_proxy: proxy && proxy.checked ? "1" : "",
    });
    box.querySelectorAll(`select[name^="${prefix}addressee_"]`).forEach((select) => {
      if (select.value) query.set(select.name.slice(prefix.length), select.value);
    });
    fetch(`${box.dataset.url}?${query}`, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => {
        if (html === null || asked !== latest) return;
        box.innerHTML = html;
        box.dataset.addresseeReady = String(asked);
      })
      .catch(() => {});
  };
  [formVersion, kind, proxy].forEach((element) => {
    if (element) element.addEventListener("change", redraw);
  });
});
