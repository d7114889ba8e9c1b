// The ticket page: copy or share the ticket's address. Progressive enhancement: without
// JavaScript the address stays in its read-only box to copy by hand, and the buttons stay hidden.
(function () {
  "use strict";
  var box = document.getElementById("ticket-share-buttons");
  var input = document.getElementById("ticket-address");
  var copy = document.getElementById("ticket-copy");
  var share = document.getElementById("ticket-share");
  var status = document.getElementById("ticket-share-status");
  if (!box || !input || !copy) return;

  function say(text) { status.textContent = text; }

  // Before the Clipboard API (or where it is refused, e.g. over plain HTTP): select the
  // address and ask for the old copy command.
  function copyBySelecting() {
    input.focus();
    input.select();
    input.setSelectionRange(0, input.value.length);
    try { return document.execCommand("copy"); } catch (error) { return false; }
  }

  function fallback() {
    if (copyBySelecting()) say(box.dataset.copied);
    else say(box.dataset.copyFailed);
  }

  copy.addEventListener("click", function () {
    if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () {
        say(box.dataset.copied);
      }, fallback);
    } else {
      fallback();
    }
  });

  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: box.dataset.title, text: box.dataset.text, url: input.value })
        .catch(function () {});  // the person closed the share sheet
    });
  }
  // A tap on the box selects the whole address, ready to copy by hand.
  input.addEventListener("focus", function () { input.select(); });
  box.hidden = false;
})();
