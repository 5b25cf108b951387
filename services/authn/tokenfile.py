"""--token-auth-file: static bearer tokens, one CSV record each: token,user,uid[,"group1,group2"].

Parsed as upstream's tokenfile.NewCSV parses it: Go's encoding/csv (gocsv: quoted
fields, no comments, blank lines skipped, a bare quote refused), at least three
columns per record, records with an empty token skipped, a later duplicate wins.
A malformed file is reported with Go's own words, as kube-apiserver reports it.
"""

from __future__ import annotations

from pathlib import Path

from apimachinery import logs
from services.authn.audiences import Audiences, agnostic
from services.authn.gocsv import read_records
from services.authn.user import Response, UserInfo

log = logs.get("authn")


def load_token_file(path: str | Path) -> dict[str, UserInfo]:
    """token -> user; ValueError with upstream's wording on a malformed file."""
    data = Path(path).read_bytes()
    tokens: dict[str, UserInfo] = {}
    record_num = 0
    for fields in read_records(data):
        record = [field.decode("utf-8") for field in fields]
        if len(record) < 3:
            raise ValueError(f"token file '{path}' must have at least 3 columns (token, user name, user uid), "
                             f"found {len(record)}")
        record_num += 1
        if record[0] == "":
            log.warning("empty token in token file", path=str(path), record=record_num)
            continue
        if record[0] in tokens:
            log.warning("duplicate token in token file", path=str(path), record=record_num)
        groups = tuple(record[3].split(",")) if len(record) >= 4 else ()
        tokens[record[0]] = UserInfo(record[1], record[2], groups)
    return tokens


class TokenFileAuthenticator:
    name = "token-file"

    def __init__(self, tokens: dict[str, UserInfo], api_audiences: Audiences) -> None:
        self.tokens = tokens
        self.api_audiences = api_audiences

    async def authenticate_token(self, token: str, audiences: Audiences | None) -> Response | None:
        auds = agnostic(self.api_audiences, audiences)
        if auds is None:
            return None
        user = self.tokens.get(token)
        if user is None:
            return None
        return Response(user, self.name, auds)
