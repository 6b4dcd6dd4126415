// Industry search as you type. Without JavaScript the same list comes back after 「次へ」.
(function () {
  var inputs = document.querySelectorAll("[data-industry-search]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = document.getElementById(input.getAttribute("data-industry-search"));
    var timer = null, last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q === last) return;
        last = q;
        if (!q) { list.innerHTML = ""; return; }
        fetch("/industries?q=" + encodeURIComponent(q), {headers: {"Accept": "text/html"}})
          .then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) { if (input.value.trim() === q) list.innerHTML = html; })
          .catch(function () {});
      }, 250);
    });
  });
})();
