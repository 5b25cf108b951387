"""Labels and label selectors (k8s.io/apimachinery pkg/apis/meta/v1/validation)."""

from __future__ import annotations

from collections.abc import Mapping

from apimachinery.validation.field import Errors, Path, each_invalid, forbidden, invalid, required
from apimachinery.validation.names import is_label_value, is_qualified_name
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1

SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_label_name(name: str, p: Path) -> Errors:
    return each_invalid(p, name, is_qualified_name(name))


def validate_labels(labels: Mapping[str, str], p: Path) -> Errors:
    """Every key a qualified name, every value a label value; errors name the map, not the key."""
    errs: Errors = []
    for k in sorted(labels):
        errs += validate_label_name(k, p)
        errs += each_invalid(p, labels[k], is_label_value(labels[k]))
    return errs


def validate_label_selector_requirement(req: metav1.LabelSelectorRequirement, p: Path,
                                        allow_invalid_values: bool = False) -> Errors:
    errs: Errors = []
    op = req.operator
    if op in ("In", "NotIn"):
        if not req.values:
            errs.append(required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
    elif op in ("Exists", "DoesNotExist"):
        if req.values:
            errs.append(forbidden(p.child("values"),
                                  "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    else:
        errs.append(invalid(p.child("operator"), op, "not a valid selector operator"))
    errs += validate_label_name(req.key, p.child("key"))
    if not allow_invalid_values:
        for i, v in enumerate(req.values):
            errs += each_invalid(p.child("values").index(i), v, is_label_value(v))
    return errs


def validate_label_selector(sel: metav1.LabelSelector, p: Path, allow_invalid_values: bool = False) -> Errors:
    errs = validate_labels(sel.matchLabels, p.child("matchLabels"))
    for i, req in enumerate(sel.matchExpressions):
        errs += validate_label_selector_requirement(req, p.child("matchExpressions").index(i), allow_invalid_values)
    return errs
