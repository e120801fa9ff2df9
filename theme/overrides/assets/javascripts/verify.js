// Verify page: look a printed verification code up in the static index (verify/codes/XX.json).
(function () {
  var result = document.getElementById("verify-result");
  var input = document.getElementById("code");
  if (!result || !input) return;
  var root = new URL(result.dataset.root, location.href);

  function normalise(text) {
    // Crockford base32: read O as 0 and I or L as 1, ignore spaces and dashes.
    return text.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  }
  function show(nodes) {
    result.textContent = "";
    nodes.forEach(function (node) { result.appendChild(node); });
  }
  function para(text, className) {
    var p = document.createElement("p");
    p.textContent = text;
    if (className) p.className = className;
    return p;
  }
  function link(text, href) {
    var p = document.createElement("p");
    var a = document.createElement("a");
    a.textContent = text;
    a.href = new URL(href, root).href;
    p.appendChild(a);
    return p;
  }
  function describe(record) {
    var nodes = [link(record.title, record.url), para("公布日期：" + record.date + "　版本：第 " + record.version + " 版"),
                 para("内容哈希（SHA-256）：" + record.sha256, "hash")];
    if (record.status === "corrected") {
      nodes.unshift(para("这份公告已更正：" + record.corrected_on + " 更正，原因：" + record.reason, "flag"));
      if (record.current) nodes.push(link("查看更正后的公告", record.current));
    } else {
      nodes.unshift(para("核验通过：这是网上公布的最新版本。", "window-open"));
    }
    return nodes;
  }
  function lookup(raw) {
    var code = normalise(raw);
    if (!/^[0-9A-HJKMNP-TV-Z]{8}$/.test(code)) {
      show([para("核验码应为 8 位字母和数字，如 TA58-PKTW。", "flag")]);
      return;
    }
    var pretty = code.slice(0, 4) + "-" + code.slice(4);
    fetch(new URL("verify/codes/" + code.slice(0, 2) + ".json", root))
      .then(function (response) { return response.ok ? response.json() : {}; })
      .catch(function () { return {}; })
      .then(function (shard) {
        var records = shard[pretty] || [];
        if (!records.length) {
          show([para("没有找到核验码为 " + pretty + " 的公告。请核对是否输入有误；如确实找不到，可拨打公告上的监督电话反映。", "flag")]);
          return;
        }
        var nodes = [];
        records.forEach(function (record) { nodes = nodes.concat(describe(record)); });
        show(nodes);
      });
  }
  document.getElementById("verify-form").addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", "?code=" + encodeURIComponent(input.value));
    lookup(input.value);
  });
  var given = new URLSearchParams(location.search).get("code");
  if (given) { input.value = given; lookup(given); }
})();
