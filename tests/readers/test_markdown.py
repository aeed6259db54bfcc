"""Markdown reader: what is prose, what is masked, and that every offset survives."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from healthlint.model import Document
from healthlint.readers import load, markdown


def read(text: str) -> Document:
    doc = markdown.read("post.md", text)
    check(doc)
    return doc


def check(doc: Document) -> None:
    """The reader's promises: same length, line breaks in place, sane blocks and comments."""
    src, prose = doc.source, doc.prose
    assert len(prose) == len(src)
    assert [m.start() for m in re.finditer(r"[\r\n]", prose)] == [
        m.start() for m in re.finditer(r"[\r\n]", src)
    ]
    last = 0
    for block in doc.blocks:
        start, end = block.span.start, block.span.end
        assert last <= start < end <= len(src)
        assert not prose[start].isspace() and not prose[end - 1].isspace()
        last = end
    for comment in doc.comments:
        assert 0 <= comment.start < comment.end <= len(src)


def kept(doc: Document, word: str, nth: int = 0) -> None:
    """The nth occurrence of `word` in the source is prose, character for character."""
    index = -1
    for _ in range(nth + 1):
        index = doc.source.index(word, index + 1)
    assert doc.prose[index : index + len(word)] == word


def masked(doc: Document, *words: str) -> None:
    for word in words:
        assert word not in doc.prose, word


def blocks(doc: Document) -> list[tuple[str, str]]:
    return [(b.role, doc.text(b.span)) for b in doc.blocks]


# --- structure ---------------------------------------------------------------------------------


def test_heading_paragraph_and_items_are_separate_blocks():
    doc = read("# Ketamine Cures Depression\nIt works fast.\n\n- Cures anxiety\n- Cures pain\n")
    assert blocks(doc) == [
        ("heading", "Ketamine Cures Depression"),
        ("paragraph", "It works fast."),
        ("item", "Cures anxiety"),
        ("item", "Cures pain"),
    ]
    masked(doc, "#", "-")


def test_setext_heading_quote_and_nested_list():
    doc = read("Title Here\n==========\n\n> Quoted claim.\n> More.\n\n1. One\n   - Nested\n2. Two\n")
    assert blocks(doc) == [
        ("heading", "Title Here"),
        ("quote", "Quoted claim.\n> More."),
        ("item", "One"),
        ("item", "Nested"),
        ("item", "Two"),
    ]
    masked(doc, "=", ">", "1.", "2.")


def test_list_item_paragraphs_are_blocks_of_their_own():
    doc = read("- First para.\n\n  Second para.\n- Next item\n")
    assert blocks(doc) == [("item", "First para."), ("item", "Second para."), ("item", "Next item")]


def test_emphasis_markers_masked_content_kept():
    doc = read("It **really** _works_ ~~always~~ *now*.\n")
    for word in ("really", "works", "always", "now"):
        kept(doc, word)
    masked(doc, "*", "_", "~")
    assert blocks(doc) == [("paragraph", "It **really** _works_ ~~always~~ *now*.")]


def test_hard_line_break_markers_masked():
    doc = read("one  \ntwo\\\nthree\n")
    assert doc.prose == "one  \ntwo \nthree\n"


def test_escaped_characters_keep_the_character_not_the_backslash():
    doc = read("5\\* stars \\# not heading\n")
    assert doc.prose == "5 * stars  # not heading\n"


def test_task_list_box_masked():
    doc = read("- [x] Done item\n- [ ] Open item\n")
    assert blocks(doc) == [("item", "Done item"), ("item", "Open item")]
    masked(doc, "[x]", "[ ]")


def test_thematic_break_masked():
    doc = read("Above.\n\n***\n\nBelow.\n")
    assert blocks(doc) == [("paragraph", "Above."), ("paragraph", "Below.")]


# --- code, links, images, URLs -------------------------------------------------------------------


def test_fenced_and_indented_code_masked():
    doc = read(
        "Before.\n\n```python\ncure = True\n```\n\n~~~\ncures all\n~~~\n\n    indented cure\n\nAfter.\n"
    )
    masked(doc, "cure", "python", "```", "~~~")
    assert blocks(doc) == [("paragraph", "Before."), ("paragraph", "After.")]


def test_inline_code_masked():
    doc = read("Run `cure --now` then ``a ` b`` here.\n")
    masked(doc, "cure", "`", " b")
    kept(doc, "Run")
    kept(doc, "here.")


def test_link_text_kept_url_and_title_masked():
    doc = read('See [our proven cure](https://x.example/cure "Cure title") today.\n')
    kept(doc, "our proven cure")
    masked(doc, "https", "x.example", "title", "[", "](")
    assert blocks(doc) == [("paragraph", 'See [our proven cure](https://x.example/cure "Cure title") today.')]


def test_reference_links_and_definitions():
    doc = read('Read [the study][ref] and [Ref].\n\n[ref]: https://example.org/s "Study title"\n')
    kept(doc, "the study")
    kept(doc, "Ref")
    masked(doc, "example", "Study title")
    assert len(doc.blocks) == 1


def test_image_alt_is_its_own_block_and_url_masked():
    doc = read('Before ![Patient cured in a day](img/cure.png "t") after.\n')
    kept(doc, "Patient cured in a day")
    masked(doc, "img/", ".png")
    assert blocks(doc) == [
        ("paragraph", "Before"),
        ("alt", "Patient cured in a day"),
        ("paragraph", "after."),
    ]


def test_image_inside_link():
    doc = read("[![Alt words](a.png)](https://x.org)\n")
    assert blocks(doc) == [("alt", "Alt words")]
    masked(doc, "a.png", "x.org")


def test_autolinks_and_bare_urls_masked():
    doc = read("Visit <https://cure.example/a> or www.cure.example or https://b.example/x, mail <a@b.co>.\n")
    masked(doc, "cure.example", "b.example", "a@b.co", "https")
    kept(doc, "Visit")
    kept(doc, "or", 0)


# --- HTML inside Markdown ----------------------------------------------------------------------


def test_html_comments_recorded_and_masked():
    doc = read(
        "Text <!-- healthlint-disable-line HL101 --> here.\n\n<!-- healthlint-disable HL102 -->\n\nMore.\n"
    )
    assert [doc.text(c) for c in doc.comments] == [
        "<!-- healthlint-disable-line HL101 -->",
        "<!-- healthlint-disable HL102 -->",
    ]
    masked(doc, "healthlint", "<!--", "-->")


def test_comments_inside_code_are_not_recorded():
    doc = read("`<!-- healthlint-disable -->`\n\n```\n<!-- healthlint-disable -->\n```\n\n    <!-- x -->\n")
    assert doc.comments == ()
    masked(doc, "healthlint")


def test_inline_html_tags_masked_text_kept():
    doc = read('A <span class="x">miracle</span> cure.\n')
    kept(doc, "miracle")
    masked(doc, "span", "class")


def test_html_block_reuses_html_masking():
    text = (
        '<div class="hero">\n<p>Guaranteed <b>results</b> &amp; more</p>\n'
        '<img src="a.png" alt="Smiling patient">\n<!-- healthlint-disable HL1 -->\n</div>\n\nAfter.\n'
    )
    doc = read(text)
    kept(doc, "Guaranteed")
    kept(doc, "results")
    kept(doc, "Smiling patient")
    masked(doc, "hero", "class", "a.png", "<p>", "healthlint")
    assert [doc.text(c) for c in doc.comments] == ["<!-- healthlint-disable HL1 -->"]
    roles = blocks(doc)
    assert ("alt", "Smiling patient") in roles
    assert roles[-1] == ("paragraph", "After.")


def test_html_block_inside_quote_and_list():
    doc = read("> <div>\n> Quoted html\n> </div>\n\n- <p>\n  Listed html\n  </p>\n")
    kept(doc, "Quoted html")
    kept(doc, "Listed html")
    masked(doc, ">", "div", "<p")
    assert [text for _, text in blocks(doc)] == ["Quoted html", "Listed html"]


def test_html_block_text_outside_elements_takes_the_container_role():
    doc = read("- <span>\n  lead text\n  </span>\n\n> <span>\n> quoted text\n")
    assert blocks(doc) == [("item", "lead text"), ("quote", "quoted text")]
    masked(doc, "span", ">")


def test_html_block_script_masked():
    doc = read("<script>\nvar cure = 1;\n</script>\n\nText.\n")
    masked(doc, "cure", "script")
    assert blocks(doc) == [("paragraph", "Text.")]


def test_entities_masked():
    doc = read("Fish &amp; chips &#169; &#x2014; &notanentity; ok\n")
    masked(doc, "&amp;", "&#169;", "&#x2014;")
    kept(doc, "&notanentity;")
    assert doc.prose.startswith("Fish       chips")


# --- tables ------------------------------------------------------------------------------------


def test_table_cells_are_blocks_and_pipes_masked():
    doc = read("| Treatment | Result |\n|---|:---:|\n| Ketamine | Cures \\| helps |\n| Other |\n")
    assert blocks(doc) == [
        ("cell", "Treatment"),
        ("cell", "Result"),
        ("cell", "Ketamine"),
        ("cell", "Cures \\| helps"),
        ("cell", "Other"),
    ]
    masked(doc, "---")
    assert "\\" not in doc.prose
    kept(doc, "| helps")


# --- front matter ------------------------------------------------------------------------------


def test_front_matter_title_and_description_kept_rest_masked():
    text = (
        '---\ntitle: Cure Depression Fast\ndescription: "Proven relief for everyone"\n'
        "author: Dr Cure\ntags: [cure, miracle]\n---\n# Body\n"
    )
    doc = read(text)
    assert doc.meta == {
        "title": "Cure Depression Fast",
        "description": "Proven relief for everyone",
        "author": "Dr Cure",
        "tags": ["cure", "miracle"],
    }
    kept(doc, "Cure Depression Fast")
    kept(doc, "Proven relief for everyone")
    masked(doc, "title", "description", "author", "Dr Cure", "miracle", "---", '"')
    assert blocks(doc) == [
        ("meta", "Cure Depression Fast"),
        ("meta", "Proven relief for everyone"),
        ("heading", "Body"),
    ]


def test_front_matter_block_scalar_and_single_quotes():
    text = "---\ndescription: >\n  Folded cure\n  text here\ntitle: 'It''s a cure'\n---\nBody.\n"
    doc = read(text)
    assert doc.meta["description"] == "Folded cure text here\n"
    assert blocks(doc)[:2] == [("meta", "Folded cure\n  text here"), ("meta", "It''s a cure")]
    masked(doc, ">")


def test_front_matter_non_string_title_masked():
    doc = read("---\ntitle: 2024\ndescription: [a, b]\n---\nBody.\n")
    assert doc.meta == {"title": 2024, "description": ["a", "b"]}
    assert blocks(doc) == [("paragraph", "Body.")]


def test_invalid_front_matter_masked_without_meta():
    for fm in ("title: [unclosed\n", "- a list\n- not a mapping\n", "date: 2024-13-45\n", "just text\n"):
        doc = read(f"---\n{fm}---\nBody text.\n")
        assert doc.meta == {}
        assert blocks(doc) == [("paragraph", "Body text.")], fm
        masked(doc, "---")


def test_front_matter_only_at_the_very_top():
    doc = read("Intro.\n\n---\ntitle: x\n---\n")
    assert doc.meta == {}
    kept(doc, "Intro.")


def test_unclosed_front_matter_is_not_front_matter():
    doc = read("---\ntitle: x\n\nBody.\n")
    assert doc.meta == {}
    kept(doc, "Body.")


def test_empty_front_matter_and_dots_terminator():
    assert read("---\n---\nBody.\n").meta == {}
    doc = read("---\ntitle: Hi there\n...\nBody.\n")
    assert doc.meta == {"title": "Hi there"}
    kept(doc, "Hi there")


# --- positions: line endings, BOM, tabs, Unicode -------------------------------------------------

SAMPLE = (
    "---\ntitle: Fast Cure\n---\n# Heading one\n\nPara with [link text](http://u.example) and `code`.\n"
    "Second line <!-- note -->.\n\n- item **bold**\n- item two\n\n> quote\n\n"
    "| a | b |\n|---|---|\n| c | d |\n"
)


def _texts(doc: Document) -> list[tuple[str, str]]:
    return [(role, re.sub(r"\r\n?", "\n", text)) for role, text in blocks(doc)]


def test_crlf_and_lone_cr_give_the_same_blocks_at_true_offsets():
    lf = read(SAMPLE)
    for ending in ("\r\n", "\r"):
        doc = read(SAMPLE.replace("\n", ending))
        assert _texts(doc) == _texts(lf)
        assert doc.meta == lf.meta
        assert [doc.text(c) for c in doc.comments] == ["<!-- note -->"]
        kept(doc, "link text")
        kept(doc, "Fast Cure")
        masked(doc, "http", "code")


def test_crlf_offsets_map_back_exactly():
    doc = read("# A\r\n\r\nb `c` d\r\n\r\n- e\r\n- f\r\n")
    assert doc.prose == "  A\r\n\r\nb     d\r\n\r\n  e\r\n  f\r\n"
    assert blocks(doc) == [("heading", "A"), ("paragraph", "b `c` d"), ("item", "e"), ("item", "f")]


def test_mixed_line_endings():
    doc = read("one\r\ntwo\rthree\nfour `x`\r\n")
    assert doc.prose == "one\r\ntwo\rthree\nfour    \r\n"


def test_bom_dropped_by_load():
    doc = load("post.md", "\ufeff# Title\r\n\r\nText.\r\n".encode())
    assert doc.source == "# Title\r\n\r\nText.\r\n"
    assert doc.format == "markdown"
    assert blocks(doc) == [("heading", "Title"), ("paragraph", "Text.")]


def test_utf16_file_read_as_markdown():
    doc = load("post.md", "# Título 😀\n\nTexto.\n".encode("utf-16"))
    assert blocks(doc) == [("heading", "Título 😀"), ("paragraph", "Texto.")]


def test_tabs():
    doc = read("-\tTabbed item\n-\tSecond\n\n#\tTab heading\n\n\tcode cure\n\nEnd\tof text.\n")
    assert blocks(doc) == [
        ("item", "Tabbed item"),
        ("item", "Second"),
        ("heading", "Tab heading"),
        ("paragraph", "End\tof text."),
    ]
    masked(doc, "cure")


def test_curly_quotes_and_emoji_positions():
    doc = read("# “Best” cure 😀\n\nIt’s 100% 🧠 guaranteed — “really”.\n")
    kept(doc, "“Best” cure 😀")
    kept(doc, "guaranteed")
    kept(doc, "“really”.")
    start = doc.source.index("guaranteed")
    assert doc.prose[start:].startswith("guaranteed")
    assert blocks(doc)[1] == ("paragraph", "It’s 100% 🧠 guaranteed — “really”.")


def test_long_line():
    line = ("word " * 1000).strip()
    doc = read(f"Intro.\n\n{line} *end*.\n")
    assert len(line) > 4900
    assert blocks(doc)[1][1].startswith("word word")
    kept(doc, "end")


def test_nul_and_form_feed_do_not_shift_offsets():
    doc = read("a\x00b cure\x0cnext line\n")
    kept(doc, "cure")
    kept(doc, "next line")


def test_deep_nesting_falls_back_without_raising():
    doc = read(">" * 3000 + " deep\n")
    assert doc.format == "markdown"
    kept(doc, "deep")


def test_input_marko_parses_forever_is_read_as_text():
    # marko 2.2.4 re-parses a quote that consumes nothing inside these nested items, endlessly
    doc = read("\n1. -\t > \n\nA cure.\n")
    assert doc.format == "markdown"
    kept(doc, "A cure.")


def test_html_block_reaching_past_the_end():
    # html.parser reports the unterminated `<![` section up to a '>' that is not there
    doc = read("<![<div>a")
    assert doc.prose.strip() == ""


def test_empty_and_blank_documents():
    assert read("").blocks == ()
    assert read("\n\n  \r\n").blocks == ()


# --- properties --------------------------------------------------------------------------------

MD_TOKENS = st.sampled_from(
    [
        *"ab Z\n\r\t#*_-+[]()!<>`~|:=&;\\/\"'.1 ",
        "😀",
        "é",
        "“",
        "\r\n",
        "    ",
        "---\n",
        "```",
        "~~~",
        "<!--",
        "-->",
        "http://x.y",
        "www.a.b",
        "&amp;",
        "&#35;",
        "<div>",
        "</div>",
        "<p>",
        "<b>",
        "> ",
        "- ",
        "1. ",
        "| a |",
        "|---|",
        "![",
        "](",
        "title: ",
        "\x0c",
        "\x00",
    ]
)
MARKDOWNISH = st.lists(MD_TOKENS, max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_property_any_text(text):
    check(markdown.read("p.md", text))


@settings(max_examples=250, deadline=None)
@given(MARKDOWNISH)
def test_property_markdownish(text):
    check(markdown.read("p.md", text))


@settings(max_examples=100, deadline=None)
@given(MARKDOWNISH, MARKDOWNISH)
def test_property_front_matter(front, body):
    doc = markdown.read("p.md", f"---\n{front}\n---\n{body}")
    check(doc)
    assert isinstance(doc.meta, dict)
