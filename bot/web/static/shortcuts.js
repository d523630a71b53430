// Keyboard shortcuts for the console, so a champion can work the queue without a mouse.
// Every shortcut is also an ordinary control on the page; this only saves reaching for
// it. Letters are ignored while typing in a box, so replies are never hijacked.
(function () {
  "use strict";
  var ORDER_KEY = "champion-queue-order"; // ticket ids, in the queue's order, this tab only

  var SHORTCUTS = [
    ["j", "Next ticket"],
    ["k", "Previous ticket"],
    ["c", "Claim this ticket"],
    ["r", "Write a reply"],
    ["n", "Write a note"],
    ["/", "Choose a canned reply"],
    ["Ctrl+Enter", "Send the reply"],
    ["?", "Show these shortcuts"],
    ["Esc", "Close this list"]
  ];

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    if (tag === "input") {
      // A tick box or a button is not typing; a text, e-mail or date box is.
      return ["checkbox", "radio", "button", "submit", "reset"].indexOf(target.type) < 0;
    }
    return tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function queueLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-ticket] td a[href^='/console/tickets/']"));
  }

  function rememberQueueOrder() {
    var links = queueLinks();
    if (!links.length) return;
    var ids = links.map(function (link) { return link.closest("tr").getAttribute("data-ticket"); });
    try { sessionStorage.setItem(ORDER_KEY, JSON.stringify(ids)); } catch (ignored) { /* private mode */ }
  }

  function currentTicket() {
    var match = /^\/console\/tickets\/(\d+)/.exec(location.pathname);
    return match ? match[1] : null;
  }

  function move(step) {
    var links = queueLinks();
    if (links.length) {
      // On the queue: move focus down or up the rows; Enter opens the ticket.
      var at = links.indexOf(document.activeElement);
      var next = at < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
      links[next].focus();
      return;
    }
    var here = currentTicket();
    var order = [];
    try { order = JSON.parse(sessionStorage.getItem(ORDER_KEY) || "[]"); } catch (ignored) { order = []; }
    var index = order.indexOf(here);
    var target = index < 0 ? null : order[index + step];
    if (target) location.href = "/console/tickets/" + target;
    else announce(step > 0 ? "This is the last ticket in the queue." : "This is the first ticket in the queue.");
  }

  function announce(text) {
    var status = document.getElementById("shortcut-status");
    if (!status) {
      status = document.createElement("p");
      status.id = "shortcut-status";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = text;
  }

  function focusBox(id) {
    var box = document.getElementById(id);
    if (!box) return false;
    box.scrollIntoView({ block: "center" });
    box.focus();
    return true;
  }

  function claim() {
    var button = document.getElementById("claim");
    if (!button) {
      // On the queue: the claim button of the focused row.
      var row = document.activeElement && document.activeElement.closest && document.activeElement.closest("tr[data-ticket]");
      button = row ? row.querySelector(".claim-form button") : null;
    }
    if (button) button.click();
    else announce("There is nothing to claim here.");
  }

  function buildDialog(id, title) {
    var dialog = document.createElement("dialog");
    dialog.id = id;
    dialog.className = "shortcut-dialog";
    dialog.setAttribute("aria-labelledby", id + "-title");
    var heading = document.createElement("h2");
    heading.id = id + "-title";
    heading.textContent = title;
    dialog.appendChild(heading);
    document.body.appendChild(dialog);
    return dialog;
  }

  function closeButton(dialog) {
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", function () { dialog.close(); });
    return close;
  }

  function showShortcuts() {
    var dialog = document.getElementById("shortcut-list");
    if (!dialog) {
      dialog = buildDialog("shortcut-list", "Keyboard shortcuts");
      var list = document.createElement("dl");
      SHORTCUTS.forEach(function (pair) {
        var key = document.createElement("dt");
        var kbd = document.createElement("kbd");
        kbd.textContent = pair[0];
        key.appendChild(kbd);
        var what = document.createElement("dd");
        what.textContent = pair[1];
        list.appendChild(key);
        list.appendChild(what);
      });
      dialog.appendChild(list);
      dialog.appendChild(closeButton(dialog));
    }
    if (!dialog.open) dialog.showModal();
  }

  function cannedPicker() {
    var select = document.getElementById("canned");
    var reply = document.getElementById("reply-text");
    if (!select || !reply) {
      announce("Canned replies are on a ticket you hold.");
      return;
    }
    var dialog = document.getElementById("canned-picker");
    if (!dialog) {
      dialog = buildDialog("canned-picker", "Choose a canned reply");
      var label = document.createElement("label");
      label.setAttribute("for", "canned-search");
      label.textContent = "Search canned replies";
      var search = document.createElement("input");
      search.type = "search";
      search.id = "canned-search";
      search.autocomplete = "off";
      var list = document.createElement("ul");
      list.id = "canned-options";
      list.className = "canned-options";
      dialog.appendChild(label);
      dialog.appendChild(search);
      dialog.appendChild(list);
      dialog.appendChild(closeButton(dialog));

      var choose = function (option) {
        reply.value = option.getAttribute("data-text");
        dialog.close();
        reply.focus();
      };
      var render = function () {
        var words = search.value.trim().toLowerCase();
        list.textContent = "";
        Array.prototype.forEach.call(select.options, function (option) {
          if (!option.value) return;
          var text = option.getAttribute("data-text") || "";
          if (words && (option.textContent + " " + text).toLowerCase().indexOf(words) < 0) return;
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = option.textContent;
          button.setAttribute("data-text", text);
          button.addEventListener("click", function () { choose(button); });
          item.appendChild(button);
          list.appendChild(item);
        });
        if (!list.children.length) {
          var none = document.createElement("li");
          none.textContent = "No canned reply matches.";
          list.appendChild(none);
        }
      };
      search.addEventListener("input", render);
      search.addEventListener("keydown", function (event) {
        // Enter takes the first match, so "/", a word and Enter is all it needs.
        if (event.key === "Enter") {
          event.preventDefault();
          var first = list.querySelector("button");
          if (first) choose(first);
        }
      });
      dialog.render = render;
    }
    dialog.querySelector("#canned-search").value = "";
    dialog.render();
    dialog.showModal();
    dialog.querySelector("#canned-search").focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    var actions = {
      j: function () { move(1); },
      k: function () { move(-1); },
      c: claim,
      r: function () { if (!focusBox("reply-text")) announce("You can reply once you have claimed this ticket."); },
      n: function () { if (!focusBox("note-text")) announce("Notes are on a ticket's page."); },
      "/": cannedPicker,
      "?": showShortcuts
    };
    var action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  var opener = document.getElementById("shortcuts-button");
  if (opener) {
    opener.hidden = false; // shown only when this script runs
    opener.addEventListener("click", showShortcuts);
  }
  rememberQueueOrder();
  // The queue refreshes itself; keep the order j and k follow up to date.
  var queue = document.getElementById("queue");
  if (queue && window.MutationObserver) {
    new MutationObserver(rememberQueueOrder).observe(queue, { childList: true, subtree: true });
  }
})();
