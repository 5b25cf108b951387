"""Content negotiation, as k8s.io/apiserver pkg/endpoints/handlers/negotiation does it.

Accept clauses are tried best first (by q, then by specificity); the first one
that names a media type the endpoint can produce, with parameters it can
honour, wins. `as`/`g`/`v` ask for a conversion (Table, PartialObjectMetadata
and its List, or aggregated discovery); `stream=watch` for the watch framing;
`pretty` for indentation. No acceptable clause is 406 NotAcceptable listing what
could be produced. An empty Accept gets the first media type (JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apimachinery.errors import StatusError

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"
MEDIA_TYPES = (JSON, YAML, PROTOBUF)
# YAML has no stream serializer upstream, so a watch cannot be served as YAML.
STREAM_MEDIA_TYPES = (JSON, PROTOBUF)
META_GROUP = "meta.k8s.io"
META_VERSIONS = ("v1", "v1beta1")


@dataclass(frozen=True)
class Clause:
    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    def param(self, key: str) -> str | None:
        for k, v in self.params:
            if k == key:
                return v
        return None


@dataclass(frozen=True)
class Output:
    """What to write: a media type, and the conversion asked for ("" for the object as it is)."""

    media_type: str = JSON
    convert: str = ""  # Table, PartialObjectMetadata, PartialObjectMetadataList, APIGroupDiscoveryList
    group: str = ""
    version: str = ""
    pretty: bool = False
    stream: str = ""

    @property
    def convert_api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def content_type(self) -> str:
        if self.convert == "APIGroupDiscoveryList":
            return f"{self.media_type};g={self.group};v={self.version};as={self.convert}"
        if self.convert:
            return f"{self.media_type};as={self.convert};g={self.group};v={self.version}"
        return self.media_type


def parse_accept(header: str) -> list[Clause]:
    """goautoneg.ParseAccept: clauses by q (highest first), then more specific first; q=0 dropped."""
    clauses: list[Clause] = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        mtype, _, subtype = pieces[0].partition("/")
        if not subtype:
            subtype = "*"
        q = 1.0
        params: list[tuple[str, str]] = []
        for p in pieces[1:]:
            key, _, value = p.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
            elif key:
                params.append((key, value))
        if q > 0:
            clauses.append(Clause(mtype.strip().lower(), subtype.strip().lower(), tuple(params), q))
    clauses.sort(key=lambda c: (-c.q, c.type == "*", c.subtype == "*"))
    return clauses


def not_acceptable(accepted: tuple[str, ...] | list[str]) -> StatusError:
    return StatusError(406, "NotAcceptable", f"only the following media types are accepted: {', '.join(accepted)}")


def unsupported_media_type(accepted: tuple[str, ...] | list[str]) -> StatusError:
    return StatusError(415, "UnsupportedMediaType",
                       "the body of the request was in an unknown format - accepted media types include: "
                       + ", ".join(accepted))


# (media type, convert kind, group, version) -> allowed?
Transform = Callable[[str, str, str, str], bool]


def resource_transforms(media_type: str, kind: str, group: str, version: str) -> bool:
    """RequestScope.AllowsMediaTypeTransform: Table as JSON/YAML, PartialObjectMetadata(List) as any."""
    if not kind and not group and not version:
        return True
    if group != META_GROUP or version not in META_VERSIONS:
        return False
    if kind == "Table":
        return media_type in (JSON, YAML)
    return kind in ("PartialObjectMetadata", "PartialObjectMetadataList")


def no_transforms(media_type: str, kind: str, group: str, version: str) -> bool:
    return not kind and not group and not version


_NegotiationKey = tuple[str, tuple[str, ...], Transform, bool]
# Clients send a handful of distinct Accept headers: each answer is worked out once (refusals are not kept).
_NEGOTIATED: dict[_NegotiationKey, Output] = {}
_NEGOTIATED_MAX = 512


def negotiate(accept: str, media_types: tuple[str, ...] = MEDIA_TYPES, allows: Transform = resource_transforms,
              stream: bool = False) -> Output:
    key = (accept, media_types, allows, stream)
    out = _NEGOTIATED.get(key)
    if out is None:
        out = _negotiate(accept, media_types, allows, stream)
        if len(_NEGOTIATED) >= _NEGOTIATED_MAX:
            _NEGOTIATED.clear()
        _NEGOTIATED[key] = out
    return out


def _negotiate(accept: str, media_types: tuple[str, ...], allows: Transform, stream: bool) -> Output:
    if not accept.strip():
        return Output(media_types[0])
    chosen: Output | None = None
    chosen_q = 0.0
    for clause in parse_accept(accept):
        if chosen is not None and clause.q < chosen_q:
            break
        for media_type in media_types:
            mtype, _, subtype = media_type.partition("/")
            if not ((clause.type == "*" and clause.subtype == "*")
                    or (clause.type == mtype and clause.subtype in (subtype, "*"))):
                continue
            output = _accept_options(clause, media_type, allows, stream)
            if output is None:
                continue
            if output.media_type != PROTOBUF:
                return output
            # Our protobuf payload is numbered our own way (docs/decisions.md): a client that takes
            # JSON as readily (client-go sends "protobuf,json") gets JSON, which it surely reads.
            if chosen is None:
                chosen, chosen_q = output, clause.q
    if chosen is not None:
        return chosen
    if stream:
        raise not_acceptable([f"{m};stream=watch" for m in media_types if m in STREAM_MEDIA_TYPES])
    raise not_acceptable(media_types)


def _accept_options(clause: Clause, media_type: str, allows: Transform, stream: bool) -> Output | None:
    kind = group = version = stream_param = ""
    pretty = False
    for key, value in clause.params:
        if key == "as":
            kind = value
        elif key == "g":
            group = value
        elif key == "v":
            version = value
        elif key == "stream":
            if value and (value != "watch" or media_type not in STREAM_MEDIA_TYPES):
                return None
            stream_param = value
        elif key == "pretty":
            pretty = value == "1"
    if stream and media_type not in STREAM_MEDIA_TYPES:
        return None
    if not allows(media_type, kind, group, version):
        return None
    return Output(media_type, kind, group, version, pretty, stream_param)


def pretty_requested(query_pretty: str | None, user_agent: str) -> bool:
    """isPrettyPrint: ?pretty=true, or a human client (curl, wget, browsers)."""
    if query_pretty:
        return query_pretty.lower() in ("1", "t", "true")
    return user_agent.startswith(("curl", "Wget", "Mozilla/5.0"))


def input_media_type(content_type: str, accepted: tuple[str, ...] = MEDIA_TYPES) -> str:
    """The body's media type (empty = JSON), or 415 listing what is accepted."""
    if not content_type.strip():
        return accepted[0]
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in accepted:
        return media_type
    raise unsupported_media_type(accepted)
