"""Go's encoding/csv Reader, as tokenfile.NewCSV configures it (comma-separated, no comment
character, strict quotes, any number of fields per record).

Python's csv module reads the same files differently: it takes a bare quote inside an
unquoted field (Go refuses the file), and it ends a line at a lone carriage return (Go
keeps it in the field). Errors carry Go's wording and 1-based byte columns.
"""

from __future__ import annotations

from collections.abc import Iterator

BARE_QUOTE = 'bare " in non-quoted-field'
QUOTE = 'extraneous or missing " in quoted-field'


class CSVParseError(ValueError):
    """csv.ParseError."""

    def __init__(self, start_line: int, line: int, column: int, err: str) -> None:
        where = f"parse error on line {line}, column {column}: {err}"
        super().__init__(where if start_line == line else f"record on line {start_line}; {where}")


def _lines(data: bytes) -> list[bytes]:
    """readLine for each line: "\\r\\n" ends a line as "\\n" does, a trailing "\\r" at the end of the
    data is dropped, and a lone "\\r" elsewhere is data."""
    parts = data.split(b"\n")
    lines = [part[:-1] + b"\n" if part.endswith(b"\r") else part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1][:-1] if parts[-1].endswith(b"\r") else parts[-1])
    return lines


def _without_newline(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\n") else line


def read_records(data: bytes) -> Iterator[list[bytes]]:
    """Every record of the data, blank lines skipped; CSVParseError at the first malformed one."""
    lines = _lines(data)
    num_line = 0
    while num_line < len(lines):
        line = lines[num_line]
        num_line += 1
        if line in (b"\n", b""):
            continue
        record_line, column = num_line, 1
        fields: list[bytes] = []
        while True:
            if not line.startswith(b'"'):
                comma = line.find(b",")
                field = line[:comma] if comma >= 0 else _without_newline(line)
                quote = field.find(b'"')
                if quote >= 0:
                    raise CSVParseError(record_line, num_line, column + quote, BARE_QUOTE)
                fields.append(field)
                if comma < 0:
                    break
                line, column = line[comma + 1:], column + comma + 1
                continue
            line, column = line[1:], column + 1
            value = bytearray()
            more = False  # a comma follows the closing quote
            while True:
                quote = line.find(b'"')
                if quote >= 0:
                    value += line[:quote]
                    line, column = line[quote + 1:], column + quote + 1
                    if line.startswith(b'"'):  # "" is a quote
                        value += b'"'
                        line, column = line[1:], column + 1
                        continue
                    if line.startswith(b","):
                        line, column, more = line[1:], column + 1, True
                        fields.append(bytes(value))
                        break
                    if line in (b"\n", b""):
                        fields.append(bytes(value))
                        line = b""
                        break
                    raise CSVParseError(record_line, num_line, column - 1, QUOTE)
                value += line
                column += len(line)
                if num_line >= len(lines):  # the data ends inside the quotes
                    raise CSVParseError(record_line, num_line, column, QUOTE)
                line = lines[num_line]
                num_line += 1
                column = 1
            if not more:
                break
        yield fields
