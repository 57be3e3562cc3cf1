"""Where links point: canonical IRIs under the base mapped to this site's address, the rest left as is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Links:
    """``base``: the canonical IRI base (``https://w3id.org/hemicycle/``); ``public``: where the pages are
    served (``http://127.0.0.1:8000/``), or a root-relative prefix (``/``) for a static export."""

    base: str
    public: str

    def href(self, iri: str) -> str:
        """The address a browser follows for ``iri``: on this site when the IRI is one of ours."""
        if iri.startswith(self.base):
            return self.public + iri[len(self.base) :]
        return iri

    def path(self, path: str) -> str:
        """The address of a path of this site (``question/QANR5L15QE40439``, ``search``, ``""``)."""
        return self.public + path.lstrip("/")

    def local(self, iri: str) -> str | None:
        """The path of one of our IRIs relative to the base, ``None`` for any other IRI."""
        return iri[len(self.base) :] if iri.startswith(self.base) else None
