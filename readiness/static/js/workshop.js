/* Workshop page: save each answer as it is given, warn before leaving with unsaved changes,
   and carry on when the form token expired. Each save carries the version of the answers the
   page holds; when another person saved first (409), nothing is overwritten: the page says so
   in its alert and stops saving by itself, so that Save shows theirs and yours to compare. Progressive enhancement only: without this file
   every Save button still saves everything on the page. No inline script (CSP). */
(function () {
  "use strict";

  function start(form) {
    var statusBox = document.getElementById(form.getAttribute("data-status"));
    var alertBox = document.getElementById(form.getAttribute("data-alert"));
    var versionField = form.querySelector("input[name='workshop_version']");
    // another person saved first: no more saves by script, only by a Save button (a page that
    // shows theirs and yours to compare starts so: replacing theirs is a choice, not a side effect)
    var conflicted = form.hasAttribute("data-autosave-paused");
    var text = function (name) { return form.getAttribute("data-text-" + name) || ""; };
    var dirty = false;     // a change not yet stored
    var busy = false;      // a save in flight
    var again = false;     // a change came in while saving: save once more after
    var submitting = false;
    var held = null;       // a Save pressed while a save was in flight: sent once it is back

    function say(message) {
      if (!statusBox) { return; }
      statusBox.hidden = false;
      statusBox.textContent = message;
    }

    function warn(message) {
      if (statusBox) { statusBox.hidden = true; }
      if (!alertBox) { say(message); return; }
      alertBox.hidden = false;
      alertBox.textContent = message;
    }

    function showSpreads(spreads) {
      form.querySelectorAll("[data-spread]").forEach(function (box) {
        var found = spreads[box.getAttribute("data-spread")];
        box.textContent = found ? found.text + (found.hard ? " " + text("hard") : "") : "";
      });
    }

    function post() {
      return fetch(form.getAttribute("data-autosave-url"), {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: {"Accept": "application/json"}
      });
    }

    function json(response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("not saved"); }
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    }

    function freshToken() {
      return fetch(form.getAttribute("data-token-url"), {credentials: "same-origin",
                                                         headers: {"Accept": "application/json"}})
        .then(json).then(function (reply) {
          if (reply.status !== 200 || !reply.body.csrf_token) { throw new Error("no token"); }
          form.querySelector("input[name='csrf_token']").value = reply.body.csrf_token;
        });
    }

    function save() {
      if (conflicted) { return; }
      if (busy) { again = true; return; }
      busy = true;
      again = false;
      dirty = false;
      say(text("saving"));
      post().then(json).then(function (reply) {
        if (reply.status === 400 && reply.body.expired) {
          return freshToken().then(post).then(json);  // the token expired: once more
        }
        return reply;
      }).then(function (reply) {
        if (reply.status === 409 && reply.body.conflict) {
          conflicted = true;
          dirty = true;  // not saved: leaving still asks
          warn(reply.body.message + (reply.body.changed && reply.body.changed.length ?
                                     " (" + reply.body.changed.join("; ") + ")" : ""));
          return;
        }
        if (reply.status !== 200 || !reply.body.saved) { throw new Error("not saved"); }
        if (versionField && reply.body.version) { versionField.value = reply.body.version; }
        showSpreads(reply.body.spreads || {});
        if (reply.body.left_out) {
          dirty = true;  // what is not valid is not saved: leaving still asks
          say(text("invalid"));
        } else if (!dirty && !again) {
          say(text("saved"));
        }
      }).catch(function () {
        dirty = true;
        say(text("failed"));
      }).then(function () {
        busy = false;
        if (held) {
          // the page's own save is back with the version it made: Save now carries it (sent
          // before, it carried the version before this page's own save and was refused as
          // another person's change)
          var button = held.button;
          held = null;
          submitting = true;
          form.requestSubmit(button);
        } else if (again && !conflicted) { save(); }
      });
    }

    form.addEventListener("change", function () {
      dirty = true;
      save();
    });
    form.addEventListener("input", function (event) {
      if (event.target && event.target.tagName === "TEXTAREA") { dirty = true; }
    });
    form.addEventListener("submit", function (event) {
      if (busy && form.requestSubmit) {
        event.preventDefault();
        held = {button: event.submitter || null};
        return;
      }
      submitting = true;
    });

    window.addEventListener("beforeunload", function (event) {
      if ((dirty || busy) && !submitting) {
        event.preventDefault();
        event.returnValue = text("leave");
        return text("leave");
      }
      return undefined;
    });
    document.querySelectorAll("a[data-leave-warning]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if ((dirty || busy) && !window.confirm(text("leave"))) {
          event.preventDefault();
        } else {
          dirty = false;
          busy = false;  // the user chose to leave: no second warning from beforeunload
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("workshop-form");
    if (form && window.fetch && window.FormData) { start(form); }
  });
})();
