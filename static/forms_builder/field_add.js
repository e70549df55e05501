/*
 * The one-screen "add a field" page: choosing another type brings that
 * type's settings in place (the screen drawn for ?type=…, fetched by GET and
 * swapped in, keeping what was already typed), and the preview of the
 * question follows the settings as they are typed (the server draws it:
 * views.field_preview). Without this script, "この種類にする" redraws the
 * screen through the server.
 */
(function () {
  "use strict";
  var form = document.getElementById("fb-field-add");
  if (!form) return;
  var preview = document.querySelector("[data-fb-field-preview]");
  var retype = form.querySelector("[data-fb-retype]");
  var typeSelect = form.querySelector("[name='type']");
  var timer = null, sequence = 0;

  function refresh() {
    var mine = ++sequence;
    fetch(form.getAttribute("data-fb-preview-url"), {
      method: "POST", body: new FormData(form), credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null && mine === sequence) {
        preview.innerHTML = html;
        preview.setAttribute("data-fb-preview-ready", String(mine));
      }
    }).catch(function () { /* keep the last preview */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 250); }

  // What the administrator changed in the settings so far, to carry over.
  function typed(box) {
    var kept = [];
    Array.prototype.forEach.call(box.querySelectorAll("[name]"), function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) kept.push([el.name, el.value, el.checked]);
      } else if (el.tagName === "SELECT") {
        var option = el.options[el.selectedIndex];
        if (option && !option.defaultSelected) kept.push([el.name, el.value, null]);
      } else if (el.value !== el.defaultValue) {
        kept.push([el.name, el.value, null]);
      }
    });
    return kept;
  }
  function carry(box, kept) {
    kept.forEach(function (item) {
      Array.prototype.forEach.call(box.querySelectorAll("[name]"), function (el) {
        if (el.name !== item[0]) return;
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.value === item[1]) el.checked = item[2];
        } else if (el.tagName !== "SELECT" ||
                   Array.prototype.some.call(el.options, function (o) { return o.value === item[1]; })) {
          el.value = item[1];
        }
      });
    });
  }

  function retypeTo(value) {
    var url = new URL(window.location.href);
    url.hash = "";
    url.searchParams.set("type", value);
    ["page", "parent"].forEach(function (name) {
      var input = form.querySelector("input[type='hidden'][name='" + name + "']");
      if (input) url.searchParams.set(name, input.value);
    });
    var settings = form.querySelector("[data-fb-settings]");
    form.setAttribute("aria-busy", "true");
    fetch(url.toString(), {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      var drawn = new DOMParser().parseFromString(html, "text/html");
      var fresh = drawn.querySelector("[data-fb-settings]");
      var freshPreview = drawn.querySelector("[data-fb-field-preview]");
      if (!fresh || !settings) throw new Error("no settings");
      // The new type's preview at once; refresh() then puts in what was typed.
      if (freshPreview) preview.innerHTML = freshPreview.innerHTML;
      var kept = typed(settings);
      var replacement = document.importNode(fresh, true);
      settings.replaceWith(replacement);
      carry(replacement, kept);
      form.removeAttribute("aria-busy");
      window.history.replaceState(null, "", url.toString());
      refresh();
    }).catch(function () {
      window.location.assign(url.toString());  // the same screen, drawn whole
    });
  }

  if (typeSelect && retype) {
    retype.hidden = true;
    typeSelect.addEventListener("change", function () { retypeTo(typeSelect.value); });
  }
  form.addEventListener("input", later);
  form.addEventListener("change", function (event) {
    if (event.target !== typeSelect) later();
  });
}());
