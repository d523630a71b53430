// Crisis alerts on every console page: a banner, the chime and (when allowed) a
// system notification, the moment a crisis is read, before its ticket is saved.
(function () {
  "use strict";
  var box = document.getElementById("crisis-alert");
  var WHERE = { web: "the web chat", telegram: "Telegram", whatsapp: "WhatsApp" };

  function chime() {
    // A short two-tone chime; browsers only allow sound after the page was used.
    try {
      var AudioContext = window.AudioContext || window.webkitAudioContext;
      var context = new AudioContext();
      [660, 880].forEach(function (pitch, index) {
        var tone = context.createOscillator();
        var volume = context.createGain();
        tone.frequency.value = pitch;
        volume.gain.value = 0.08;
        tone.connect(volume).connect(context.destination);
        tone.start(context.currentTime + index * 0.18);
        tone.stop(context.currentTime + index * 0.18 + 0.15);
      });
    } catch (ignored) { /* no sound available: the banner still shows */ }
  }
  window.championChime = chime;

  function show(data) {
    var where = WHERE[data.channel] || "a channel";
    box.textContent = "";
    var text = document.createElement("strong");
    text.textContent = "Crisis: a parent on " + where + " needs urgent help now. ";
    var link = document.createElement("a");
    link.href = "/console";
    link.textContent = "Open the queue";
    box.append(text, link);
    box.hidden = false;
    chime();
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification("Champion: crisis", { body: "A parent on " + where + " needs urgent help now." }); }
      catch (ignored) { /* some browsers only notify from a service worker */ }
    }
  }

  if (box && window.EventSource) {
    var source = new EventSource(box.dataset.alerts);
    source.addEventListener("alert", function (event) {
      try { show(JSON.parse(event.data)); } catch (ignored) { show({}); }
    });
    if (window.Notification && Notification.permission === "default") {
      // Ask once the champion has used the page (browsers ignore asks without a gesture).
      document.addEventListener("click", function ask() {
        document.removeEventListener("click", ask);
        Notification.requestPermission();
      });
    }
  }
})();
