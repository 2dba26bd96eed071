// The index page's search over code and descriptor, from PFS_CODES (codes.js): no network, no library.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var count = document.getElementById("count");
  var codes = window.PFS_CODES || [];
  var LIMIT = 100;
  function show() {
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { count.textContent = ""; return; }
    var found = 0;
    for (var i = 0; i < codes.length; i++) {
      var c = codes[i], text = (c[0] + " " + c[1]).toLowerCase();
      if (!words.every(function (w) { return text.indexOf(w) >= 0; })) continue;
      found++;
      if (found > LIMIT) continue;
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "codes/" + c[0] + ".html";
      a.textContent = c[0] + " " + c[1];
      li.appendChild(a);
      li.appendChild(document.createTextNode(" · " + c[2] + (c[3] ? " · " + c[3] : "")));
      list.appendChild(li);
    }
    count.textContent = found + (found === 1 ? " code" : " codes") + (found > LIMIT ? ", the first " + LIMIT + " shown" : "");
  }
  input.addEventListener("input", show);
  show();
})();
