// The decision form shows "差し戻す先", "合議先" and "申請者へのメッセージ" only
// when a decision that uses them is chosen (GOV.UK conditional reveal).
// Without JavaScript every field shows.
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector('input[name="decision"]:checked');
    var value = checked ? checked.value : "";
    // 起案: approving below the final level with a drafted outcome shows that
    // outcome's decision form too.
    var drafted = form.querySelector('select[name="draft_outcome"]');
    var values = [value];
    if (drafted && value === "approve" && drafted.value) {
      values.push("draft:" + drafted.value);
    }
    form.querySelectorAll("[data-show-for]").forEach(function (block) {
      // A space-separated list: the message to the applicant shows for every
      // decision that reaches the applicant.
      var shownFor = block.getAttribute("data-show-for").split(" ");
      var shown = values.some(function (v) { return shownFor.indexOf(v) !== -1; });
      // A field the server refused stays in view, with its message.
      block.hidden = !shown && !block.querySelector(".text-danger, .invalid-feedback");
    });
  }

  // 「この行を削除」 of a decision form's repeating group, in place: the rows
  // after it move up (their inputs renamed, as the server would shift them),
  // the row counter follows, and nothing else the caseworker typed is lost.
  // Without JavaScript the button posts the form and the page comes back
  // with the row removed.
  function renumber(group) {
    var base = group.getAttribute("data-rows");
    var rows = group.querySelectorAll(":scope > [data-row]");
    rows.forEach(function (row, index) {
      var old = row.getAttribute("data-row");
      if (String(index) !== old) {
        var from = base + "-" + old + "-", to = base + "-" + index + "-";
        row.setAttribute("data-row", String(index));
        row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
          ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value && value.indexOf(from) !== -1) {
              el.setAttribute(attr, value.split(from).join(to));
            }
          });
        });
        var title = row.querySelector(".workflow-row-title");
        if (title) {
          title.textContent = title.textContent.replace(/^\d+/, String(index + 1));
        }
      }
      var remove = row.querySelector("[data-remove-row]");
      if (remove) {
        remove.value = remove.value.replace(/:\d+$/, ":" + index);
      }
    });
    var count = rows.length;
    var counter = group.querySelector('input[name="' + base + '-rows"]');
    if (counter) {
      counter.value = String(count);
    }
    var min = Math.max(parseInt(group.getAttribute("data-min-rows"), 10) || 0, 1);
    var max = parseInt(group.getAttribute("data-max-rows"), 10);
    group.querySelectorAll("[data-remove-row]").forEach(function (button) {
      button.hidden = count <= min;
    });
    var add = group.querySelector("[data-add-row]");
    if (add) {
      add.disabled = count >= max;
    }
  }

  function removeRow(button) {
    var row = button.closest("[data-row]");
    var group = row && row.closest("[data-rows]");
    if (!group) {
      return;
    }
    var next = row.nextElementSibling && row.nextElementSibling.matches("[data-row]")
      ? row.nextElementSibling : row.previousElementSibling;
    row.remove();
    renumber(group);
    var target = next && next.matches("[data-row]")
      ? next.querySelector("input, select, textarea") : group.querySelector("[data-add-row]");
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('.workflow-action form').forEach(function (form) {
      form.addEventListener("click", function (event) {
        var button = event.target.closest("[data-remove-row]");
        if (button) {
          event.preventDefault();
          removeRow(button);
        }
      });
      if (!form.querySelector("[data-show-for]")) {
        return;
      }
      form.addEventListener("change", function () { update(form); });
      update(form);
    });
  });
})();
