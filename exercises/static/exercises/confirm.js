// Ask before an action that cannot be undone (close a quiz for everyone, hand a quiz in, rotate
// a join code, disable joining). A submit button, or its form, with data-confirm="what will
// happen" opens a modal <dialog> saying so, with two buttons: Cancel (focused first, and what
// Esc does) and data-confirm-button (the action's name). Only the action's button sends the
// form, as the pressed button would have (its name=value included). Vendored nowhere, loaded
// from this site; without JavaScript the form submits directly, as before. Its words come from
// the JavaScript catalogue (/jsi18n/, loaded by every page before this script).
(function () {
  "use strict";
  var dialog = null;
  var pending = null;  // {form, submitter} waiting for the answer

  function build() {
    dialog = document.createElement("dialog");
    dialog.id = "confirm-dialog";
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-title");
    dialog.setAttribute("aria-describedby", "confirm-message");
    dialog.innerHTML =
      '<h2 id="confirm-title"></h2><p id="confirm-message"></p>' +
      '<form method="dialog" class="confirm-actions">' +
      '<button type="submit" value="cancel" id="confirm-cancel" class="secondary"></button> ' +
      '<button type="submit" value="confirm" id="confirm-ok" class="danger"></button></form>';
    dialog.querySelector("#confirm-cancel").textContent = gettext("Cancel");
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var chosen = pending;
      pending = null;
      if (!chosen || dialog.returnValue !== "confirm") return;
      chosen.form.dataset.confirmed = "1";
      if (chosen.submitter) chosen.form.requestSubmit(chosen.submitter);
      else chosen.form.requestSubmit();
    });
  }

  function ask(source, form, submitter) {
    if (!dialog) build();
    var action = source.getAttribute("data-confirm-button") || gettext("Confirm");
    dialog.querySelector("#confirm-title").textContent = action + "?";
    dialog.querySelector("#confirm-message").textContent = source.getAttribute("data-confirm");
    dialog.querySelector("#confirm-ok").textContent = action;
    dialog.returnValue = "";
    pending = { form: form, submitter: submitter };
    dialog.showModal();
    dialog.querySelector("#confirm-cancel").focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirmed === "1") { delete form.dataset.confirmed; return; }
    var submitter = event.submitter || null;
    var source = submitter && submitter.hasAttribute("data-confirm") ? submitter
      : form.hasAttribute("data-confirm") ? form : null;
    if (!source) return;
    event.preventDefault();
    ask(source, form, submitter);
  });
})();
