// Warn before the console signs a champion out for being idle (WCAG 2.2.1), and keep
// half-written replies and notes so a sign-in doesn't lose them.
(function () {
  "use strict";
  var WARN_SECONDS = 5 * 60; // the warning shows this long before the sign-out
  var CHECK_MS = 60 * 1000;
  var DRAFT_PREFIX = "champion-draft:"; // sessionStorage: this tab only, gone when it closes
  var csrfInput = document.querySelector("input[name=csrf_token]");
  var banner = null;
  var countdown = null;
  var deadline = null; // Date.now() at which the session ends, as the server last said
  var checkTimer = null;

  // -- drafts -------------------------------------------------------------------------
  function keepDrafts(id) {
    var box = document.getElementById(id);
    if (!box) return;
    var key = DRAFT_PREFIX + location.pathname + "#" + id;
    try {
      var kept = sessionStorage.getItem(key);
      if (kept && !box.value) box.value = kept;
      box.addEventListener("input", function () {
        if (box.value) sessionStorage.setItem(key, box.value);
        else sessionStorage.removeItem(key);
      });
      // Sent or saved: the draft is done with (a refused form keeps its words on the page).
      if (box.form) box.form.addEventListener("submit", function () { sessionStorage.removeItem(key); });
    } catch (ignored) { /* storage blocked: nothing is kept, nothing breaks */ }
  }
  keepDrafts("reply-text");
  keepDrafts("note-text");

  if (!csrfInput || !window.fetch) return;

  // -- the warning --------------------------------------------------------------------
  function minutesAndSeconds(total) {
    var minutes = Math.floor(total / 60);
    var seconds = total % 60;
    if (minutes >= 1) return minutes + (minutes === 1 ? " minute" : " minutes");
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function showWarning() {
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "idle-warning";
      banner.className = "idle-warning";
      banner.setAttribute("role", "alertdialog");
      banner.setAttribute("aria-labelledby", "idle-warning-text");
      var text = document.createElement("p");
      text.id = "idle-warning-text";
      var stay = document.createElement("button");
      stay.type = "button";
      stay.id = "stay-signed-in";
      stay.textContent = "Stay signed in";
      stay.addEventListener("click", staySignedIn);
      banner.appendChild(text);
      banner.appendChild(stay);
      document.body.insertBefore(banner, document.body.firstChild);
    }
    banner.hidden = false;
    updateText();
    if (!countdown) countdown = setInterval(updateText, 1000);
    // Move focus only if the champion isn't in the middle of typing.
    var active = document.activeElement;
    var typing = active && (active.tagName === "TEXTAREA" || active.tagName === "INPUT");
    if (!typing) banner.querySelector("button").focus();
  }

  function updateText() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var text = banner.querySelector("p");
    if (left <= 0) {
      text.textContent = "You have been signed out because the console was not used for a while. " +
        "Anything you were writing is kept on this page: sign in again to send it.";
      banner.querySelector("button").hidden = true;
      clearInterval(countdown);
      countdown = null;
      var link = document.createElement("a");
      link.href = "/console/login?next=" + encodeURIComponent(location.pathname);
      link.textContent = "Sign in again";
      if (!banner.querySelector("a")) banner.appendChild(link);
      return;
    }
    // Minutes only change once a minute, so screen readers aren't told every second.
    text.textContent = "You will be signed out in " + minutesAndSeconds(left) +
      " because the console has not been used. Do you want to stay signed in?";
  }

  function hideWarning() {
    if (banner) banner.hidden = true;
    if (countdown) { clearInterval(countdown); countdown = null; }
  }

  function schedule(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    if (secondsLeft <= WARN_SECONDS) showWarning();
    else hideWarning();
  }

  function check() {
    fetch("/console/session", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) { schedule(0); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) { if (data) schedule(data.seconds_left); })
      .catch(function () { /* offline for a moment: the next check tries again */ });
  }

  function staySignedIn() {
    var body = new URLSearchParams();
    body.set("csrf_token", csrfInput.value);
    fetch("/console/session/stay", {
      method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { schedule(0); return; }
        schedule(data.seconds_left);
        var status = document.getElementById("idle-status");
        if (status) status.textContent = "You are still signed in.";
      })
      .catch(function () { /* try the button again */ });
  }

  var status = document.createElement("p");
  status.id = "idle-status";
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);
  check();
  checkTimer = setInterval(check, CHECK_MS);
  // Between checks the warning comes on time from the local clock.
  setInterval(function () {
    if (deadline && deadline - Date.now() <= WARN_SECONDS * 1000 && (!banner || banner.hidden)) showWarning();
  }, 5000);
  void checkTimer;
})();
