// A risk verdict's hits as a list: each rule that hit, its weight and its reason (with the numbers).
// Used by the risk desk, the trip review and the checkpoint desk.
(function () {
  "use strict";
  const C = window.Chekara;

  function ruleName(rule) {
    return C.t("risk_rule." + rule, null, rule.replace(/_/g, " "));
  }

  function hitList(hits) {
    if (!hits.length) return C.el("span", { className: "hint", text: C.t("risk.no_hits") });
    return C.el("ul", { className: "hits" }, hits.map((h) => C.el("li", {}, [
      C.el("strong", { text: ruleName(h.rule) }), ` +${C.formatNumber(h.weight)}: `, h.reason,
    ])));
  }

  function scoreBar(score) {
    return C.el("span", { className: "score" }, [
      C.el("span", { className: "score-bar", style: `width:${Math.min(100, Math.max(0, score))}%` }),
      C.el("span", { className: "score-value", text: C.formatNumber(score) }),
    ]);
  }

  window.ChekaraRisk = { hitList, ruleName, scoreBar };
})();
