/*
 * The route editor's rows in the page: levels, 専決 rules, band rows, 合議
 * and their condition rows are added (from the page's <template> elements),
 * moved and removed here, and renumbered as the server numbers them
 * (workflow/route_editor.py reads level-0-…, level-1-… up to levels-count),
 * so that the one 「保存する」 sends what the buttons would have built
 * through the server. Without this script every button posts the page.
 * Switching a rule to JSON Logic and back still goes through the server.
 */
(function () {
  "use strict";
  var form = document.querySelector("form.workflow-route-editor");
  var said = document.getElementById("route-editor-said");
  if (!form || !said || !("content" in document.createElement("template"))) return;
  var unsaved = document.querySelector("[data-unsaved]");
  // Attributes that carry a row's number (names, ids, labels, ARIA, actions).
  var NUMBERED = ["name", "id", "for", "aria-describedby", "aria-controls", "value",
                  "data-rows", "data-count", "data-parent", "data-empty-for"];

  function escape(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function ownRows(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.hasAttribute("data-row");
    });
  }
  function own(row, selector) {
    return Array.prototype.filter.call(row.querySelectorAll(selector), function (el) {
      return el.closest("[data-row]") === row;
    });
  }

  // level-3-position → level-1-position, consult-2-cond-0-… → consult-1-…,
  // and the buttons' actions (level-up-3, band-row-remove-2) alike.
  function number(row, base, index) {
    var pattern = new RegExp("(^|\\s|f-)(" + escape(base) +
      "-(?:up-|down-|remove-|row-remove-)?)\\d+(?=$|\\s|-)", "g");
    var elements = [row].concat(Array.prototype.slice.call(row.querySelectorAll("*")));
    elements.forEach(function (el) {
      NUMBERED.forEach(function (attribute) {
        // A value typed or chosen is not a number to change; an action is.
        if (attribute === "value" && !(el.tagName === "BUTTON" && el.name === "action")) return;
        var old = el.getAttribute(attribute);
        if (old === null) return;
        var fresh = old.replace(pattern, function (_m, lead, head) { return lead + head + index; });
        if (fresh !== old) el.setAttribute(attribute, fresh);
      });
    });
  }

  function renumber(list) {
    var base = list.getAttribute("data-rows");
    var rows = ownRows(list);
    rows.forEach(function (row, i) {
      number(row, base, i);
      own(row, "[data-n]").forEach(function (span) { span.textContent = String(i + 1); });
      own(row, "[data-row-action='up']").forEach(function (b) { b.hidden = i === 0; });
      own(row, "[data-row-action='down']").forEach(function (b) { b.hidden = i === rows.length - 1; });
    });
    var count = form.querySelector("[name='" + list.getAttribute("data-count") + "']");
    if (count) count.value = String(rows.length);
    var empty = form.querySelector("[data-empty-for='" + list.id + "']");
    if (empty) empty.hidden = rows.length > 0;
  }

  function fromTemplate(id, index, parent) {
    var html = document.getElementById(id).innerHTML
      .split("__i__").join(String(index)).split("__p__").join(parent || "");
    var holder = document.createElement("div");
    holder.innerHTML = html;
    return holder.firstElementChild;
  }

  function firstControl(element) {
    return element && element.querySelector("select, input:not([type='hidden']), textarea");
  }

  function changed(what) {
    if (unsaved) unsaved.hidden = false;
    said.textContent = said.getAttribute("data-said-" + what) || "";
  }

  function add(list) {
    var row = fromTemplate(list.getAttribute("data-template"), ownRows(list).length,
                           list.getAttribute("data-parent"));
    list.appendChild(row);
    renumber(list);
    Array.prototype.forEach.call(row.querySelectorAll("[data-rows]"), renumber);
    changed("add");
    (firstControl(row) || row).focus();
  }

  function act(button, verb) {
    var row = button.closest("[data-row]");
    var list = row.parentElement;
    var rows = ownRows(list);
    var index = rows.indexOf(row);
    if (verb === "remove") {
      var next = rows[index + 1] || rows[index - 1];
      row.remove();
      renumber(list);
      changed("remove");
      var after = firstControl(next) ||
        form.querySelector("[data-row-add][aria-controls='" + list.id + "']");
      if (after) after.focus();
      return;
    }
    var other = rows[verb === "up" ? index - 1 : index + 1];
    if (!other) return;
    list.insertBefore(row, verb === "up" ? other : other.nextSibling);
    renumber(list);
    changed(verb);
    // Keep the keyboard on the row moved: its button, or the other one at an end.
    var same = own(row, "[data-row-action='" + verb + "']")[0];
    var opposite = own(row, "[data-row-action='" + (verb === "up" ? "down" : "up") + "']")[0];
    ((same && !same.hidden) ? same : (opposite || firstControl(row))).focus();
  }

  function band(button, adding) {
    var addButton = form.querySelector("[data-band-add]");
    if (adding) {
      var block = fromTemplate("route-tpl-band", 0, "");
      addButton.parentNode.insertBefore(block, addButton);
      addButton.hidden = true;
      Array.prototype.forEach.call(block.querySelectorAll("[data-rows]"), renumber);
      changed("add");
      firstControl(block).focus();
    } else {
      button.closest("[data-band]").remove();
      addButton.hidden = false;
      changed("remove");
      addButton.focus();
    }
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !form.contains(button)) return;
    if (button.hasAttribute("data-row-add")) {
      var list = document.getElementById(button.getAttribute("aria-controls"));
      if (!list) return;
      event.preventDefault();
      add(list);
    } else if (button.hasAttribute("data-row-action")) {
      event.preventDefault();
      act(button, button.getAttribute("data-row-action"));
    } else if (button.hasAttribute("data-band-add") || button.hasAttribute("data-band-remove")) {
      event.preventDefault();
      band(button, button.hasAttribute("data-band-add"));
    }
  });
}());
