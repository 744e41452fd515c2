// Each browser tab leads back to the list it showed last. The server's session remembers one
// list for all of a person's tabs (the last one shown in any of them), which is what the
// "All customers" links hold without JavaScript; here the list page also keeps its own URL in
// this tab's sessionStorage, and the record pages' links back take it from there. The sign-in
// and sign-out pages forget it: the next person in this tab starts from the whole list.
(function () {
  "use strict";
  var KEY = "customers.list";
  try {
    if (document.querySelector("[data-list-forget]")) {
      sessionStorage.removeItem(KEY);
      return;
    }
    var list = document.querySelector("[data-list-page]");
    if (list) {
      sessionStorage.setItem(KEY, location.pathname + location.search);
      return;
    }
    var kept = sessionStorage.getItem(KEY);
    if (!kept) {
      return;
    }
    document.querySelectorAll("a[data-list-back]").forEach(function (link) {
      // Only the list's own page, as the server would lead there: never elsewhere.
      var path = new URL(link.href, location.href).pathname;
      if (kept === path || kept.indexOf(path + "?") === 0) {
        link.setAttribute("href", kept);
      }
    });
  } catch (refused) {
    // No storage in this tab (a privacy setting): the server's link stays.
  }
})();
