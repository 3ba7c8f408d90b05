"""Which changes a later revision made to a signed contract: a fast, strict path in front of
pyHanko's difference analysis.

pyHanko's analysis reads every object of the signed revision to learn every path to every
object (most of the time of verifying a contract). A revision that only adds one signature the
way pyHanko signs is recognised here from the few objects it writes; anything else, however
harmless, is left to pyHanko's full analysis, so this path can only ever say "yes" where pyHanko
would too, never "no" in its place.
"""

from __future__ import annotations

import io
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    DiffPolicy,
    DiffResult,
    MetadataUpdateRule,
    ModificationLevel,
    SuspiciousModification,
)

#: Everything a signature field pyHanko creates (invisible, merged with its widget) may hold.
_FIELD_KEYS = frozenset({"/FT", "/T", "/Type", "/Subtype", "/F", "/Rect", "/P", "/V"})
#: /Info entries the signer rewrites.
_INFO_KEYS = frozenset({"/ModDate", "/Producer"})
_WS = rb"[\x00\t\n\x0b\x0c\r ]+"


class SigningOnlyPolicy(DiffPolicy):
    """pyHanko's standard policy, answered without its full analysis when every revision after
    the signed one merely adds a signature (see :func:`signature_only_fields`)."""

    def __init__(self, fallback: DiffPolicy = DEFAULT_DIFF_POLICY):
        self.fallback = fallback

    def apply(self, old, new, field_mdp_spec=None, doc_mdp=None) -> DiffResult:
        return self.fallback.apply(old, new, field_mdp_spec, doc_mdp)

    def review_file(
        self, reader, base_revision, field_mdp_spec=None, doc_mdp=None
    ) -> DiffResult | SuspiciousModification:
        if field_mdp_spec is None and doc_mdp is None and isinstance(base_revision, int):
            added = signature_only_fields(reader, base_revision)
            if added is not None:
                return DiffResult(ModificationLevel.FORM_FILLING, added)
        return self.fallback.review_file(reader, base_revision, field_mdp_spec, doc_mdp)


SIGNING_ONLY = SigningOnlyPolicy()


def signature_only_fields(reader: PdfFileReader, base_revision: int) -> set[str] | None:
    """The names of the signature fields that the revisions after ``base_revision`` added, when
    that is all they did; None when any of them did anything else (or anything this check does
    not know), which is not a verdict: ask pyHanko's full analysis then."""
    xrefs = reader.xrefs
    last = xrefs.total_revisions - 1
    if base_revision >= last or xrefs.hybrid_xrefs_present:
        return None
    if any(xrefs.object_streams_used_in(r) for r in range(last + 1)):
        return None  # references inside compressed object streams escape the byte scan below
    data = reader.stream.getvalue()
    added: set[str] = set()
    for revision in range(base_revision + 1, last + 1):
        try:
            name = _added_signature_field(
                reader.get_historical_resolver(revision - 1),
                reader.get_historical_resolver(revision),
                data,
            )
        except Exception:  # a damaged or unusual file: pyHanko's analysis has the last word
            return None
        if name is None or name in added:
            return None
        added.add(name)
    return added


def _added_signature_field(
    old: HistoricalResolver, new: HistoricalResolver, data: bytes
) -> str | None:
    """The name of the one signature field ``new`` adds to ``old``, when it changes nothing else
    than what adding it needs: the field (also its widget) and its signature dictionary as the
    only new objects, the field appended to the form's /Fields and to its page's /Annots, the
    /Info dates and producer, and the XMP metadata stream rewritten as well-formed XMP."""
    xrefs = new.reader.xrefs
    if new.refs_freed_in_revision() or xrefs.get_xref_container_info(new.revision).stream_ref:
        return None
    old_trailer, new_trailer = old.trailer_view, new.trailer_view
    if "/Encrypt" in new_trailer or "/Encrypt" in old_trailer:
        return None
    info_ref = _ref(_get(old_trailer, "/Info"))
    if _get(new_trailer, "/Root") != _get(old_trailer, "/Root"):
        return None
    if _ref(_get(new_trailer, "/Info")) != info_ref:
        return None

    old_root = old.root
    form_ref = _ref(_get(old_root, "/AcroForm"))
    if form_ref is None:
        return None
    fields = _get(new(form_ref), "/Fields")
    if not isinstance(fields, generic.ArrayObject) or not fields:
        return None
    field_ref = _ref(fields.raw_get(len(fields) - 1))
    field = new(field_ref) if field_ref else None
    if not isinstance(field, generic.DictionaryObject) or not set(field) <= _FIELD_KEYS:
        return None
    name = _get(field, "/T")
    sig_ref, page_ref = _ref(_get(field, "/V")), _ref(_get(field, "/P"))
    if not (
        _get(field, "/FT") == "/Sig"
        and _get(field, "/Type") == "/Annot"
        and _get(field, "/Subtype") == "/Widget"
        and isinstance(name, generic.TextStringObject)
        and sig_ref
        and page_ref
    ):
        return None
    explicit = new.explicit_refs_in_revision()
    fresh = {ref for ref in explicit if old.is_ref_unassignable(ref)}
    if fresh != {field_ref, sig_ref} or page_ref not in explicit:
        return None
    # the signature dictionary as the current file has it, already read for its validation (a
    # later revision that rewrote it differently is refused when that revision is checked)
    sig = new.reader.get_object(sig_ref)
    if not isinstance(sig, generic.DictionaryObject) or _get(sig, "/Type") != "/Sig":
        return None
    if "/Reference" in sig:  # DocMDP / FieldMDP: a certification or a lock, pyHanko's business
        return None

    metadata_ref = _ref(_get(old_root, "/Metadata"))
    checks = {
        form_ref: lambda o, n: _appended(o, n, "/Fields", field_ref),
        page_ref: lambda o, n: _is_page(old, page_ref) and _appended(o, n, "/Annots", field_ref),
        info_ref: _info_dates_only,
        metadata_ref: lambda o, n: _xmp(old, metadata_ref) and _xmp(new, metadata_ref),
    }
    if len(checks) != 4:
        return None  # one object in two roles
    changed = set()
    for ref in explicit - fresh:
        before, after = old(ref), new(ref)
        if _dump(before) != _dump(after):
            if ref not in checks or not checks[ref](before, after):
                return None
            changed.add(ref)
    if not {form_ref, page_ref} <= changed:
        return None

    old_names = {str(_get(old(_ref(f)), "/T")) for f in old(form_ref).raw_get("/Fields")}
    if str(name) in old_names:
        return None
    # a reference to a new object from inside the signed revision (dangling there) would now
    # resolve to it: the signed bytes must not mention either new object
    end = xrefs.get_xref_container_info(old.revision).end_location
    if any(_mentions(data, end, ref) for ref in fresh):
        return None
    return str(name)


def _mentions(data: bytes, end: int, ref: generic.Reference) -> bool:
    """``data[:end]`` may hold the reference ``ref`` ("12 0 R", also "012  0\nR")."""
    # starting with the literal number lets the search skip ahead fast; the number must not
    # continue a longer one (leading zeros aside)
    pattern = rb"%d%s0*%d%sR" % (ref.idnum, _WS, ref.generation, _WS)
    for match in re.finditer(pattern, data[:end]):
        start = match.start()
        while start > 0 and data[start - 1] == ord("0"):
            start -= 1
        if start == 0 or not data[start - 1 : start].isdigit():
            return True
    return False


def _appended(old: generic.PdfObject, new: generic.PdfObject, key: str, item) -> bool:
    """``new`` is ``old`` with ``item`` appended to its direct array ``key`` (made if absent)."""
    if not (
        isinstance(old, generic.DictionaryObject) and isinstance(new, generic.DictionaryObject)
    ):
        return False
    if _dump(_without(old, key)) != _dump(_without(new, key)):
        return False
    before = _get(old, key) if key in old else generic.ArrayObject()
    after = _get(new, key)
    if not (isinstance(before, generic.ArrayObject) and isinstance(after, generic.ArrayObject)):
        return False
    item_obj = generic.IndirectObject(item.idnum, item.generation, None)
    return _dump(after) == _dump(generic.ArrayObject([*before, item_obj]))


def _is_page(old: HistoricalResolver, page_ref: generic.Reference) -> bool:
    """``page_ref`` is a page (a leaf) of the signed revision's page tree."""
    nodes, seen = [_ref(_get(old.root, "/Pages"))], set()
    while nodes:
        node_ref = nodes.pop()
        node = old(node_ref) if node_ref and node_ref not in seen else None
        if len(seen) > 100_000 or not isinstance(node, generic.DictionaryObject):
            return False
        seen.add(node_ref)
        kids = _get(node, "/Kids")
        if _get(node, "/Type") != "/Pages" or not isinstance(kids, generic.ArrayObject):
            return False
        kid_refs = [_ref(kid) for kid in kids]
        if page_ref in kid_refs:
            return _get(old(page_ref), "/Type") == "/Page"
        nodes += [ref for ref in kid_refs if _get(old(ref), "/Type") == "/Pages"]
    return False


def _info_dates_only(old: generic.PdfObject, new: generic.PdfObject) -> bool:
    if not (
        isinstance(old, generic.DictionaryObject) and isinstance(new, generic.DictionaryObject)
    ):
        return False
    return _dump(_without(old, *_INFO_KEYS)) == _dump(_without(new, *_INFO_KEYS)) and all(
        isinstance(new.raw_get(k), generic.TextStringObject) for k in _INFO_KEYS if k in new
    )


def _xmp(resolver: HistoricalResolver, ref: generic.Reference) -> bool:
    """``ref`` is, in ``resolver``'s revision, a plain XMP stream that pyHanko's metadata rule
    accepts (well-formed, no entities)."""
    stream = resolver(ref)
    if not isinstance(stream, generic.StreamObject) or not isinstance(_get(stream, "/Length"), int):
        return False
    if set(stream) - {"/Type", "/Subtype", "/Length"}:
        return False
    try:
        MetadataUpdateRule.is_well_formed_xml(
            generic.IndirectObject(ref.idnum, ref.generation, resolver)
        )
    except SuspiciousModification:
        return False
    return True


def _ref(obj) -> generic.Reference | None:
    return obj.reference if isinstance(obj, generic.IndirectObject) else None


def _get(d, key: str):
    """``d[key]`` not dereferenced; None when absent."""
    return d.raw_get(key) if key in d else None


def _without(d: generic.DictionaryObject, *keys: str) -> generic.DictionaryObject:
    return generic.DictionaryObject({k: d.raw_get(k) for k in d if k not in keys})


def _dump(obj: generic.PdfObject) -> bytes:
    """Serialised form: equal means the same object (type, value and references)."""
    out = io.BytesIO()
    if isinstance(obj, generic.StreamObject):
        # the dictionary and the encoded bytes exactly as stored, not re-encoded
        _without(obj).write_to_stream(out, None)
        out.write(b"stream" + obj.encoded_data)
    else:
        obj.write_to_stream(out, None)
    return out.getvalue()
