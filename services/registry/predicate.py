"""Which objects a list or watch selects: label and field selectors over an object's attributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from apimachinery.scheme import Kind, Scheme
from apimachinery.selectors import FieldSelector, LabelSelector, check_field_selector, selectable_fields
from kubeproto.registry.v1 import registry_pb2
from services.registry import envelope

_META_FIELDS = {"metadata.name", "metadata.namespace"}


class Attrs(NamedTuple):
    # Two str-to-str dicts, which the collector does not track; the tuple is all it walks.
    labels: Mapping[str, str]
    fields: Mapping[str, str]


class AttrsReader:
    """Reads the selectable attributes of a kind's objects, parsing no more than needed."""

    def __init__(self, scheme: Scheme, kind: Kind) -> None:
        self.scheme = scheme
        self.kind = kind
        self.metadata_only = set(selectable_fields(kind, kind.message_class())) <= _META_FIELDS

    def read(self, obj: registry_pb2.Object) -> Attrs:
        if self.metadata_only:
            meta = envelope.metadata(obj).metadata
            fields = {"metadata.name": meta.name}
            if self.kind.info.namespaced:
                fields["metadata.namespace"] = meta.namespace
            return Attrs(dict(meta.labels), fields)
        _, msg = self.scheme.from_object(obj)
        return Attrs(dict(msg.metadata.labels), selectable_fields(self.kind, msg))  # type: ignore[attr-defined]


class Predicate:
    def __init__(self, kind: Kind, label_selector: str = "", field_selector: str = "") -> None:
        self.labels = LabelSelector.parse(label_selector)
        self.fields = FieldSelector.parse(field_selector)
        check_field_selector(kind, self.fields)
        self.everything = self.labels.empty() and self.fields.empty()

    def matches(self, attrs: Attrs) -> bool:
        if self.everything:
            return True
        return self.labels.matches(attrs.labels) and self.fields.matches(attrs.fields)
