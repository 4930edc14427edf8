"""HTML → GitHub-flavoured Markdown, parsed with the standard library's `html.parser`.

HTML reaches data through Markdown: `html → toon` is this Markdown read the way `md → toon` reads any
document (`markdown.readings.toon_of`), so an HTML page and its Markdown twin share one data model and
HTML → TOON → Markdown gives back this Markdown. Headings, paragraphs, lists (nested, ordered, task
items), tables, code blocks, quotes, GitHub alerts, rules, links, images, emphasis, strikethrough, code
spans and line breaks map to their Markdown; other elements are transparent (their content stays) and
non-content (`<head>`, scripts, styles, forms, embedded media) is dropped. Text is escaped so that the
pinned parser renders it back as text: a page that toon-hooks rendered reads back as Markdown that renders
the same page (up to white space; table alignment is not kept, as the data model has none).

`html.parser` only tokenizes, so the tree builder applies the HTML rules that matter for documents: void
elements, and the end tags HTML lets authors omit (`</p>`, `</li>`, `</td>`, …).
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser

from ..errors import ConversionError, ToonDecodeError
from ..toon import decode
from .markdown.layout import Block, checkbox, fence_lines, heading_lines, item_lines, quote_lines, table_lines

_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_IGNORED_TAGS = frozenset({"html", "head", "body"})
"""Tags whose start and end are dropped: their content is read in place (a missing `</head>` loses nothing)."""
_SKIPPED = frozenset(
    "script style template noscript title svg math iframe object canvas select textarea datalist".split())
"""Elements that are not document content: dropped with everything inside."""
_CLOSES_P = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hgroup hr main menu nav ol p pre section table ul".split())
"""Start tags that end an open paragraph (HTML's implied `</p>`)."""
_P_SCOPE = frozenset("table td th caption template button object".split())
_IMPLIED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "tr": (frozenset({"tr"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "thead": (frozenset({"thead", "tbody", "tfoot", "tr"}), frozenset({"table"})),
    "tbody": (frozenset({"thead", "tbody", "tfoot", "tr"}), frozenset({"table"})),
    "tfoot": (frozenset({"thead", "tbody", "tfoot", "tr"}), frozenset({"table"})),
}
"""Start tag → (open elements it ends, elements that bound the search): `<li>` ends the previous `<li>`."""
_BLOCK = _CLOSES_P | frozenset("li dd dt caption summary center tr td th thead tbody tfoot".split())
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_LISTS = frozenset({"ul", "ol", "menu"})
_STRONG = frozenset({"strong", "b"})
_EMPHASIS = frozenset({"em", "i", "cite", "var", "dfn"})
_STRUCK = frozenset({"s", "del", "strike"})
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_LIST_KINDS = frozenset({"ul", "ul-alt", "ol", "ol-alt"})
"""Block kinds of lists (`-alt`: written with the other marker)."""

_SPACES = re.compile(r"[ \t\n\r\f]+")
"""HTML white space (not U+00A0, which is text)."""
_INLINE_SPECIAL = re.compile(r"[\\`*~\[\]<]|&(?=#?[A-Za-z0-9]+;)|_(?![^\W_])|(?<![^\W_])_")
"""Characters that would start Markdown inline syntax (`_` inside a word cannot)."""
_LINE_START = re.compile(
    r"#{1,6}(?:[ \t]|$)|[-+*](?:[ \t]|$)|>|(?:[-*_][ \t]*){3,}$|[=-]+[ \t]*$|~~~")
"""A line start that would open a block (heading, list item, quote, rule, setext underline, fence)."""
_ORDINAL_START = re.compile(r"(\d{1,9})[.)](?:[ \t]|$)")
_POINTY = re.compile(r"[\s<>]")
"""A link destination with these needs the `<…>` form."""


class Node:
    """An element: tag, attributes, children (elements and text) and where its start tag is (1-based)."""

    __slots__ = ("tag", "attrs", "children", "line", "column")

    def __init__(self, tag: str, attrs: dict[str, str], line: int = 0, column: int = 0) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []
        self.line = line
        self.column = column

    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class _TreeBuilder(HTMLParser):
    """Build a Node tree from html.parser's events, closing what HTML closes implicitly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]
        self.skipped: str | None = None
        """The tag of the non-content element being skipped, and how many of it are open."""
        self.skipped_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipped is not None or (tag in _SKIPPED and tag not in _VOID):
            self.skipped = tag if self.skipped is None else self.skipped
            self.skipped_depth += tag == self.skipped
            return
        if tag in _IGNORED_TAGS:
            return
        self._imply_end(tag)
        line, column = self.getpos()
        node = Node(tag, {name: value or "" for name, value in attrs}, line, column + 1)
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if self.skipped is not None:
            self.skipped_depth -= tag == self.skipped
            self.skipped = self.skipped if self.skipped_depth else None
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self.skipped is None:
            self.stack[-1].children.append(data.replace("\0", "\ufffd"))

    def _imply_end(self, tag: str) -> None:
        """End the open elements that this start tag ends (HTML's optional end tags)."""
        ends, bounds = _IMPLIED.get(tag, (frozenset(), frozenset()))
        if tag in _CLOSES_P:
            ends, bounds = ends | {"p"}, bounds | _P_SCOPE
        for depth in range(len(self.stack) - 1, 0, -1):
            open_tag = self.stack[depth].tag
            if open_tag in ends:
                del self.stack[depth:]
                return
            if open_tag in bounds:
                return


def parse_html(text: str) -> Node:
    """Return the element tree of an HTML document or fragment (never fails: HTML has no syntax errors)."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def html_to_markdown(text: str) -> str:
    """Return the Markdown of an HTML document: LF lines, one final newline ("" for a page without content)."""
    blocks = _Writer().blocks(parse_html(text).children)
    lines = _join(blocks, tight=False)
    return "\n".join(lines) + "\n" if lines else ""


# ---------------------------------------------------------------------------------------------------------------
# Inline content


def _escape_text(text: str) -> str:
    """Escape what Markdown would read as inline syntax in a run of text."""
    return _INLINE_SPECIAL.sub(lambda match: "\\" + match.group(), text)


def _escape_line(line: str) -> str:
    """Escape a line start that would open a block instead of continuing the paragraph."""
    ordinal = _ORDINAL_START.match(line)
    if ordinal:
        return f"{ordinal.group(1)}\\{line[len(ordinal.group(1)):]}"
    return "\\" + line if _LINE_START.match(line) else line


def _code_span(code: str) -> str:
    """Return `code` as a code span: a backtick run longer than any inside, padded when it must be."""
    code = code.replace("\n", " ")
    if not code:
        return ""
    ticks = "`" * (max((len(run) for run in re.findall("`+", code)), default=0) + 1)
    pad = " " if code[0] == "`" or code[-1] == "`" or (code[0] == code[-1] == " " and code.strip(" ")) else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _backslashed(text: str, characters: str) -> str:
    return re.sub(f"[{re.escape(characters)}]", lambda match: "\\" + match.group(), text)


def _destination(href: str, title: str) -> str:
    """The `(destination "title")` part of a link or image."""
    href = href.replace("\n", "").replace("\r", "")
    href = f"<{_backslashed(href, '<>')}>" if _POINTY.search(href) else _backslashed(href, "\\()")
    return f'({href} "{_backslashed(title, chr(92) + chr(34))}")' if title else f"({href})"


class _Inline:
    """Inline Markdown under construction, white space collapsed as HTML collapses it.

    A space or a hard break is written only before more content, and an opening delimiter only once content
    follows it: `<b> x </b>` becomes ` **x** ` and empty markup vanishes. `one_line` content (a heading, a
    table cell) turns breaks into spaces; `cell` content also escapes `|`, which would end the cell.
    """

    def __init__(self, *, one_line: bool = False, cell: bool = False) -> None:
        self.one_line = one_line or cell
        self.cell = cell
        self.parts: list[str] = []
        self.space = False
        self.breaks = 0
        self.opens: list[str] = []
        self.enclosing: list[str] = []

    def text(self, data: str) -> None:
        collapsed = _SPACES.sub(" ", data)
        self.space = self.space or collapsed[:1] == " "
        core = collapsed.strip(" ")
        if core:
            self.emit(_escape_text(core))
            self.space = collapsed[-1:] == " "

    def emit(self, markdown: str) -> None:
        """Write content, after the pending break or space and the pending opening delimiters."""
        if self.parts:
            self.parts.append("\n" * self.breaks if self.breaks else " " if self.space else "")
        self.space, self.breaks = False, 0
        self._add("".join(self.opens) + markdown)
        self.opens.clear()

    def emphasis(self, size: int) -> str:
        """An emphasis delimiter of `size` (1: em, 2: strong): `*`, or `_` where `*` would touch the `*` just
        before it or the enclosing emphasis's (`*a*` in `*…*` would read as `**`)."""
        last = " " if self.space or self.breaks else (self.opens or self.parts or [""])[-1][-1:]
        char = "_" if "*" in (last, self.enclosing[-1:] and self.enclosing[-1][0]) else "*"
        return char * size

    def open(self, delimiter: str) -> None:
        self.opens.append(delimiter)
        self.enclosing.append(delimiter)

    def close(self, opening: str, closing: str) -> None:
        """Close markup opened with `opening`; when nothing was written since, drop it instead."""
        self.enclosing.pop()
        if self.opens and self.opens[-1] == opening:
            self.opens.pop()
        else:
            self._add(closing)

    def hard_break(self) -> None:
        if self.one_line:
            self.space = True
        else:
            self.breaks += 1

    def _add(self, markdown: str) -> None:
        self.parts.append(markdown.replace("|", "\\|") if self.cell else markdown)

    def joined(self) -> str:
        """The content on one line (breaks were spaces)."""
        return "".join(self.parts)

    def lines(self) -> Block:
        """The paragraph's lines, ending in `\\` where a hard break was, each escaped where it would start a
        block."""
        lines = [_escape_line(line) for line in "".join(self.parts).split("\n")] if self.parts else []
        return [line + "\\" for line in lines[:-1]] + lines[-1:]


# ---------------------------------------------------------------------------------------------------------------
# Blocks


def _text_of(node: Node | str) -> str:
    """The raw text under a node (`<br>` as a newline): the content of code blocks and spans."""
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return "\n"
    return "".join(_text_of(child) for child in node.children)


def _is_block(node: Node | str) -> bool:
    """True for a block element, or an inline one wrapping blocks (`<a><div>…</div></a>`)."""
    if isinstance(node, str):
        return False
    return node.tag in _BLOCK or any(_is_block(child) for child in node.children)


def _join(blocks: Sequence[tuple[str, Block]], *, tight: bool) -> Block:
    """Blocks separated by blank lines; in a tight list item a list follows its paragraph directly."""
    lines: Block = []
    previous = ""
    for kind, block in blocks:
        if lines and not (tight and previous == "p" and kind in _LIST_KINDS):
            lines.append("")
        lines.extend(block)
        previous = kind
    return lines


class _Writer:
    """Turns element trees into Markdown blocks: (kind, lines) pairs, kind telling adjacent lists apart."""

    def blocks(self, nodes: Sequence[Node | str]) -> list[tuple[str, Block]]:
        """The blocks of a run of nodes: inline runs become paragraphs, containers add their blocks."""
        out: list[tuple[str, Block]] = []
        self._fill(nodes, out)
        return out

    def _fill(self, nodes: Sequence[Node | str], out: list[tuple[str, Block]]) -> None:
        run: list[Node | str] = []
        for node in [*nodes, None]:
            if node is not None and not _is_block(node):
                run.append(node)
                continue
            if run:
                lines = self.inline(run, _Inline()).lines()
                if lines:
                    out.append(("p", lines))
                run = []
            if isinstance(node, Node):
                self._block(node, out)

    def _block(self, node: Node, out: list[tuple[str, Block]]) -> None:
        tag = node.tag
        if tag in _HEADINGS:
            text = self.inline(node.children, _Inline(one_line=True)).joined()
            text = re.sub(r"#+$", lambda m: "\\" + m.group(), text)  # a closing sequence would be dropped
            out.append(("h", heading_lines(_HEADINGS[tag], text)))
        elif tag in _LISTS:
            kind = "ol" if tag == "ol" else "ul"
            alt = bool(out) and out[-1][0] == kind  # two lists in a row need different markers, or they merge
            items = self.list_block(node, kind == "ol", alt)
            if items:
                out.append((kind + "-alt" * alt, items))
        elif tag == "pre":
            out.append(("pre", self.code_block(node)))
        elif tag == "blockquote":
            out.append(("quote", quote_lines(_join(self.blocks(node.children), tight=False)) or [">"]))
        elif tag == "table":
            table = self.table(node)
            if table:
                out.append(("table", table))
        elif tag == "hr":
            out.append(("hr", ["***"]))  # `---` would open front matter at the top of a document
        elif tag == "div" and any(c.startswith("markdown-alert-") for c in node.classes()):
            out.append(("quote", self.alert(node)))
        else:
            self._fill(node.children, out)

    def inline(self, nodes: Sequence[Node | str], out: _Inline) -> _Inline:
        for node in nodes:
            self._inline(node, out, in_link=False)
        return out

    def _inline(self, node: Node | str, out: _Inline, *, in_link: bool) -> None:
        if isinstance(node, str):
            out.text(node)
            return
        tag = node.tag
        if tag == "br":
            out.hard_break()
        elif tag == "img":
            alt = _escape_text(_SPACES.sub(" ", node.attrs.get("alt", "")).strip(" "))
            out.emit(f"![{alt}]{_destination(node.attrs.get('src', ''), node.attrs.get('title', ''))}")
        elif tag in _CODE:
            span = _code_span(_text_of(node))
            if span:
                out.emit(span)
        elif tag == "a" and "href" in node.attrs and not in_link:  # links cannot nest: inner ones are text
            out.open("[")
            self._children(node, out, in_link=True)
            out.close("[", "]" + _destination(node.attrs["href"], node.attrs.get("title", "")))
        else:
            size = 2 if tag in _STRONG else 1 if tag in _EMPHASIS else 0
            delimiter = out.emphasis(size) if size else "~~" if tag in _STRUCK else ""
            block = _is_block(node)  # a block inside a heading or a cell reads as a run of its own
            out.open(delimiter)
            out.space = out.space or block
            self._children(node, out, in_link=in_link)
            out.space = out.space or block
            out.close(delimiter, delimiter)

    def _children(self, node: Node, out: _Inline, *, in_link: bool) -> None:
        for child in node.children:
            self._inline(child, out, in_link=in_link)

    def list_block(self, node: Node, ordered: bool, alt: bool) -> Block:
        """A list: loose (items apart) when an item holds paragraphs, as Markdown renders loose lists."""
        items = [child for child in node.children if isinstance(child, Node)]
        loose = any(isinstance(c, Node) and c.tag == "p" for item in items for c in item.children)
        start = node.attrs.get("start", "1").strip()
        number = int(start) if ordered and start.isdigit() and len(start) <= 9 else 1
        lines: Block = []
        for item in items:
            if lines and loose:
                lines.append("")
            marker = f"{number}{')' if alt else '.'}" if ordered else "*" if alt else "-"
            lines.extend(item_lines(marker, self.list_item(item, loose) or [""]))
            number += 1
        return lines

    def list_item(self, item: Node, loose: bool) -> Block:
        """The lines of one item's content; a leading checkbox makes it a task item."""
        box = _take_checkbox(item.children)
        body = _join(self.blocks(item.children), tight=not loose)
        return body if box is None else checkbox("checked" in box.attrs, body or [""])

    def code_block(self, node: Node) -> Block:
        """A fenced code block; its language comes from a `language-*` class, as Markdown renderers write it."""
        code_node = next((c for c in node.children if isinstance(c, Node) and c.tag == "code"), node)
        lang = next((c[len("language-"):] for c in code_node.classes() if c.startswith("language-")), "")
        code = _text_of(node)
        code = (code[1:] if code.startswith("\n") else code).removesuffix("\n")  # HTML drops `<pre>\n`
        if lang.split()[:1] == ["toon"]:
            _check_toon(code, node)
        return fence_lines(lang.replace("`", ""), code)

    def alert(self, node: Node) -> Block:
        kind = next(c[len("markdown-alert-"):] for c in node.classes() if c.startswith("markdown-alert-"))
        body = [c for c in node.children if not (isinstance(c, Node) and "markdown-alert-title" in c.classes())]
        return quote_lines([f"[!{kind.upper()}]", *_join(self.blocks(body), tight=False)])

    def table(self, node: Node) -> Block:
        """A GFM table, its caption as a paragraph before it; the first row is the header (a GFM table has
        one), short rows are padded, alignment is not kept (the data model has none)."""
        rows = [[self.inline(cell.children, _Inline(cell=True)).joined() for cell in cells]
                for cells in _rows(node) if cells]
        if not rows:
            return []
        width = max(map(len, rows))
        header, *body = [row + [""] * (width - len(row)) for row in rows]
        caption = next((c for c in node.children if isinstance(c, Node) and c.tag == "caption"), None)
        title = self.inline(caption.children, _Inline(one_line=True)).lines() if caption is not None else []
        return (title + [""] if title else []) + table_lines(header, body)


def _rows(table: Node) -> Iterator[list[Node]]:
    """The cells of each row of a table (not of tables nested in its cells)."""
    for child in table.children:
        if isinstance(child, Node) and child.tag == "tr":
            yield [c for c in child.children if isinstance(c, Node) and c.tag in ("td", "th")]
        elif isinstance(child, Node) and child.tag in ("thead", "tbody", "tfoot"):
            yield from _rows(child)


def _take_checkbox(children: list[Node | str]) -> Node | None:
    """Remove and return a checkbox that opens a list item, directly or in its first paragraph."""
    for index, child in enumerate(children):
        if isinstance(child, str):
            if child.strip(" \t\n\r\f"):
                return None
        elif child.tag == "input" and child.attrs.get("type", "").lower() == "checkbox":
            del children[index]
            return child
        else:
            return _take_checkbox(child.children) if child.tag == "p" else None
    return None


def _check_toon(code: str, node: Node) -> None:
    """A `language-toon` block reads as data (as a toon fence does), so it must decode; errors are located
    in the HTML."""
    try:
        decode(code)
    except ToonDecodeError as exc:
        line = node.line + max(exc.line - 1, 0)
        raise ConversionError(f"invalid TOON in a toon code block: {exc.msg}", line,
                              exc.column if exc.line > 1 else node.column, exc.source_line) from None
