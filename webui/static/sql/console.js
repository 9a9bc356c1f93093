/* SQL console: Ctrl+Enter (Cmd+Enter on a Mac) runs the query from the editor. */
(function () {
  "use strict";
  function start() {
    var editor = document.getElementById("sql-q");
    if (!editor) return;
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        editor.form.requestSubmit();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
