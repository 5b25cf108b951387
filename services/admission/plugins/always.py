"""AlwaysAdmit and AlwaysDeny: upstream's deprecated test plugins, off unless enabled."""

from __future__ import annotations

from services.admission.attributes import Attributes, forbidden
from services.admission.chain import MutatingPlugin, ValidatingPlugin


class AlwaysAdmit(MutatingPlugin, ValidatingPlugin):
    name = "AlwaysAdmit"

    async def admit(self, a: Attributes) -> None:
        return None

    async def validate(self, a: Attributes) -> None:
        return None


class AlwaysDeny(MutatingPlugin, ValidatingPlugin):
    name = "AlwaysDeny"

    async def admit(self, a: Attributes) -> None:
        raise forbidden(a, "admission control is denying all modifications")

    async def validate(self, a: Attributes) -> None:
        raise forbidden(a, "admission control is denying all modifications")
