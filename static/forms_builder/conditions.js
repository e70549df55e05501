/*
 * Live conditions on a resident's page form: show/hide, required marks and
 * computed values, by the same rules and in the same order as the server
 * (forms_builder/runtime.py FormRuntime.evaluate). Also adds and removes rows
 * of repeating groups without a round trip; without this script the
 * "add row" / "remove" buttons post the page and the server does it.
 */
(function () {
  "use strict";
  var configElement = document.getElementById("fb-config");
  var container = document.querySelector("[data-fb-form]");
  if (!configElement || !container || !window.FormRules) return;
  var config = JSON.parse(configElement.textContent);
  var rules = window.FormRules;
  var form = container.closest("form") || container;

  function byName(name) { return form.querySelectorAll('[name="' + name + '"]'); }
  function first(name) { return byName(name)[0] || null; }

  function raw(type, name) {
    switch (type) {
      case "name_pair":
        return {name: valueOf(name + "-name"), kana: valueOf(name + "-kana")};
      case "multichoice":
        return {values: Array.prototype.filter.call(byName(name), function (el) {
          return el.checked;
        }).map(function (el) { return el.value; })};
      case "agreement": case "checkbox": {
        var box = first(name);
        return {checked: !!(box && box.checked)};
      }
      default:
        return {value: valueOf(name)};
    }
  }
  function valueOf(name) {
    var elements = byName(name);
    for (var i = 0; i < elements.length; i++) {
      var el = elements[i];
      if (el.type === "radio") { if (el.checked) return el.value; continue; }
      return el.value;
    }
    return "";
  }

  function fileCount(key, node) {
    var removed = Array.prototype.filter.call(byName(key + "-remove"), function (el) {
      return el.checked;
    }).length;
    var input = first(key);
    var added = input && input.files ? input.files.length : 0;
    return (node.stored || []).length - removed + added;
  }

  function rows(key, node) {
    var result = [];
    var wrapper = document.getElementById("fb-item-" + key);
    if (!wrapper) return result;
    wrapper.querySelectorAll("[data-fb-rows] > [data-fb-row]").forEach(function (row) {
      var index = row.getAttribute("data-fb-row");
      var values = {}, filled = false;
      node.columns.forEach(function (column) {
        var value = rules.ruleValue(column.type, raw(column.type, key + "-" + index + "-" + column.key));
        values[column.key] = value;
        if (value !== null) filled = true;
      });
      if (filled) result.push(values);
    });
    return result;
  }

  function readData() {
    var data = {};
    Object.keys(config.answers).forEach(function (key) { data[key] = config.answers[key]; });
    config.order.forEach(function (key) {
      var node = config.nodes[key];
      if (!node.answer || node.page !== config.page) return;
      if (node.type === "file") data[key] = fileCount(key, node);
      else if (node.type === "repeat") data[key] = rows(key, node);
      else if (node.type === "computed") data[key] = null;
      else data[key] = rules.ruleValue(node.type, raw(node.type, key));
    });
    return data;
  }

  function grouped(n) { return String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",") ; }
  function displayComputed(value, format) {
    if (value === null) return "—";
    if (format === "amount") {
      var sign = value < 0 ? "-" : "";
      return config.japanese ? sign + grouped(value) + "円" : sign + "¥" + grouped(value);
    }
    if (format === "integer") return (value < 0 ? "-" : "") + grouped(value);
    return String(value);
  }

  // The same loop as FormRuntime.evaluate.
  function evaluate(data) {
    var values = {}, visible = {}, required = {};
    config.order.forEach(function (key) { if (config.nodes[key].answer) values[key] = null; });
    config.order.forEach(function (key) {
      var node = config.nodes[key];
      var shown = node.parent ? visible[node.parent] !== false : true;
      if (shown && node.show_if !== undefined) shown = rules.holds(node.show_if, values);
      if (shown && node.hide_if !== undefined) shown = !rules.holds(node.hide_if, values);
      visible[key] = shown;
      if (!node.answer) return;
      if (!shown) values[key] = null;
      else if (node.type === "computed") values[key] = rules.normalizeComputed(rules.evaluate(node.expression, values), node.format, node.rounding);
      else values[key] = data[key] === undefined ? null : data[key];
    });
    config.order.forEach(function (key) {
      var node = config.nodes[key];
      if (!node.answer) return;
      required[key] = !!visible[key] && (node.required === true ||
        (node.required_if !== undefined && rules.holds(node.required_if, values)));
    });
    return {visible: visible, required: required, values: values};
  }

  function markRequired(wrapper, isRequired) {
    wrapper.classList.toggle("fb-is-required", isRequired);
    var label = wrapper.querySelector(":scope > legend, :scope > div > label, :scope > div > legend, :scope > div > fieldset > legend");
    if (label) {
      var mark = label.querySelector(".asteriskField");
      if (isRequired && !mark) {
        mark = document.createElement("span");
        mark.className = "asteriskField";
        mark.textContent = "*";
        label.appendChild(mark);
      } else if (!isRequired && mark) {
        mark.remove();
      }
    }
    wrapper.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.type === "hidden" || el.type === "checkbox" && el.name.slice(-7) === "-remove") return;
      if (el.closest("[data-fb-row]")) return;
      if (isRequired) el.setAttribute("aria-required", "true");
      else el.removeAttribute("aria-required");
    });
  }

  // Cross-field checks (FormRuntime.failed_checks): a message under a
  // shown, answered question whose check does not hold. A message the
  // server already printed there is not repeated.
  function showChecks(wrapper, key, node, result) {
    var box = wrapper.querySelector("[data-fb-check]");
    var failed = [];
    if (result.visible[key] && result.values[key] !== null) {
      node.checks.forEach(function (check) {
        if (!rules.holds(check.rule, result.values)) failed.push(check.message);
      });
    }
    var printed = Array.prototype.map.call(
      wrapper.querySelectorAll(".invalid-feedback:not([data-fb-check])"),
      function (el) { return el.textContent.trim(); });
    failed = failed.filter(function (message) { return printed.indexOf(message) === -1; });
    if (!box) {
      box = document.createElement("div");
      box.className = "invalid-feedback d-block fb-check";
      box.id = "fb-check-" + key;
      box.setAttribute("data-fb-check", "");
      box.setAttribute("aria-live", "polite");
      wrapper.appendChild(box);
    }
    box.textContent = failed.join(" ");
    box.hidden = failed.length === 0;
    var input = first(key) || first(key + "-name") || first(key + "-rows");
    if (input && input.type !== "hidden") {
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== box.id;
      });
      if (failed.length) {
        described.push(box.id);
        input.setAttribute("aria-invalid", "true");
      } else if (!wrapper.querySelector(".invalid-feedback:not([data-fb-check])")) {
        input.removeAttribute("aria-invalid");
      }
      if (described.length) input.setAttribute("aria-describedby", described.join(" "));
      else input.removeAttribute("aria-describedby");
    }
  }

  function apply() {
    var result = evaluate(readData());
    config.order.forEach(function (key) {
      var node = config.nodes[key];
      if (node.page !== config.page || node.type === "page") return;
      var wrapper = document.getElementById("fb-item-" + key);
      if (!wrapper) return;
      wrapper.hidden = !result.visible[key];
      if (node.answer && node.type !== "computed" && node.type !== "repeat") markRequired(wrapper, !!result.required[key]);
      if (node.type === "computed") {
        var output = wrapper.querySelector("[data-fb-output]");
        if (output) output.textContent = displayComputed(result.values[key], node.format);
      }
      if (node.checks) showChecks(wrapper, key, node, result);
    });
    // The questions the resident can see now: the server reports none of
    // the others as missing (without this script, the list stays the one
    // the page was drawn with, and a question an answer reveals is shown).
    var shownInput = first("_fb_shown");
    if (shownInput) {
      shownInput.value = config.order.filter(function (key) {
        var node = config.nodes[key];
        return node.page === config.page && node.answer && node.type !== "computed" && result.visible[key];
      }).join(" ");
    }
    // A hidden question is not sent: the server drops it anyway, and a
    // disabled input cannot block the page.
    container.querySelectorAll("input, select, textarea, button").forEach(function (el) {
      if (el.closest("template")) return;
      el.disabled = !!el.closest("[data-fb-key][hidden]") || el.hasAttribute("data-fb-off");
    });
    container.setAttribute("data-fb-ready", "true");
  }

  /* --- repeating groups -------------------------------------------------- */

  function renumber(wrapper, key) {
    var rowsBox = wrapper.querySelector("[data-fb-rows]");
    var rowElements = rowsBox.querySelectorAll(":scope > [data-fb-row]");
    rowElements.forEach(function (row, index) {
      var old = row.getAttribute("data-fb-row");
      if (String(index) === old) return;
      var from = key + "-" + old + "-", to = key + "-" + index + "-";
      row.setAttribute("data-fb-row", String(index));
      row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && value.indexOf(from) !== -1) el.setAttribute(attr, value.split(from).join(to));
        });
      });
      var title = row.querySelector(".fb-row-title");
      if (title) title.textContent = title.textContent.replace(/^\d+/, String(index + 1));
      var remove = row.querySelector("[data-fb-remove]");
      if (remove) remove.value = "remove:" + key + ":" + index;
    });
    var count = rowElements.length;
    var counter = first(key + "-rows");
    if (counter) counter.value = String(count);
    var max = parseInt(wrapper.getAttribute("data-fb-max-rows"), 10);
    var min = Math.max(parseInt(wrapper.getAttribute("data-fb-min-rows"), 10) || 0, 1);
    var add = wrapper.querySelector("[data-fb-add]");
    if (add) {
      if (count >= max) add.setAttribute("data-fb-off", ""); else add.removeAttribute("data-fb-off");
    }
    rowsBox.querySelectorAll("[data-fb-remove]").forEach(function (button) {
      if (count <= min) button.setAttribute("data-fb-off", ""); else button.removeAttribute("data-fb-off");
    });
  }

  container.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fb-add], [data-fb-remove]");
    if (!button) return;
    var wrapper = button.closest("[data-fb-repeat]");
    if (!wrapper) return;
    event.preventDefault();
    var key = wrapper.getAttribute("data-fb-repeat");
    var rowsBox = wrapper.querySelector("[data-fb-rows]");
    if (button.hasAttribute("data-fb-add")) {
      var index = rowsBox.querySelectorAll(":scope > [data-fb-row]").length;
      var html = wrapper.querySelector("[data-fb-template]").innerHTML
        .split("__index__").join(String(index))
        .split("__number__").join(String(index + 1));
      rowsBox.insertAdjacentHTML("beforeend", html);
      var added = rowsBox.lastElementChild;
      renumber(wrapper, key);
      apply();
      var firstInput = added && added.querySelector("input, select, textarea");
      if (firstInput) firstInput.focus();
    } else {
      var row = button.closest("[data-fb-row]");
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(wrapper, key);
      apply();
      var focusTarget = next ? next.querySelector("input, select, textarea") : wrapper.querySelector("[data-fb-add]");
      if (focusTarget) focusTarget.focus();
    }
  });

  container.querySelectorAll("[data-fb-repeat]").forEach(function (wrapper) {
    renumber(wrapper, wrapper.getAttribute("data-fb-repeat"));
  });
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  apply();

  // For tests and for the builder's preview: the live state of the page.
  window.FormConditions = {evaluate: function () { return evaluate(readData()); }, apply: apply};
}());
