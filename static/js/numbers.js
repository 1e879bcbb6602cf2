/* Number fields (core.forms.NumberField): echo the amount as read beside the field while typing
   ("= 1.200.000 đ/người/tháng"), and keep Enter in a form marked data-no-enter-submit from
   submitting it. The server reads the text again (core.numbers.parse_amount): this echo only
   shows the user what they typed, by the same grammar. */
(function () {
  "use strict";

  var MULTIPLIERS = {
    "k": 1e3, "nghìn": 1e3, "nghin": 1e3, "ngàn": 1e3, "ngan": 1e3,
    "tr": 1e6, "triệu": 1e6, "trieu": 1e6,
    "tỷ": 1e9, "tỉ": 1e9, "ty": 1e9
  };
  var SHORTHAND = /^([+-]?\d+(?:[.,]\d+)?)\s*(tỷ|tỉ|ty|triệu|trieu|tr|nghìn|nghin|ngàn|ngan|k)\.?$/i;
  var CURRENCY = /\s*(đồng|dong|vnđ|vnd|đ)\.?$/i;

  // core.numbers.parse_number: "." groups thousands, "," is the decimal mark.
  function parseNumber(text, integer) {
    text = text.replace(/[\u00a0\u202f]/g, " ").trim();
    if (integer) {
      if (/^-?\d{1,3}([., ]\d{3})+$/.test(text)) {
        text = text.replace(/[., ]/g, "");
      } else if (text.indexOf(",") >= 0 && text.indexOf(".") < 0) {
        text = text.replace(",", ".");
      }
    } else {
      text = text.replace(/ /g, "");
      var dots = text.split(".").length - 1;
      if (text.indexOf(",") >= 0) {
        text = text.replace(/\./g, "").replace(",", ".");
      } else if (dots === 1 && text.split(".")[1].length === 3 && text.length > 4) {
        text = text.replace(".", "");
      } else if (dots > 1) {
        text = text.replace(/\./g, "");
      }
    }
    return /^[+-]?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  }

  function parseAmount(text, integer, shorthand) {
    text = text.replace(/[\u00a0\u202f]/g, " ").trim().replace(CURRENCY, "").trim();
    var match = shorthand && SHORTHAND.exec(text);
    if (match) {
      return parseNumber(match[1], false) * MULTIPLIERS[match[2].toLowerCase()];
    }
    if (!/^[+-]?\d[\d., ]*$/.test(text)) {
      return NaN;
    }
    return parseNumber(text, integer);
  }

  // core.formatting.format_number: "1.200.000", "45,5".
  function format(value, places) {
    var sign = value < 0 ? "-" : "";
    var parts = Math.abs(value).toFixed(places).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    var frac = (parts[1] || "").replace(/0+$/, "");
    return sign + whole + (frac ? "," + frac : "");
  }

  function echo(input) {
    var target = document.querySelector('[data-number-echo-for="' + input.id + '"]');
    if (!target) {
      return;
    }
    var places = parseInt(input.dataset.number || "0", 10);
    var value = parseAmount(input.value, places === 0, input.dataset.numberShorthand === "1");
    if (input.value.trim() === "") {
      target.textContent = "";
    } else if (isNaN(value)) {
      target.textContent = "?";
    } else {
      var unit = input.dataset.numberUnit;
      target.textContent = "= " + format(value, Math.max(places, 3)) + (unit ? " " + unit : "");
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-number]")) {
      echo(event.target);
    }
  });

  // Enter in a field of <form data-no-enter-submit> does not submit: the button does.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || input.tagName !== "INPUT" || !input.form) {
      return;
    }
    if (input.form.hasAttribute("data-no-enter-submit") && input.type !== "submit") {
      event.preventDefault();
    }
  });
})();
