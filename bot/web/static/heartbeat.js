// While a console page is open it tells the server so every ~45 seconds. A parent is
// told a Parent Champion is online only if one is available with a page open (a beat
// in the last 2 minutes), so closing the laptop stops the promise on its own.
(function () {
  "use strict";
  var form = document.getElementById("presence");
  if (!form || !window.fetch) { return; }
  var EVERY_MS = 45000;
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var timer = null;

  function beat() {
    var body = new URLSearchParams();
    body.set("csrf_token", csrf);
    fetch(form.dataset.heartbeat, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      // Signed out (or the session expired): stop; the next page load starts again.
      if (response.status === 401 || response.status === 403) { clearInterval(timer); }
    }).catch(function () { /* offline for a moment: the next beat tries again */ });
  }

  beat();
  timer = setInterval(beat, EVERY_MS);
})();
