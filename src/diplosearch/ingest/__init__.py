"""Files in, passages with citations out.

UN documents downloaded by symbol from the Official Document System (`fetch`, with
`symbols` for how symbols are written, expanded and named on disk); finding and
decoding source files (`sources`), PDF meeting records (`pdf`, `pdflayout`,
`cover`), Word .docx files (`word`), paragraphs and text cleaning (`textclean`), page
furniture (`furniture`), speaker labels and invitations (`speakers`; labels in the other
official languages in `speaker_languages`), resolutions (`resolutions`), metadata from
sidecars and the bundled corpora (`metadata`, `corpora`, `countries`), the split into
cited passages (`documents`, `passages`). Which language a text is in lives in `text`.

May import: `text`, `diplosearch.errors` and the standard library, PDF, Word and
spreadsheet readers, an HTTP client (httpx, in `fetch` only).
Never imports `embed`, `store`, `retrieval` or anything above them.
"""
