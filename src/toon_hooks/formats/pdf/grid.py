"""Ruled tables: ruling lines → cells → grids, filled with whole words (pure geometry, no PyMuPDF).

PyMuPDF's `find_tables` is not used. It renders the page to guess a header row (minutes on some pages), cuts
words at cell edges ("Filed pursuant t"), keeps empty phantom columns and, in zebra-striped tables, returns
every second row empty. Here ruling lines become cells (pdfplumber's method), each word goes whole to the cell
holding its centre, and a grid is kept as a table only when it reads as one; otherwise its words stay text.
"""
from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median

from .layout import Box, Grid, join_lines

Segment = tuple[float, float, float]
"""A ruling line: its position across (y of a horizontal, x of a vertical line), then its start and end along."""

Word = tuple[float, float, float, float, str]
"""x0, y0, x1, y1, text: one word of the page's text layer."""

SNAP = 3.0
"""Ruling lines this close across are one line; collinear pieces this close along are joined."""
MIN_RULE = 3.0
"""Shorter ruling lines are ignored (dots, ticks)."""
MAX_POINTS = 20_000
"""More ruling-line crossings than this on one page: table search is skipped (a chart or a pattern, and slow)."""
MAX_MERGED = 0.34
"""A grid whose positions are more than this share merged-away is a layout frame or a form, not a table."""
MAX_CELL_WORDS = 40
"""Words in cells this full are paragraphs in frames; a grid with most of its words in them is not a table."""
PHRASE_GAP = 0.4
"""Words closer than this many median glyph heights are running text (a space is about a third of one)."""


class TooManyRulings(Exception):
    """The page has more ruling-line crossings than `MAX_POINTS`."""


@dataclass(frozen=True)
class Table:
    """A ruled table found on a page."""

    box: Box
    """The area whose text the table holds (the grid, plus a header line just above it when one was found)."""
    grid: Grid


def ruled_areas(horizontal: Iterable[Segment], vertical: Iterable[Segment]) -> list[list[Box]]:
    """Group the cells that ruling lines enclose into connected areas (cells sharing a corner), top to bottom.

    Raises TooManyRulings past `MAX_POINTS` crossings, so one page cannot stall a conversion.
    """
    rows, columns = _merge(horizontal), _merge(vertical)
    points = _crossings(rows, columns)
    areas = sorted(_connected(_cells(points)), key=lambda area: (bounds(area)[1], bounds(area)[0]))
    return _stack_stripes(areas)


def _stack_stripes(areas: list[list[Box]]) -> list[list[Box]]:
    """Join areas with the same columns that follow each other within a row's height: the shaded rows of a
    zebra-striped table, whose white rows draw no lines (they fall in the gaps and are read from the words)."""
    stacked: list[list[Box]] = []
    for area in areas:
        box = bounds(area)
        for previous in stacked:
            above = bounds(previous)
            row = max(c[3] - c[1] for c in previous)
            if _edges(c[i] for c in previous for i in (0, 2)) == _edges(c[i] for c in area for i in (0, 2)) \
                    and 0 <= box[1] - above[3] <= row * 1.5:
                previous += area
                break
        else:
            stacked.append(list(area))
    return stacked


def _merge(segments: Iterable[Segment]) -> list[Segment]:
    """Snap nearly collinear segments to one position and join pieces that touch or nearly touch."""
    groups: list[list[Segment]] = []
    for segment in sorted(segments):
        if groups and segment[0] - groups[-1][0][0] <= SNAP:  # measured from the group's first: no chaining
            groups[-1].append(segment)
        else:
            groups.append([segment])
    merged: list[Segment] = []
    for group in groups:
        position = sum(s[0] for s in group) / len(group)
        pieces: list[list[float]] = []
        for _, begin, finish in sorted(group, key=lambda s: s[1]):
            if pieces and begin <= pieces[-1][1] + SNAP:
                pieces[-1][1] = max(pieces[-1][1], finish)
            else:
                pieces.append([begin, finish])
        merged += [(position, a, b) for a, b in pieces if b - a >= MIN_RULE]
    return merged


Point = tuple[float, float]


def _crossings(rows: list[Segment], columns: list[Segment]) -> dict[Point, tuple[set[int], set[int]]]:
    """Map each crossing (x, y) of a horizontal and a vertical line to the ids of the lines through it."""
    columns = sorted(columns)
    xs = [c[0] for c in columns]
    points: dict[Point, tuple[set[int], set[int]]] = {}
    for h, (y, x0, x1) in enumerate(rows):
        for v in range(bisect.bisect_left(xs, x0 - SNAP), bisect.bisect_right(xs, x1 + SNAP)):
            x, y0, y1 = columns[v]
            if y0 - SNAP <= y <= y1 + SNAP:
                through = points.setdefault((x, y), (set(), set()))
                through[0].add(h)
                through[1].add(v + len(rows))  # vertical ids follow horizontal ones
                if len(points) > MAX_POINTS:
                    raise TooManyRulings
    return points


def _cells(points: dict[Point, tuple[set[int], set[int]]]) -> list[Box]:
    """Return the smallest ruled cell whose top-left corner is each crossing (pdfplumber's rule)."""
    on_line: dict[int, list[Point]] = defaultdict(list)
    for point, (hs, vs) in points.items():
        for line in hs | vs:
            on_line[line].append(point)
    for line_points in on_line.values():
        line_points.sort(key=lambda p: (p[1], p[0]))

    def along(point: Point, lines: set[int], axis: int) -> list[Point]:
        found = {p for line in lines for p in on_line[line] if p[axis] > point[axis]}
        return sorted(found, key=lambda p: p[axis])

    def joined(a: Point, b: Point, kind: int) -> bool:
        return bool(points[a][kind] & points[b][kind])

    cells: list[Box] = []
    for point, (hs, vs) in points.items():
        rights = along(point, hs, 0)
        for below in along(point, vs, 1):
            corner = next((r for r in rights if (r[0], below[1]) in points
                           and joined((r[0], below[1]), r, 1) and joined((r[0], below[1]), below, 0)), None)
            if corner:
                cells.append((point[0], point[1], corner[0], below[1]))
                break
    return cells


def _connected(cells: list[Box]) -> list[list[Box]]:
    """Group cells that share a corner."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Point, int] = {}
    for i, (x0, y0, x1, y1) in enumerate(cells):
        for corner in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
            if corner in owner:
                parent[root(i)] = root(owner[corner])
            else:
                owner[corner] = i
    groups: dict[int, list[Box]] = defaultdict(list)
    for i, cell in enumerate(cells):
        groups[root(i)].append(cell)
    return list(groups.values())


# ---------------------------------------------------------------------------------------------------------------
# Filling a ruled area with words


def fill(area: Sequence[Box], words: Sequence[Word]) -> Table | None:
    """Return the table that the cells of `area` hold, or None when it is not one (its words stay text).

    Edges that words overflow their cell across are dropped (a word is never cut). A cell spanning several
    grid positions is a merged cell when its words sit in one position or cross the edges inside it: its
    text goes where its words are and None to the positions it covers; otherwise it is a row or column whose
    inner rulings are not drawn, and its words go to their positions. Empty rows and columns are dropped. A
    text line just above the grid whose words fall into its columns becomes the header row (zebra-striped
    tables often draw it outside the grid).
    """
    box = bounds(area)
    inside = [w for w in words if _centre_in(w, box)]
    if not inside:
        return None
    cut = [w for w in inside if _overflows(w, next((c for c in area if _centre_in(w, c)), box))]
    height = median(w[3] - w[1] for w in inside)
    xs = _uncrossed(_edges(c[i] for c in area for i in (0, 2)), [(w[0], w[2]) for w in cut])
    ys = _uncrossed(_edges(c[i] for c in area for i in (1, 3)), [(w[1], w[3]) for w in cut])
    if len(xs) == 2:  # rows ruled, columns not: the columns are where the words leave a gap in every row
        xs = [xs[0], *_gaps(inside, height), xs[1]]
    grid: list[list[str | None]] = [[""] * (len(xs) - 1) for _ in ys[1:]]
    texts: dict[tuple[int, int], list[Word]] = defaultdict(list)
    for word in inside:
        texts[_position(xs, ys, word[:4])].append(word)
    for span in _spans(area, xs, ys):
        held = [w for position in span for w in texts.get(position, [])]
        if not held or (len({p for p in span if p in texts}) > 1 and not _joined_across(held, span, xs, ys)):
            continue
        for r, c in span:
            grid[r][c] = None
            texts.pop((r, c), None)
        centre = _position(xs, ys, bounds(w[:4] for w in held))
        texts[centre if centre in span else span[0]] = held
    if _splits_phrases(texts, height):
        return None
    for (r, c), held in texts.items():
        grid[r][c] = _text(held)
    header = _header_above(box, words, xs, height)
    if header:
        grid.insert(0, [_text(cell) for cell in header])
        box = (box[0], min(w[1] for cell in header for w in cell), box[2], box[3])
    crossed = [c for c, edge in enumerate(xs[1:-1], start=1) if any(w[0] + 1 < edge < w[2] - 1 for w in inside)]
    table = _drop_empty(_join_columns(grid, crossed))
    if not _reads_as_table(table, [len(held) for held in texts.values()]):
        return None
    return Table(box, tuple(tuple(row) for row in table))


def bounds(cells: Iterable[Box]) -> Box:
    """The smallest box holding all of `cells`."""
    x0s, y0s, x1s, y1s = zip(*cells, strict=True)
    return min(x0s), min(y0s), max(x1s), max(y1s)


def _centre_in(word: Word, box: Box) -> bool:
    x, y = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _edges(values: Iterable[float]) -> list[float]:
    """Sorted distinct positions, those within 1 pt of each other taken as one."""
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > 1:
            edges.append(value)
    return edges


def _gaps(words: Sequence[Word], height: float) -> list[float]:
    """Middles of the vertical strips at least `height` wide that no word covers, left to right."""
    middles: list[float] = []
    reach = None
    for x0, _, x1, _, _ in sorted(words):
        if reach is not None and x0 - reach >= height:
            middles.append((reach + x0) / 2)
        reach = x1 if reach is None else max(reach, x1)
    return middles


def _uncrossed(edges: list[float], extents: list[tuple[float, float]]) -> list[float]:
    """Keep the outer edges and the inner ones that no word crosses by more than a quarter of its size."""
    def crossed(edge: float) -> bool:
        return any(a + (b - a) / 4 < edge < b - (b - a) / 4 for a, b in extents)

    return [edges[0], *(e for e in edges[1:-1] if not crossed(e)), edges[-1]]


def _slot(edges: list[float], value: float) -> int:
    """Index of the interval between consecutive edges that holds `value` (clamped to the grid)."""
    return min(max(bisect.bisect_right(edges, value) - 1, 0), len(edges) - 2)


def _position(xs: list[float], ys: list[float], box: Box) -> tuple[int, int]:
    """Row and column of the grid position holding the centre of `box`."""
    return _slot(ys, (box[1] + box[3]) / 2), _slot(xs, (box[0] + box[2]) / 2)


def _spans(area: Sequence[Box], xs: list[float], ys: list[float]) -> list[tuple[tuple[int, int], ...]]:
    """Return the groups of grid positions that no drawn edge separates: each cell covering several positions
    (where cells overlap, the earlier one keeps the position), and each run of positions in a row that no
    cell covers (an open region, like the white rows of a zebra-striped table)."""
    taken: set[tuple[int, int]] = set()
    spans = []
    for x0, y0, x1, y1 in area:
        rows = [r for r in range(len(ys) - 1) if y0 <= (ys[r] + ys[r + 1]) / 2 <= y1]
        cols = [c for c in range(len(xs) - 1) if x0 <= (xs[c] + xs[c + 1]) / 2 <= x1]
        span = tuple((r, c) for r in rows for c in cols if (r, c) not in taken)
        taken.update(span)
        if len(span) > 1:
            spans.append(span)
    for r in range(len(ys) - 1):
        run: list[tuple[int, int]] = []
        for c in range(len(xs)):
            if c < len(xs) - 1 and (r, c) not in taken:
                run.append((r, c))
                continue
            if len(run) > 1:
                spans.append(tuple(run))
            run = []
    return spans


def _overflows(word: Word, cell: Box) -> bool:
    """Tell whether a word reaches out of its cell by more than a quarter of its size (the grid cuts it)."""
    width, height = (word[2] - word[0]) / 4, (word[3] - word[1]) / 4
    return word[0] < cell[0] - width or word[2] > cell[2] + width or word[1] < cell[1] - height \
        or word[3] > cell[3] + height


def _joined_across(words: list[Word], span: Sequence[tuple[int, int]], xs: list[float], ys: list[float]) -> bool:
    """Tell whether `words` (in a cell spanning several positions) read as one text across the positions: a
    word crosses an edge inside the span, or words on either side of one are as close as in running text."""
    rows, cols = {r for r, _ in span}, {c for _, c in span}
    inner_x = xs[min(cols) + 1:max(cols) + 1]
    inner_y = ys[min(rows) + 1:max(rows) + 1]
    if _uncrossed([0.0, *inner_x, 0.0], [(w[0], w[2]) for w in words])[1:-1] != inner_x \
            or _uncrossed([0.0, *inner_y, 0.0], [(w[1], w[3]) for w in words])[1:-1] != inner_y:
        return True
    lines = _lines(words)
    near_x = any(b[0] - a[2] < a[3] - a[1] and _slot(xs, (a[0] + a[2]) / 2) != _slot(xs, (b[0] + b[2]) / 2)
                 for line in lines for a, b in itertools.pairwise(line))
    near_y = any(b[0][1] - a[0][3] < (a[0][3] - a[0][1]) / 2
                 and _slot(ys, (a[0][1] + a[0][3]) / 2) != _slot(ys, (b[0][1] + b[0][3]) / 2)
                 for a, b in itertools.pairwise(lines))
    return near_x or near_y


def _splits_phrases(texts: dict[tuple[int, int], list[Word]], height: float) -> bool:
    """Tell whether two cells side by side hold words as close as in running text: the rulings of a form
    cutting through its labels ("Your first | name and middle initial"), not a table's columns."""
    cell_of = {id(word): position for position, held in texts.items() for word in held}
    words = [word for held in texts.values() for word in held]
    return any(b[0] - a[2] < PHRASE_GAP * height and cell_of[id(a)] != cell_of[id(b)]
               for line in _lines(words) for a, b in itertools.pairwise(line))


def _lines(words: Sequence[Word]) -> list[list[Word]]:
    """Group words into text lines (by vertical centre), top to bottom, each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w[1] + w[3]) / 2):
        if lines and (word[1] + word[3]) / 2 - (lines[-1][0][1] + lines[-1][0][3]) / 2 < (word[3] - word[1]) / 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line) for line in lines]


def _text(words: Sequence[Word]) -> str:
    """Join a cell's words line by line, top to bottom and left to right."""
    return join_lines(" ".join(w[4] for w in line) for line in _lines(words))


def _header_above(box: Box, words: Sequence[Word], xs: list[float], height: float) -> list[list[Word]] | None:
    """Return the words of the line just above `box`, by column, when it reads as the grid's header row."""
    near = [w for w in words if box[1] - 2.5 * height <= (w[1] + w[3]) / 2 < box[1] and w[2] > box[0] and w[0] < box[2]]
    if not near:
        return None
    lowest = max((w[1] + w[3]) / 2 for w in near)
    line = [w for w in near if lowest - (w[1] + w[3]) / 2 < height / 2]
    if any(w[0] < box[0] - 1 or w[2] > box[2] + 1 for w in line) or _uncrossed(xs, [(w[0], w[2]) for w in line]) != xs:
        return None
    cells: list[list[Word]] = [[] for _ in xs[1:]]
    for word in line:
        cells[_slot(xs, (word[0] + word[2]) / 2)].append(word)
    return cells if sum(1 for cell in cells if cell) >= max(2, (len(cells) + 1) // 2) else None


def _join_columns(grid: list[list[str | None]], edges: list[int]) -> list[list[str | None]]:
    """Join the two columns on either side of each of `edges` (grid edge indices, crossed by some word) when
    no row has text in both: one column of text that rulings drawn in some rows only had split in two."""
    for edge in reversed(edges):
        if all(not (row[edge - 1] and row[edge]) for row in grid):
            grid = [[*row[:edge - 1], _either(row[edge - 1], row[edge]), *row[edge + 1:]] for row in grid]
    return grid


def _either(left: str | None, right: str | None) -> str | None:
    """The text of whichever cell has one; None only when both are merged-away positions."""
    if left or right:
        return left or right
    return None if left is None and right is None else ""


def _drop_empty(grid: list[list[str | None]]) -> list[list[str | None]]:
    """Drop the rows and the columns that hold no text."""
    rows = [row for row in grid if any(row)]
    keep = [c for c in range(len(rows[0]) if rows else 0) if any(row[c] for row in rows)]
    return [[row[c] for c in keep] for row in rows]


def _reads_as_table(table: list[list[str | None]], counts: list[int]) -> bool:
    """At least 2×2 cells with text, few merged positions, and not paragraphs in frames (`counts`: words per
    cell)."""
    if len(table) < 2 or len(table[0]) < 2:
        return False
    merged = sum(cell is None for row in table for cell in row)
    if merged > MAX_MERGED * len(table) * len(table[0]):
        return False
    return sum(n for n in counts if n >= MAX_CELL_WORDS) * 2 <= sum(counts)
