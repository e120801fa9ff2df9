// Search page: merge the per-township Pagefind bundles into one search box.
(function () {
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") return;
  var root = new URL(element.dataset.root, location.href);
  var bundles = JSON.parse(element.dataset.bundles).map(function (b) {
    return new URL(b, root).pathname;
  });
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: bundles[0],
    baseUrl: root.pathname,
    mergeIndex: bundles.slice(1).map(function (b) { return { bundlePath: b, baseUrl: root.pathname }; }),
    showSubResults: false,
    showImages: false,
    resetStyles: false,
    translations: { placeholder: "输入要搜索的字词", zero_results: "没有找到含有“[SEARCH_TERM]”的公告" }
  });
  var query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
