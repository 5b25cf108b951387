"""Label and field selectors, parsed and matched as kube-apiserver does.

Label selectors follow k8s.io/apimachinery pkg/labels (selector.go): the same
lexer, the same recursive-descent parser, the same validation of keys and values
and the same error text (including its quirks, such as the '<nil>' path of an
invalid key). Field selectors follow pkg/fields (selector.go) with its escaping
rules. The fields each kind can be selected by, and the way an unsupported field
label is refused, follow the field-label conversion functions registered in
k8s.io/kubernetes pkg/apis/*/v1 and the registry strategies' ToSelectableFields.

Matching runs on every object of a list, so a parsed selector is compiled into
plain tuples that `matches` walks without further allocation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from google.protobuf.message import Message

from apimachinery.errors import bad_request
from apimachinery.scheme import Kind
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1

__all__ = [
    "FieldSelector",
    "LabelRequirement",
    "LabelSelector",
    "check_field_selector",
    "escape_field_value",
    "selectable_fields",
]

# -- Go formatting helpers ------------------------------------------------------------


def _go_quote(s: str) -> str:
    """Go's strconv.Quote (fmt %q) of a string."""
    out = ['"']
    for ch in s:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            if ch in _GO_CTRL_ESCAPES:
                out.append(_GO_CTRL_ESCAPES[ch])
            elif code < 0x20 or code == 0x7F:
                out.append(f"\\x{code:02x}")
            elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
                out.append(f"\\x{code - 0xDC00:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_GO_CTRL_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _go_json_string(s: str) -> str:
    """encoding/json's rendering of a string (HTML-safe, as json.Marshal writes it)."""
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or ch in "<>&" or code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _field_invalid(path: str, value: str | list[str] | None, detail: str) -> str:
    """field.Invalid(path, value, detail).Error()."""
    if isinstance(value, str):
        shown = _go_quote(value)
    elif value is None:  # a nil []string marshals to null
        shown = "null"
    else:
        shown = "[" + ",".join(_go_json_string(v) for v in value) + "]"
    return f"{path}: Invalid value: {shown}: {detail}"


def _aggregate(errors: list[str]) -> str:
    """utilerrors.Aggregate's message: one error as is, several deduplicated in brackets."""
    unique = list(dict.fromkeys(errors))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _go_parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64), or None where Go reports an error."""
    if not _DECIMAL_INT.fullmatch(text):
        return None
    n = int(text)
    return n if -(2**63) <= n < 2**63 else None


_DECIMAL_INT = re.compile(r"[+-]?[0-9]+")

# -- key and value validation (k8s.io/apimachinery pkg/util/validation) ------------------

_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_RE = re.compile(_QNAME_FMT)
_QNAME_ERR = ("must consist of alphanumeric characters, '-', '_' or '.', "
              "and must start and end with an alphanumeric character")
_LABEL_VALUE_FMT = f"({_QNAME_FMT})?"
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)
_LABEL_VALUE_ERR = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                    "and must start and end with an alphanumeric character")
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1123_SUBDOMAIN_ERR = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                          "'-' or '.', and must start and end with an alphanumeric character")


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    # upstream joins "'x', " pieces with " or ", hence the double spaces.
    return msg + " (e.g. " + " or ".join(f"'{e}', " for e in examples) + f"regex used for validation is '{fmt}')"


def _max_len_error(n: int) -> str:
    return f"must be no more than {n} characters"


def _byte_len(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass")) if not s.isascii() else len(s)


def _dns1123_subdomain_errors(value: str) -> list[str]:
    errs = []
    if _byte_len(value) > 253:
        errs.append(_max_len_error(253))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(_regex_error(_DNS1123_SUBDOMAIN_ERR, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def _qualified_name_errors(value: str) -> list[str]:
    """validation.IsQualifiedName: a label key, with an optional DNS subdomain prefix."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in _dns1123_subdomain_errors(prefix))
    else:
        return ["a qualified name " + _regex_error(_QNAME_ERR, _QNAME_FMT, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errs.append("name part must be non-empty")
    elif _byte_len(name) > 63:
        errs.append("name part " + _max_len_error(63))
    if not _QNAME_RE.fullmatch(name):
        errs.append("name part " + _regex_error(_QNAME_ERR, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def _label_value_errors(value: str) -> list[str]:
    errs = []
    if _byte_len(value) > 63:
        errs.append(_max_len_error(63))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errs.append(_regex_error(_LABEL_VALUE_ERR, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def _validate_label_key(key: str, path: str) -> str | None:
    errs = _qualified_name_errors(key)
    return _field_invalid(path, key, "; ".join(errs)) if errs else None


# -- label selectors ---------------------------------------------------------------------

# selection.Operator values, as upstream spells them.
IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "in", "notin", "=", "==", "!="
EXISTS, DOES_NOT_EXIST, GREATER_THAN, LESS_THAN = "exists", "!", "gt", "lt"
_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN, EXISTS, DOES_NOT_EXIST)


class LabelRequirement(NamedTuple):
    """One requirement of a label selector: key, operator (selection.Operator) and values."""

    key: str
    operator: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        op = self.operator
        if op == EXISTS:
            return self.key
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        vals = ",".join(sorted(self.values))
        if op in (IN, NOT_IN):
            return f"{self.key} {op} ({vals})"
        sym = {GREATER_THAN: ">", LESS_THAN: "<"}.get(op, op)
        return f"{self.key}{sym}{vals}"


def _new_requirement(key: str, op: str, values: list[str] | None) -> LabelRequirement:
    """labels.NewRequirement: validates and returns the requirement, or raises 400 with upstream's text."""
    errs: list[str] = []
    if (e := _validate_label_key(key, "key")) is not None:
        errs.append(e)
    vals = values or []
    if op in (IN, NOT_IN):
        if not vals:
            errs.append(_field_invalid("values", values, "for 'in', 'notin' operators, values set can't be empty"))
    elif op in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(vals) != 1:
            errs.append(_field_invalid("values", values, "exact-match compatibility requires one single value"))
    elif op in (EXISTS, DOES_NOT_EXIST):
        if vals:
            errs.append(_field_invalid("values", values, "values set must be empty for exists and does not exist"))
    elif op in (GREATER_THAN, LESS_THAN):
        if len(vals) != 1:
            errs.append(_field_invalid("values", values, "for 'Gt', 'Lt' operators, exactly one value is required"))
        for i, v in enumerate(vals):
            if _go_parse_int(v) is None:
                errs.append(_field_invalid(f"values[{i}]", v, "for 'Gt', 'Lt' operators, the value must be an integer"))
    else:
        supported = ", ".join(_go_quote(o) for o in _OPERATORS)
        errs.append(f"operator: Unsupported value: {_go_quote(op)}: supported values: {supported}")
    for i, v in enumerate(vals):
        if verrs := _label_value_errors(v):
            errs.append(_field_invalid(f"values[{i}][{key}]", v, "; ".join(verrs)))
    if errs:
        raise _SelectorError(_aggregate(errs))
    return LabelRequirement(key, op, tuple(vals))


class _SelectorError(Exception):
    """A parse error, carried up to the public entry points which turn it into a 400."""


# Lexer tokens.
_ERROR, _EOS, _CLOSE_PAR, _COMMA, _NOT, _DOUBLE_EQ, _EQ, _GT, _IDENT, _IN, _LT, _NEQ, _NOT_IN, _OPEN_PAR = range(14)
_STRING_TO_TOKEN = {")": _CLOSE_PAR, ",": _COMMA, "!": _NOT, "==": _DOUBLE_EQ, "=": _EQ, ">": _GT, "in": _IN,
                    "<": _LT, "!=": _NEQ, "notin": _NOT_IN, "(": _OPEN_PAR}
_WHITESPACE = frozenset(" \t\r\n")
_SPECIAL = frozenset("=!(),><")
_NUL = "\0"


def _lex(s: str) -> list[tuple[int, str]]:
    """The token stream of labels.Lexer, byte for byte (a NUL reads as end of input, as in Go)."""
    n = len(s)
    pos = 0
    items: list[tuple[int, str]] = []
    while True:
        ch = _NUL
        while True:  # skipWhiteSpaces(read())
            if pos < n:
                ch = s[pos]
                pos += 1
            else:
                ch = _NUL
            if ch not in _WHITESPACE:
                break
        if ch == _NUL:
            items.append((_EOS, ""))
            return items
        start = pos - 1
        if ch in _SPECIAL:
            # Longest operator: the buffer grows while it spells a token.
            pos = start
            last_tok, last_lit = _ERROR, ""
            buf = ""
            while pos < n:
                c = s[pos]
                pos += 1
                if c == _NUL:
                    break
                if c not in _SPECIAL:
                    pos -= 1
                    break
                buf += c
                tok = _STRING_TO_TOKEN.get(buf)
                if tok is not None:
                    last_tok, last_lit = tok, buf
                elif last_tok != _ERROR:
                    pos -= 1
                    break
            if last_tok == _ERROR:  # unreachable: every special symbol alone is a token
                items.append((_ERROR, f"error expected: keyword found '{buf}'"))
            else:
                items.append((last_tok, last_lit))
        else:
            pos = start
            end = n
            while pos < n:
                c = s[pos]
                if c in _SPECIAL or c in _WHITESPACE:
                    end = pos
                    break
                pos += 1
                if c == _NUL:  # read, not unread: the NUL is consumed
                    end = pos - 1
                    break
            else:
                end = pos
            lit = s[start:end]
            items.append((_STRING_TO_TOKEN.get(lit, _IDENT), lit))


class _Parser:
    """labels.Parser: recursive descent over the scanned tokens."""

    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.pos = 0

    def lookahead(self, values_context: bool = True) -> tuple[int, str]:
        tok, lit = self.items[self.pos]
        if values_context and tok in (_IN, _NOT_IN):
            tok = _IDENT
        return tok, lit

    def consume(self, values_context: bool = True) -> tuple[int, str]:
        tok, lit = self.lookahead(values_context)
        self.pos += 1
        return tok, lit

    def parse(self) -> list[LabelRequirement]:
        reqs: list[LabelRequirement] = []
        while True:
            tok, lit = self.lookahead()
            if tok in (_IDENT, _NOT):
                try:
                    reqs.append(self.parse_requirement())
                except _SelectorError as exc:
                    raise _SelectorError(f"unable to parse requirement: {exc}") from None
                t, lit2 = self.consume()
                if t == _EOS:
                    return reqs
                if t == _COMMA:
                    t2, lit3 = self.lookahead()
                    if t2 not in (_IDENT, _NOT):
                        raise _SelectorError(f"found '{lit3}', expected: identifier after ','")
                else:
                    raise _SelectorError(f"found '{lit2}', expected: ',' or 'end of string'")
            elif tok == _EOS:
                return reqs
            else:
                raise _SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def parse_requirement(self) -> LabelRequirement:
        key, op = self.parse_key_and_infer_operator()
        if op in (EXISTS, DOES_NOT_EXIST):
            return _new_requirement(key, op, [])
        op = self.parse_operator()
        values = self.parse_values() if op in (IN, NOT_IN) else self.parse_exact_value()
        return _new_requirement(key, op, sorted(values))

    def parse_key_and_infer_operator(self) -> tuple[str, str]:
        op = ""
        tok, lit = self.consume()
        if tok == _NOT:
            op = DOES_NOT_EXIST
            tok, lit = self.consume()
        if tok != _IDENT:
            raise _SelectorError(f"found '{lit}', expected: identifier")
        if (err := _validate_label_key(lit, "<nil>")) is not None:
            raise _SelectorError(err)
        if self.lookahead()[0] in (_EOS, _COMMA) and op != DOES_NOT_EXIST:
            op = EXISTS
        return lit, op

    def parse_operator(self) -> str:
        tok, lit = self.consume(values_context=False)
        op = {_IN: IN, _EQ: EQUALS, _DOUBLE_EQ: DOUBLE_EQUALS, _GT: GREATER_THAN, _LT: LESS_THAN,
              _NOT_IN: NOT_IN, _NEQ: NOT_EQUALS}.get(tok)
        if op is None:
            raise _SelectorError(f"found '{lit}', expected: in, notin, =, ==, !=, gt, lt")
        return op

    def parse_values(self) -> set[str]:
        tok, lit = self.consume()
        if tok != _OPEN_PAR:
            raise _SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead()
        if tok in (_IDENT, _COMMA):
            values = self.parse_identifiers_list()
            if self.consume()[0] != _CLOSE_PAR:
                raise _SelectorError(f"found '{lit}', expected: ')'")
            return values
        if tok == _CLOSE_PAR:  # "()"
            self.consume()
            return {""}
        raise _SelectorError(f"found '{lit}', expected: ',', ')' or identifier")

    def parse_identifiers_list(self) -> set[str]:
        values: set[str] = set()
        while True:
            tok, lit = self.consume()
            if tok == _IDENT:
                values.add(lit)
                tok2, lit2 = self.lookahead()
                if tok2 == _COMMA:
                    continue
                if tok2 == _CLOSE_PAR:
                    return values
                raise _SelectorError(f"found '{lit2}', expected: ',' or ')'")
            if tok == _COMMA:  # "(," ",," and ",)" each stand for the empty value
                if not values:
                    values.add("")
                tok2, _ = self.lookahead()
                if tok2 == _CLOSE_PAR:
                    values.add("")
                    return values
                if tok2 == _COMMA:
                    self.consume()
                    values.add("")
            else:
                raise _SelectorError(f"found '{lit}', expected: ',', or identifier")

    def parse_exact_value(self) -> set[str]:
        if self.lookahead()[0] in (_EOS, _COMMA):
            return {""}
        tok, lit = self.consume()
        if tok == _IDENT:
            return {lit}
        raise _SelectorError(f"found '{lit}', expected: identifier")


# Compiled requirement codes.
_C_EQ, _C_IN, _C_NE, _C_NOT_IN, _C_EXISTS, _C_NOT_EXISTS, _C_GT, _C_LT = range(8)


def _compile(req: LabelRequirement) -> tuple[int, str, Any]:
    op, key, vals = req.operator, req.key, req.values
    if op in (IN, EQUALS, DOUBLE_EQUALS):
        return (_C_EQ, key, vals[0]) if len(vals) == 1 else (_C_IN, key, frozenset(vals))
    if op in (NOT_IN, NOT_EQUALS):
        return (_C_NE, key, vals[0]) if len(vals) == 1 else (_C_NOT_IN, key, frozenset(vals))
    if op == EXISTS:
        return _C_EXISTS, key, None
    if op == DOES_NOT_EXIST:
        return _C_NOT_EXISTS, key, None
    # Gt/Lt: NewRequirement guarantees one integer value.
    return (_C_GT if op == GREATER_THAN else _C_LT), key, _go_parse_int(vals[0])


class LabelSelector:
    """A parsed label selector (labels.Selector): requirements ANDed together, sorted by key."""

    __slots__ = ("_compiled", "_nothing", "_requirements")

    def __init__(self, requirements: Iterable[LabelRequirement] = (), *, nothing: bool = False) -> None:
        reqs = sorted(requirements, key=lambda r: r.key)
        self._requirements: tuple[LabelRequirement, ...] = tuple(reqs)
        self._compiled: tuple[tuple[int, str, Any], ...] = tuple(_compile(r) for r in reqs)
        self._nothing = nothing

    @classmethod
    def parse(cls, text: str) -> LabelSelector:
        """labels.Parse; a malformed selector is a 400 BadRequest with upstream's message."""
        try:
            return cls(_Parser(text).parse())
        except _SelectorError as exc:
            raise bad_request(str(exc)) from None

    @classmethod
    def everything(cls) -> LabelSelector:
        return cls()

    @classmethod
    def nothing(cls) -> LabelSelector:
        """labels.Nothing(): matches no object (what a nil metav1.LabelSelector means)."""
        return cls(nothing=True)

    @classmethod
    def from_set(cls, labels: Mapping[str, str]) -> LabelSelector:
        """labels.SelectorFromSet: key=value for every entry, without validation."""
        return cls(LabelRequirement(k, EQUALS, (v,)) for k, v in labels.items())

    @classmethod
    def from_label_selector(cls, sel: metav1.LabelSelector | None) -> LabelSelector:
        """metav1.LabelSelectorAsSelector: matchLabels and matchExpressions; None selects nothing,
        an empty selector everything. Invalid content is a 400 with upstream's message."""
        if sel is None:
            return cls.nothing()
        if not sel.matchLabels and not sel.matchExpressions:
            return cls()
        ops = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}
        reqs: list[LabelRequirement] = []
        try:
            for key in sorted(sel.matchLabels):
                reqs.append(_new_requirement(key, EQUALS, [sel.matchLabels[key]]))
            for expr in sel.matchExpressions:
                op = ops.get(expr.operator)
                if op is None:
                    raise _SelectorError(f"{_go_quote(expr.operator)} is not a valid label selector operator")
                reqs.append(_new_requirement(expr.key, op, list(expr.values) or None))
        except _SelectorError as exc:
            raise bad_request(str(exc)) from None
        return cls(reqs)

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self._nothing:
            return False
        get = labels.get
        for code, key, arg in self._compiled:
            value = get(key)
            if code == _C_EQ:
                if value != arg:
                    return False
            elif code == _C_NE:
                if value == arg:
                    return False
            elif code == _C_IN:
                if value is None or value not in arg:
                    return False
            elif code == _C_NOT_IN:
                if value is not None and value in arg:
                    return False
            elif code == _C_EXISTS:
                if value is None:
                    return False
            elif code == _C_NOT_EXISTS:
                if value is not None:
                    return False
            else:
                if value is None:
                    return False
                n = _go_parse_int(value)
                if n is None or arg is None:
                    return False
                if not (n > arg if code == _C_GT else n < arg):
                    return False
        return True

    def empty(self) -> bool:
        """True when the selector does not restrict anything (labels.Everything())."""
        return not self._nothing and not self._requirements

    def requirements(self) -> list[LabelRequirement]:
        return list(self._requirements)

    def requires_exact_match(self, key: str) -> str | None:
        """The single value the selector requires for `key` (=, == or a one-value in), else None."""
        for req in self._requirements:
            if req.key == key:
                if req.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(req.values) == 1:
                    return req.values[0]
                return None
        return None

    def __str__(self) -> str:
        return ",".join(str(r) for r in self._requirements)

    def __repr__(self) -> str:
        return "LabelSelector(<nothing>)" if self._nothing else f"LabelSelector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LabelSelector):
            return NotImplemented
        return self._nothing == other._nothing and self._requirements == other._requirements

    def __hash__(self) -> int:
        return hash((self._nothing, self._requirements))


# -- field selectors ----------------------------------------------------------------------

_TERM_OPERATORS = ("!=", "==", "=")


def escape_field_value(value: str) -> str:
    """fields.EscapeValue: backslash-escape \\ , and = for use in a field selector."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _split_terms(selector: str) -> list[str]:
    """Comma-separated terms; an escaped comma stays in its term, backslash included."""
    if not selector:
        return []
    terms: list[str] = []
    start = 0
    in_slash = False
    for i, ch in enumerate(selector):
        if in_slash:
            in_slash = False
        elif ch == "\\":
            in_slash = True
        elif ch == ",":
            terms.append(selector[start:i])
            start = i + 1
    terms.append(selector[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    """The first operator splits the term; the left side has no escaping."""
    for i in range(len(term)):
        for op in _TERM_OPERATORS:
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    return None


def _unescape_value(value: str) -> str:
    if "\\" not in value and "," not in value and "=" not in value:
        return value
    out: list[str] = []
    in_slash = False
    for ch in value:
        if in_slash:
            if ch not in "\\,=":
                raise _SelectorError(f"invalid field selector: invalid escape sequence: \\{ch}")
            out.append(ch)
            in_slash = False
        elif ch == "\\":
            in_slash = True
        elif ch in ",=":
            # Go prints the rune with %v, that is as its number.
            raise _SelectorError(f"invalid field selector: unescaped character in value: {ord(ch)}")
        else:
            out.append(ch)
    if in_slash:
        raise _SelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


class FieldSelector:
    """A parsed field selector (fields.Selector): field=value / field==value / field!=value terms ANDed."""

    __slots__ = ("_compiled", "_terms")

    def __init__(self, terms: Iterable[tuple[str, str, str]] = ()) -> None:
        self._terms: tuple[tuple[str, str, str], ...] = tuple(terms)
        self._compiled: tuple[tuple[str, bool, str], ...] = tuple((f, op == "!=", v) for f, op, v in self._terms)

    @classmethod
    def parse(cls, text: str) -> FieldSelector:
        """fields.ParseSelector; a malformed selector is a 400 BadRequest with upstream's message."""
        terms: list[tuple[str, str, str]] = []
        try:
            for part in sorted(_split_terms(text)):
                if not part:
                    continue
                split = _split_term(part)
                if split is None:
                    raise _SelectorError(f"invalid selector: '{text}'; can't understand '{part}'")
                field, op, raw = split
                terms.append((field, "!=" if op == "!=" else "=", _unescape_value(raw)))
        except _SelectorError as exc:
            raise bad_request(str(exc)) from None
        return cls(terms)

    @classmethod
    def everything(cls) -> FieldSelector:
        return cls()

    @classmethod
    def from_set(cls, fields: Mapping[str, str]) -> FieldSelector:
        return cls((f, "=", v) for f, v in sorted(fields.items()))

    def matches(self, fields: Mapping[str, str]) -> bool:
        """A field the object lacks reads as the empty string, as fields.Set.Get does."""
        get = fields.get
        for field, negated, value in self._compiled:
            if (get(field, "") == value) is negated:
                break
        else:
            return True
        return False

    def requirements(self) -> list[tuple[str, str, str]]:
        """(field, op, value) with op '=' (also for '==') or '!=', in upstream's (sorted) order."""
        return list(self._terms)

    def empty(self) -> bool:
        return not self._terms

    def requires_exact_match(self, field: str) -> str | None:
        """The value an '=' term requires for `field`, else None."""
        for f, op, v in self._terms:
            if f == field and op == "=":
                return v
        return None

    def __str__(self) -> str:
        return ",".join(f"{f}{op}{escape_field_value(v)}" for f, op, v in self._terms)

    def __repr__(self) -> str:
        return f"FieldSelector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldSelector):
            return NotImplemented
        return self._terms == other._terms

    def __hash__(self) -> int:
        return hash(self._terms)


# -- selectable fields per kind -------------------------------------------------------------

_Fields = dict[str, str]


def _pod_fields(m: Any, out: _Fields) -> None:
    spec, status = m.spec, m.status
    out["spec.nodeName"] = spec.nodeName
    out["spec.host"] = spec.nodeName  # old clients' name, which upstream converts to spec.nodeName
    out["spec.restartPolicy"] = spec.restartPolicy
    out["spec.schedulerName"] = spec.schedulerName
    out["spec.serviceAccountName"] = spec.serviceAccountName
    out["spec.hostNetwork"] = "true" if spec.hostNetwork else "false"
    out["status.phase"] = status.phase
    # The internal Pod keeps podIPs only; v1 podIP, when set, is its first entry.
    out["status.podIP"] = status.podIP or (status.podIPs[0].ip if len(status.podIPs) else "")
    # Accepted by the v1 conversion but absent from ToSelectableFields: it always reads as "".
    out["status.podIPs"] = ""
    out["status.nominatedNodeName"] = status.nominatedNodeName


def _core_event_fields(m: Any, out: _Fields) -> None:
    ref = m.involvedObject
    out["involvedObject.kind"] = ref.kind
    out["involvedObject.namespace"] = ref.namespace
    out["involvedObject.name"] = ref.name
    out["involvedObject.uid"] = ref.uid
    out["involvedObject.apiVersion"] = ref.apiVersion
    out["involvedObject.resourceVersion"] = ref.resourceVersion
    out["involvedObject.fieldPath"] = ref.fieldPath
    out["reason"] = m.reason
    out["reportingComponent"] = m.reportingComponent
    out["source"] = m.source.component or m.reportingComponent
    out["type"] = m.type


def _events_v1_event_fields(m: Any, out: _Fields) -> None:
    ref = m.regarding
    out["regarding.kind"] = ref.kind
    out["regarding.namespace"] = ref.namespace
    out["regarding.name"] = ref.name
    out["regarding.uid"] = ref.uid
    out["regarding.apiVersion"] = ref.apiVersion
    out["regarding.resourceVersion"] = ref.resourceVersion
    out["regarding.fieldPath"] = ref.fieldPath
    out["reason"] = m.reason
    out["reportingController"] = m.reportingController
    out["source"] = m.deprecatedSource.component or m.reportingController
    out["type"] = m.type


def _secret_fields(m: Any, out: _Fields) -> None:
    out["type"] = m.type


def _namespace_fields(m: Any, out: _Fields) -> None:
    out["status.phase"] = m.status.phase


class _FieldRules(NamedTuple):
    """What a kind's field-label conversion accepts, and how the kind reads those fields."""

    labels: frozenset[str]
    extract: Callable[[Any, _Fields], None] | None
    # True: "field label not supported: <f>" (a registered conversion func); False: the default conversion.
    registered: bool


_META = frozenset({"metadata.name", "metadata.namespace"})
_DEFAULT_RULES = _FieldRules(_META, None, False)
_RULES: dict[tuple[str, str], _FieldRules] = {
    ("", "Pod"): _FieldRules(_META | {
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
        "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName", "spec.host",
    }, _pod_fields, True),
    ("", "Event"): _FieldRules(_META | {
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    }, _core_event_fields, True),
    ("events.k8s.io", "Event"): _FieldRules(_META | {
        "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion",
        "regarding.resourceVersion", "regarding.fieldPath", "reason", "reportingController", "source", "type",
    }, _events_v1_event_fields, True),
    ("", "Secret"): _FieldRules(_META | {"type"}, _secret_fields, True),
    # The Namespace conversion accepts metadata.name but not metadata.namespace.
    ("", "Namespace"): _FieldRules(frozenset({"metadata.name", "status.phase"}), _namespace_fields, True),
}


def _rules(kind: Kind) -> _FieldRules:
    return _RULES.get((kind.info.group, kind.info.kind), _DEFAULT_RULES)


def selectable_fields(kind: Kind, msg: Message) -> dict[str, str]:
    """Every field a field selector on this kind can name, with the object's value as a string.

    metadata.namespace reads "" for cluster-scoped kinds, as upstream's field set omits it.
    """
    m: Any = msg
    meta = m.metadata
    out: _Fields = {"metadata.name": meta.name, "metadata.namespace": meta.namespace if kind.info.namespaced else ""}
    extract = _rules(kind).extract
    if extract is not None:
        extract(m, out)
    return out


def check_field_selector(kind: Kind, sel: FieldSelector) -> None:
    """Refuse (400 BadRequest, upstream's message) a field selector naming a field the kind does not support."""
    rules = _rules(kind)
    for field, _, _ in sel.requirements():
        if field in rules.labels:
            continue
        if rules.registered:
            raise bad_request(f"field label not supported: {field}")
        raise bad_request(
            f'{_go_quote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"')
