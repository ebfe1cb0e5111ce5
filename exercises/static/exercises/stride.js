/* Stride's progressive enhancements. Every page works without this file: it adds math
   rendering, the code editor, keyboard moves in the matrix grid, pasting whole matrices, and
   arrow-key moves in the convolution step-through. Its words come from the JavaScript catalogue
   (/jsi18n/, loaded by every page before this script). */
(function () {
  "use strict";

  function renderMath(root) {
    if (!window.renderMathInElement) return;
    window.renderMathInElement(root, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
      ],
      throwOnError: false,
      ignoredClasses: ["code-view", "CodeMirror"],
    });
  }

  /* --- code editor ------------------------------------------------------------------------ */
  function setUpEditors(root) {
    if (!window.CodeMirror) return;
    root.querySelectorAll("textarea[data-editor]").forEach(function (area) {
      if (area.dataset.enhanced) return;
      area.dataset.enhanced = "1";
      var editor = window.CodeMirror.fromTextArea(area, {
        mode: "python",
        lineNumbers: true,
        indentUnit: 4,
        tabSize: 4,
        matchBrackets: true,
        viewportMargin: Infinity,
        extraKeys: {
          Tab: function (cm) {
            if (cm.somethingSelected()) cm.indentSelection("add");
            else cm.replaceSelection("    ", "end");
          },
          "Shift-Tab": function (cm) { cm.indentSelection("subtract"); },
          // Esc leaves the editor (no keyboard trap): focus the form's submit button.
          Esc: function (cm) {
            var form = area.form;
            cm.getInputField().blur();
            var button = form && form.querySelector("button[type=submit]");
            if (button) button.focus();
          },
          "Ctrl-Enter": function (cm) { cm.save(); area.form.requestSubmit(); },
          "Cmd-Enter": function (cm) { cm.save(); area.form.requestSubmit(); },
        },
      });
      editor.getInputField().setAttribute("aria-label", gettext("Your code (Python)"));
      editor.getInputField().setAttribute("aria-describedby", area.dataset.help || "answer-help");
      editor.on("change", function () { editor.save(); });
      area.form.addEventListener("submit", function () { editor.save(); });
    });
  }

  /* --- matrix grid ------------------------------------------------------------------------ */
  function cellAt(grid, row, col) {
    return grid.querySelector('input[data-row="' + row + '"][data-col="' + col + '"]');
  }

  function parseRows(text) {
    return text.trim().split(/\r?\n/).map(function (line) {
      return line.trim().split(/[\s,;]+/).filter(Boolean);
    }).filter(function (row) { return row.length; });
  }

  function setUpGrids(root) {
    root.querySelectorAll("[data-grid]").forEach(function (grid) {
      if (grid.dataset.enhanced) return;
      grid.dataset.enhanced = "1";
      grid.addEventListener("keydown", function (event) {
        var input = event.target;
        if (!input.matches("input[data-row]")) return;
        var row = +input.dataset.row, col = +input.dataset.col, next = null;
        var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
        var atEnd = input.selectionStart === input.value.length;
        switch (event.key) {
          case "ArrowUp": next = cellAt(grid, row - 1, col); break;
          case "ArrowDown": next = cellAt(grid, row + 1, col); break;
          case "ArrowLeft": if (atStart || input.value === "") next = cellAt(grid, row, col - 1); break;
          case "ArrowRight": if (atEnd) next = cellAt(grid, row, col + 1); break;
          case "Enter":
            if (event.ctrlKey || event.metaKey) return;  // let the form submit
            next = cellAt(grid, row, col + 1) || cellAt(grid, row + 1, 0);
            if (!next) return;  // last cell: Enter submits the form
            break;
          default: return;
        }
        if (next) {
          event.preventDefault();
          next.focus();
          next.select();
        }
      });
      grid.addEventListener("paste", function (event) {
        var input = event.target;
        if (!input.matches("input[data-row]")) return;
        var text = (event.clipboardData || window.clipboardData).getData("text");
        var rows = parseRows(text);
        if (rows.length <= 1 && (!rows[0] || rows[0].length <= 1)) return;  // one number: normal paste
        event.preventDefault();
        var r0 = +input.dataset.row, c0 = +input.dataset.col, filled = 0;
        rows.forEach(function (values, i) {
          values.forEach(function (value, j) {
            var target = cellAt(grid, r0 + i, c0 + j);
            if (target) { target.value = value; filled += 1; }
          });
        });
        var note = grid.closest("form").querySelector("[data-paste-note]");
        if (!note) {
          note = document.createElement("p");
          note.className = "hint";
          note.setAttribute("data-paste-note", "");
          note.setAttribute("role", "status");
          grid.after(note);
        }
        note.textContent = interpolate(
          ngettext("Pasted %s number.", "Pasted %s numbers.", filled), [filled]
        );
      });
    });
  }

  /* --- "it does not fit" -------------------------------------------------------------------- */
  /* A size typed and the box ticked are two answers: using one disables the other (the server
     refuses both together as well, for a page without this script). */
  function setUpDoesNotFit(root) {
    root.querySelectorAll("input[type=checkbox][name$=does_not_fit]").forEach(function (box) {
      if (box.dataset.enhanced) return;
      box.dataset.enhanced = "1";
      var number = box.form && box.form.querySelector('input[name="' + box.name.replace(/does_not_fit$/, "answer") + '"]');
      if (!number) return;
      function sync() {
        number.disabled = box.checked;
        box.disabled = !box.checked && number.value.trim() !== "";
      }
      box.addEventListener("change", sync);
      number.addEventListener("input", sync);
      sync();
    });
  }

  /* --- convolution step-through ----------------------------------------------------------- */
  function setUpStepThrough() {
    document.addEventListener("keydown", function (event) {
      var link = event.target;
      if (!link.matches || !link.matches(".st-output a[data-row]")) return;
      var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      var move = moves[event.key];
      if (!move) return;
      var table = link.closest(".st-output");
      var target = table.querySelector(
        'a[data-row="' + (+link.dataset.row + move[0]) + '"][data-col="' + (+link.dataset.col + move[1]) + '"]'
      );
      if (target) {
        event.preventDefault();
        target.focus();
        target.click();
      }
    });
  }

  /* --- grading status -------------------------------------------------------------------- */
  /* The status box (a problem's, and a quiz question's that withholds its verdict) asks once
     and the server answers when the grade lands (?wait=N). When that request fails (network,
     a restarted server) nothing is swapped, so nothing would ask again: ask again after a
     pause, as the old 700 ms polling did. */
  document.addEventListener("htmx:afterRequest", function (event) {
    var box = event.detail.elt;
    if (event.detail.successful || !box.matches || !box.matches("[data-grade-wait]")) return;
    window.setTimeout(function () {
      if (document.body.contains(box) && window.htmx) window.htmx.trigger(box, "stride:retry");
    }, 700);
  });

  /* --- the newer read wins ---------------------------------------------------------------- */
  /* The problem page's progress line and history come from several requests: the refresh a
     submit asks for, the graded status box (which carries the history as of its grade) and
     the refresh a grade asks for. Their answers can arrive in another order than the reads
     were made: a refresh that read the attempt still queued may come back after the grade is
     on screen. Each piece says which read it is (data-as-of, "<newest attempt's id>:<how many
     are finished>", never lower for a later read); a piece older than the newest the page
     holds is not swapped in, nor is anything else of the answer that carries it. */
  function asOf(el) {
    var value = el && el.getAttribute && el.getAttribute("data-as-of");
    if (!value) return null;
    var parts = value.split(":");
    return [+parts[0], +parts[1]];
  }

  function olderThanThePage(incoming) {
    if (!incoming) return false;
    var older = false;
    document.querySelectorAll("[data-as-of]").forEach(function (el) {
      var held = asOf(el);
      if (held && (incoming[0] < held[0] || (incoming[0] === held[0] && incoming[1] < held[1]))) {
        older = true;
      }
    });
    return older;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.hasAttribute || !target.hasAttribute("data-as-of")) return;
    var parsed = document.createElement("template");
    parsed.innerHTML = event.detail.serverResponse || "";
    if (olderThanThePage(asOf(parsed.content.querySelector("[data-as-of]")))) {
      event.detail.shouldSwap = false;
    }
  });
  // htmx 2 fires this on the target still in the page, with the new element in ``fragment``.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var fragment = event.detail.fragment;
    var incoming = fragment && (fragment.matches ? fragment : fragment.firstElementChild);
    if (olderThanThePage(asOf(incoming))) event.detail.shouldSwap = false;
  });

  var focusCell = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var el = document.activeElement;
    focusCell = el && el.closest && el.closest("#stepthrough") ? (el.dataset.nav || "selected") : null;
  });

  function enhance(root) {
    renderMath(root);
    setUpEditors(root);
    setUpGrids(root);
    setUpDoesNotFit(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document.body);
    setUpStepThrough();
  });
  // Out-of-band swaps (the hints and history beside the progress line) get math too.
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (event.detail.target) renderMath(event.detail.target);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target || event.detail.elt;
    enhance(document.body.contains(target) ? target : document.body);
    var section = document.getElementById("stepthrough");
    if (focusCell && section) {
      var el = section.querySelector('[data-nav="' + focusCell + '"]') || section.querySelector("a[data-selected]");
      if (el) el.focus();
      focusCell = null;
    }
  });
})();
