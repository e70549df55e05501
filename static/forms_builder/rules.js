/*
 * Rules in the browser: the twin of forms_builder/rules.py and of the answer
 * parsing in forms_builder/fieldtypes.py (rule values).
 *
 * json-logic-js and the Python port disagree on mixed types, so the
 * operators below replace the library's on both sides with the same small
 * functions. Keep this file and rules.py in step: the browser test evaluates
 * the same rules here and on the server and compares.
 */
(function (root) {
  "use strict";
  var jsonLogic = root.jsonLogic;

  function isNumber(v) { return typeof v === "number" && isFinite(v); }
  function normalizeNumber(v) { return isFinite(v) ? v : null; }

  function equals(a, b) {
    if (a === null || a === undefined || b === null || b === undefined) {
      return (a === null || a === undefined) && (b === null || b === undefined);
    }
    if (typeof a === "boolean" || typeof b === "boolean") return a === b;
    if (isNumber(a) && isNumber(b)) return a === b;
    if (typeof a === "string" && typeof b === "string") return a === b;
    return false;
  }

  // Strings compare by code point, as Python does (not by UTF-16 unit).
  function compareStrings(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d !== 0) return d;
    }
    return x.length - y.length;
  }
  function comparable(a, b) {
    return (isNumber(a) && isNumber(b)) || (typeof a === "string" && typeof b === "string");
  }
  function cmp(a, b) { return typeof a === "string" ? compareStrings(a, b) : a - b; }
  function less(a, b, c) {
    if (!comparable(a, b) || !(cmp(a, b) < 0)) return false;
    return c === undefined || (comparable(b, c) && cmp(b, c) < 0);
  }
  function lessEqual(a, b, c) {
    if (!comparable(a, b) || !(cmp(a, b) <= 0)) return false;
    return c === undefined || (comparable(b, c) && cmp(b, c) <= 0);
  }

  function operands(values) {
    var numbers = [];
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (v === null || v === undefined) numbers.push(0);
      else if (isNumber(v)) numbers.push(v);
      else return null;
    }
    return numbers;
  }

  function toText(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return isFinite(v) ? String(v) : "";
    if (typeof v === "string") return v;
    if (Array.isArray(v)) return v.map(toText).join(",");
    return "";
  }

  function isInt(v) { return typeof v === "number" && Math.floor(v) === v && isFinite(v); }

  var overrides = {
    "==": equals,
    "===": equals,
    "!=": function (a, b) { return !equals(a, b); },
    "!==": function (a, b) { return !equals(a, b); },
    "<": less,
    "<=": lessEqual,
    ">": function (a, b) { return less(b, a); },
    ">=": function (a, b) { return lessEqual(b, a); },
    "in": function (a, b) {
      if (typeof b === "string") return typeof a === "string" && b.indexOf(a) !== -1;
      if (Array.isArray(b)) return b.some(function (item) { return equals(a, item); });
      return false;
    },
    "+": function () {
      var n = operands(arguments);
      if (n === null) return null;
      return normalizeNumber(n.reduce(function (t, x) { return t + x; }, 0));
    },
    "*": function () {
      var n = operands(arguments);
      if (n === null || n.length === 0) return null;
      return normalizeNumber(n.reduce(function (t, x) { return t * x; }, 1));
    },
    "-": function (a, b) {
      var n = operands(arguments.length < 2 ? [a] : [a, b]);
      if (n === null) return null;
      return normalizeNumber(n.length === 1 ? -n[0] : n[0] - n[1]);
    },
    "/": function (a, b) {
      var n = operands([a, b]);
      if (n === null || n[1] === 0) return null;
      return normalizeNumber(n[0] / n[1]);
    },
    "%": function (a, b) {
      var n = operands([a, b]);
      if (n === null || n[1] === 0) return null;
      return normalizeNumber(n[0] % n[1]);
    },
    "min": function () { return extreme(arguments, Math.min); },
    "max": function () { return extreme(arguments, Math.max); },
    "cat": function () { return Array.prototype.map.call(arguments, toText).join(""); },
    "substr": function (source, start, length) {
      var chars = Array.from(toText(source));
      if (start === undefined) start = 0;
      if (!isInt(start)) return "";
      var begin = start < 0 ? Math.max(chars.length + start, 0) : Math.min(start, chars.length);
      var rest = chars.slice(begin);
      if (length === undefined || length === null) return rest.join("");
      if (!isInt(length)) return "";
      if (length < 0) return rest.slice(0, Math.max(rest.length + length, 0)).join("");
      return rest.slice(0, length).join("");
    }
  };
  function extreme(values, pick) {
    var present = Array.prototype.filter.call(values, function (v) { return v !== null && v !== undefined; });
    if (!present.length || !present.every(isNumber)) return null;
    return normalizeNumber(pick.apply(null, present));
  }
  Object.keys(overrides).forEach(function (name) { jsonLogic.add_operation(name, overrides[name]); });

  function evaluate(rule, data) {
    if (rule === null || rule === undefined) return null;
    try {
      var result = jsonLogic.apply(rule, data);
      return result === undefined ? null : result;
    } catch (e) {
      if (root.console) root.console.warn("rule evaluation failed", rule, e);
      return null;
    }
  }
  // Mirrors runtime.round_to_unit (the same float steps).
  function roundToUnit(value, mode, unit) {
    var size = Math.abs(value) / unit, whole;
    if (mode === "floor") whole = Math.floor(size);
    else if (mode === "ceil") whole = Math.ceil(size);
    else whole = Math.floor(size + 0.5);
    var result = (value < 0 ? -1 : 1) * whole * unit;
    return result === 0 ? 0 : result;
  }
  // A computed value as stored; mirrors runtime.normalize_computed.
  function normalizeComputed(value, format, rounding) {
    if (format === "integer" || format === "amount") {
      if (typeof value !== "number" || !isFinite(value)) return null;
      if (rounding && ["floor", "ceil", "round"].indexOf(rounding.mode) !== -1) {
        return roundToUnit(value, rounding.mode, rounding.unit);
      }
      return Math.floor(value + 0.5);
    }
    var text = toText(value);
    return text === "" ? null : text;
  }
  function holds(rule, data) {
    return rule !== null && rule !== undefined && jsonLogic.truthy(evaluate(rule, data));
  }

  /* --- Answer parsing for rules: mirrors fieldtypes.rule_value() --- */

  var ERAS = [
    ["令和", "R", [2019, 5, 1]], ["平成", "H", [1989, 1, 8]], ["昭和", "S", [1926, 12, 25]],
    ["大正", "T", [1912, 7, 30]], ["明治", "M", [1873, 1, 1]]
  ];
  function nfkc(text) { return text.normalize("NFKC"); }
  function pad(n, w) { var s = String(n); while (s.length < w) s = "0" + s; return s; }
  function validDate(y, m, d) {
    if (y < 1 || m < 1 || m > 12 || d < 1) return null;
    var date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
    return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
  }
  function eraOf(iso) {
    for (var i = 0; i < ERAS.length; i++) {
      var s = ERAS[i][2];
      if (iso >= validDate(s[0], s[1], s[2])) return i;
    }
    return -1;
  }
  var SEIREKI = /^\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?\s*$/;
  var WAREKI = /^\s*(令和|平成|昭和|大正|明治|[RHSTMrhstm])\.?\s*(元|\d{1,2})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?\s*$/;
  // core.japanese.parse_japanese_date, returning "YYYY-MM-DD" or null.
  function parseJapaneseDate(text) {
    var s = nfkc(text), m = SEIREKI.exec(s), iso;
    if (m) return validDate(+m[1], +m[2], +m[3]);
    m = WAREKI.exec(s);
    if (!m) return null;
    var index = -1;
    for (var i = 0; i < ERAS.length; i++) {
      if (ERAS[i][0] === m[1] || ERAS[i][1] === m[1].toUpperCase()) index = i;
    }
    var year = m[2] === "元" ? 1 : +m[2];
    iso = validDate(ERAS[index][2][0] + year - 1, +m[3], +m[4]);
    if (iso === null || eraOf(iso) !== index) return null;
    return iso;
  }
  function normalizeKana(text) {
    text = text.replace(/[\uFF61-\uFF9F]+/g, function (run) { return nfkc(run); });
    return text.replace(/[\u3041-\u3096]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) + 0x60);
    });
  }
  function trimmed(text) {
    // Python's str.strip() and JavaScript's trim() agree on these.
    var t = (text || "").replace(/\r\n?/g, "\n").replace(/^[\s\u3000]+|[\s\u3000]+$/g, "");
    return t === "" ? null : t;
  }
  function parseInteger(text) {
    var t = nfkc(text || "").replace(/[,\s¥￥円]/g, "");
    if (t === "") return null;
    if (!/^[+-]?\d{1,15}$/.test(t)) return null;
    return parseInt(t, 10);
  }
  function parsePostal(text) {
    var t = nfkc(text || "").replace(/^\s*〒\s*/, "").trim();
    var m = /^(\d{3})-?(\d{4})$/.exec(t);
    return m ? m[1] + "-" + m[2] : null;
  }
  function parsePhone(text) {
    var t = nfkc(text || "").trim();
    return /^0\d{1,4}-?\d{1,4}-?\d{3,4}$/.test(t) ? t : null;
  }

  // Mirrors formfields.CorporateNumberField and corporate_check_digit.
  function parseCorporateNumber(text) {
    var t = nfkc(text || "").replace(/[\s\-‐‑–—―ー−]/g, "");
    if (!/^\d{13}$/.test(t)) return null;
    var total = 0;
    for (var n = 1; n <= 12; n++) total += Number(t.charAt(13 - n)) * (n % 2 ? 1 : 2);
    return 9 - total % 9 === Number(t.charAt(0)) ? t : null;
  }

  /* Rule value of a field from raw input strings (what the server reads from
   * the POST). raw: {value: "..."} or {name, kana} or {values: [...]}. */
  function ruleValue(type, raw) {
    switch (type) {
      case "text": case "textarea": case "address": case "email":
        return trimmed(raw.value);
      case "integer": case "amount": return parseInteger(raw.value);
      case "date": return raw.value ? parseJapaneseDate(raw.value) : null;
      case "postal_code": return parsePostal(raw.value);
      case "phone": return parsePhone(raw.value);
      case "choice": return raw.value ? raw.value : null;
      case "multichoice": return raw.values && raw.values.length ? raw.values.slice() : null;
      case "yesno": return raw.value === "yes" ? true : (raw.value === "no" ? false : null);
      case "agreement": case "checkbox": return !!raw.checked;
      case "corporate_number": return parseCorporateNumber(raw.value);
      case "name_pair": {
        var name = trimmed(raw.name), kana = trimmed(normalizeKana(raw.kana || ""));
        if (name === null && kana === null) return null;
        return {name: name || "", kana: kana || ""};
      }
      default: return null;
    }
  }

  root.FormRules = {
    evaluate: evaluate, holds: holds, truthy: jsonLogic.truthy, toText: toText,
    normalizeComputed: normalizeComputed, roundToUnit: roundToUnit,
    parseJapaneseDate: parseJapaneseDate, ruleValue: ruleValue
  };
}(this));
