/* Compiled TOON decoder: a faster way to the pure-Python codec's exact output (see toon/accelerator.py).

   decode(text, strict, indent_size) returns the value of a TOON document, or NotImplemented for anything it
   does not take on: non-strict mode, a str subclass, text with lone surrogates, ill-formed UTF-8 bytes, and
   EVERY invalid or doubtful document. The caller then runs the pure decoder (toon/decoder.py), which raises
   the located error; so this module never raises a decoding error of its own, and its messages cannot drift
   from the pure ones. Only a real MemoryError propagates.

   Design, mirroring the pure decoder (decoder.py, scopes.py, lines.py, tokens.py, headers.py):
   - The text is read as UTF-8 bytes in place: an ASCII str's data is its UTF-8; other text is encoded once
     (a lone surrogate cannot be encoded: NotImplemented); bytes, bytearray and memoryviews are read where they
     are once checked to be well-formed UTF-8 (lines.to_text). Every structural character is ASCII, so the
     byte scanner finds the same lines, colons, quotes and delimiters as the pure decoder finds in characters.
   - `next_line` is lines.scan done lazily: split on "\n", one trailing "\r" dropped, indentation counted in
     spaces, comment lines ("#" after the indentation) and blank lines skipped, a blank line remembered for the
     next line (the §12 array-span rule), a tab in indentation or a depth that is no multiple of indent_size
     refused. Trailing blank lines close nothing, just as the pure scan drops them.
   - An explicit stack of scopes (object, list, table, keyed table, done root), as in scopes.py: a line first
     closes the scopes deeper than it (a list, table or keyed table checks its declared count), then must sit
     exactly at the depth of the top scope, which reads it (object_line, item_line, table_rows, keyed_rows).
     Nothing recurses on the C stack, so any depth is handled; declared lengths are only compared, never used
     to allocate.
   - Tokens follow tokens.py: quoted runs skip `\` + any character, a cell or key ends at the first unquoted
     delimiter or colon, values are quoted strings (§7.1 escapes only), true/false/null, numbers of the §4
     grammar (ints exact; floats exact by Clinger's fast path or PyOS_string_to_double; -0.0 and underflow ->
     0.0; out of range refused) and otherwise the token itself.
   - Speed: keys, field names and short unquoted values come from small per-document caches of str objects
     (repeated keys are neither re-created nor re-hashed), rows are built into presized dicts, and the cyclic
     GC is paused while the tree grows (no Python code runs meanwhile).
   Errors: a function that meets anything it does not handle returns -1 or NULL WITHOUT setting an exception
   (the caller unwinds and the module answers NotImplemented); an exception that is set is a real one. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------------ */
/* Data structures                                                                                         */

enum { S_OBJECT, S_LIST, S_TABLE, S_KEYED, S_DONE };
enum { OP_LEAF, OP_OPEN, OP_CLOSE };

#define MAX_INT_DIGITS 4300  /* tokens.MAX_INT_DIGITS: longer integers are an error in the pure decoder */
#define KEY_CACHE 1024       /* most slots of each per-document string cache (a power of two) */
#define KEY_CACHE_LEN 40     /* longest key (in bytes) that the cache holds */
#define VALUE_CACHE_LEN 16   /* longest unquoted string value (in bytes) that the value cache holds */

/* The compiled field list of a tabular or keyed header (headers.Fields): pre-order build steps. */
typedef struct {
    Py_ssize_t width;     /* number of leaf fields: cells per row */
    Py_ssize_t nops;      /* build steps */
    Py_ssize_t depth;     /* deepest nesting of field groups */
    int flat;             /* no nested group: row objects are built straight from `name` */
    int duplicate;        /* a name repeats in one brace group: every row would be a strict error */
    unsigned char *op;    /* OP_LEAF / OP_OPEN / OP_CLOSE */
    PyObject **name;      /* owned names (NULL for OP_CLOSE) */
    PyObject **vals;      /* scratch: the values of one row (width slots) */
    PyObject **parents;   /* scratch: open objects while a nested row is built (depth slots) */
} Fields;

/* A parsed header (headers.Header); `key` and `fields` are owned until handed over. */
typedef struct {
    PyObject *key;        /* the key, or NULL for a keyless header */
    long long length;     /* declared N */
    int keyed;            /* [N:] */
    char delim;
    Fields *fields;       /* NULL when the header has no fields segment */
    Py_ssize_t end;       /* offset just past the header's colon */
} Header;

/* An open construct (scopes.Scope): the depth of its content lines and the value it fills. */
typedef struct {
    int kind;
    Py_ssize_t depth;
    PyObject *target;          /* borrowed: held by its parent container (or the decoder's result) */
    long long length;          /* declared count of a list, table or keyed table */
    char delim;
    Fields *fields;            /* owned (tables and keyed tables) */
    Py_ssize_t prev_counted;   /* index of the next counted scope below this one, or -1 */
} Scope;

/* One significant line: its content (after the indentation, without a final CR) and where it stands. */
typedef struct {
    Py_ssize_t s, e;      /* content bytes [s, e): never empty, never a comment */
    Py_ssize_t depth;     /* indentation in spaces */
    int blank;            /* blank lines came right before it */
    int valid;            /* 0 once the document has no more lines */
} Line;

typedef struct {
    const char *buf;      /* the UTF-8 text */
    Py_ssize_t n;
    int ascii;            /* the whole text is ASCII: strings are made by a copy */
    Py_ssize_t step;      /* indent_size */
    Py_ssize_t pos;       /* lexer: start of the next raw line; n + 1 once all are read */
    Line cur;             /* the line being read */
    Scope *stack;
    Py_ssize_t sp, cap;
    Py_ssize_t top_counted;   /* index of the topmost list/table/keyed scope, or -1 */
    PyObject **keys;          /* key cache: `slots` slots of ASCII str, then as many for short values */
    Py_ssize_t slots;         /* a power of two up to KEY_CACHE, smaller for short documents */
    char *scratch;            /* unescaped bytes of a quoted string */
    Py_ssize_t scratch_cap;
} Dec;

/* ------------------------------------------------------------------------------------------------------ */
/* Fields                                                                                                  */

/* Release a field list and its names. */
static void fields_free(Fields *f)
{
    if (f == NULL)
        return;
    for (Py_ssize_t i = 0; i < f->nops; i++)
        Py_XDECREF(f->name[i]);
    PyMem_Free(f->op);
    PyMem_Free(f->name);
    PyMem_Free(f->vals);
    PyMem_Free(f->parents);
    PyMem_Free(f);
}

/* Append one build step to a field list under construction (`cap` tracks its capacity); steals `name`. */
static int fields_add(Fields *f, Py_ssize_t *cap, int op, PyObject *name)
{
    if (f->nops == *cap) {
        Py_ssize_t grown = *cap ? *cap * 2 : 8;
        unsigned char *ops = PyMem_Realloc(f->op, (size_t)grown);
        if (ops == NULL) {
            Py_XDECREF(name);
            PyErr_NoMemory();
            return -1;
        }
        f->op = ops;
        PyObject **names = PyMem_Realloc(f->name, (size_t)grown * sizeof(PyObject *));
        if (names == NULL) {
            Py_XDECREF(name);
            PyErr_NoMemory();
            return -1;
        }
        f->name = names;
        *cap = grown;
    }
    f->op[f->nops] = (unsigned char)op;
    f->name[f->nops] = name;
    f->nops++;
    return 0;
}

/* ------------------------------------------------------------------------------------------------------ */
/* Strings, keys and values (tokens.py)                                                                     */

/* Return a new str of the UTF-8 bytes p[0:n] (which never split a character). */
static PyObject *make_str(Dec *d, const char *p, Py_ssize_t n)
{
    if (d->ascii) {
        PyObject *s = PyUnicode_New(n, 127);
        if (s != NULL && n)
            memcpy(PyUnicode_DATA(s), p, (size_t)n);
        return s;
    }
    return PyUnicode_DecodeUTF8(p, n, NULL);
}

/* Return a (new reference to a) str of the bytes [s, e) from `table`, one of the per-document caches of
   short ASCII strings (d->slots slots, direct-mapped by an FNV-1a hash), made and cached on a miss. Keys
   repeat in every list item and row, short values (flags, levels, names) often: a hit costs one hash of a
   few bytes, no allocation, and dict look-ups reuse the cached str hash. Strings are immutable, so sharing
   one object is invisible (the pure decoder memoizes its values too). */
static PyObject *cached_str(Dec *d, Py_ssize_t s, Py_ssize_t e, PyObject **table)
{
    Py_ssize_t n = e - s;
    const unsigned char *p = (const unsigned char *)d->buf + s;
    size_t h = 2166136261u;
    unsigned char high = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        high |= p[i];
        h = (h ^ p[i]) * 16777619u;
    }
    if (high & 0x80)
        return make_str(d, (const char *)p, n);
    h ^= (size_t)n;
    PyObject **slot = &table[h & (size_t)(d->slots - 1)];
    PyObject *found = *slot;
    if (found != NULL && PyUnicode_GET_LENGTH(found) == n && memcmp(PyUnicode_DATA(found), p, (size_t)n) == 0) {
        Py_INCREF(found);
        return found;
    }
    PyObject *str = PyUnicode_New(n, 127);
    if (str == NULL)
        return NULL;
    if (n)
        memcpy(PyUnicode_DATA(str), p, (size_t)n);
    Py_INCREF(str);
    Py_XSETREF(*slot, str);
    return str;
}

/* Return a (new reference to a) str of the key bytes [s, e), cached when short (see cached_str). */
static PyObject *get_key(Dec *d, Py_ssize_t s, Py_ssize_t e)
{
    if (e - s > KEY_CACHE_LEN)
        return make_str(d, d->buf + s, e - s);
    return cached_str(d, s, e, d->keys);
}

/* Return the offset just past the quote closing the quoted run that opens at buf[q], or -1 if the run does
   not close before `e` (tokens.quote_end: a backslash takes the next character, whatever it is). */
static Py_ssize_t quote_end(const char *buf, Py_ssize_t q, Py_ssize_t e)
{
    Py_ssize_t i = q + 1;
    while (i < e) {
        char c = buf[i];
        if (c == '"')
            return i + 1;
        i += c == '\\' ? 2 : 1;
    }
    return -1;
}

/* Return the first `ch` outside quoted runs in [s, e), or -1 (tokens.find_unquoted: an unterminated quote
   runs to the end). */
static Py_ssize_t find_unquoted(const char *buf, Py_ssize_t s, Py_ssize_t e, char ch)
{
    Py_ssize_t i = s;
    while (i < e) {
        char c = buf[i];
        if (c == ch)
            return i;
        if (c == '"') {
            i = quote_end(buf, i, e);
            if (i < 0)
                return -1;
            continue;
        }
        i++;
    }
    return -1;
}

/* Trim spaces (only U+0020, as str.strip(" ")) from both ends of [*s, *e). */
static void strip_spaces(const char *buf, Py_ssize_t *s, Py_ssize_t *e)
{
    while (*s < *e && buf[*s] == ' ')
        (*s)++;
    while (*e > *s && buf[*e - 1] == ' ')
        (*e)--;
}

/* Value of one hex digit, or -1. */
static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Make room for `more` bytes after `used` in the scratch buffer. */
static int scratch_reserve(Dec *d, Py_ssize_t used, Py_ssize_t more)
{
    if (used + more <= d->scratch_cap)
        return 0;
    Py_ssize_t cap = d->scratch_cap ? d->scratch_cap : 256;
    while (cap < used + more)
        cap *= 2;
    char *grown = PyMem_Realloc(d->scratch, (size_t)cap);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    d->scratch = grown;
    d->scratch_cap = cap;
    return 0;
}

/* Read the quoted string opening at buf[q] (before `e`); return its value and set *end past its closing
   quote. NULL (no exception) for an unterminated string or an escape other than §7.1's (\\ \" \n \r \t and
   \uXXXX that is no surrogate): tokens.parse_quoted's errors. */
static PyObject *parse_quoted_at(Dec *d, Py_ssize_t q, Py_ssize_t e, Py_ssize_t *end)
{
    const char *buf = d->buf;
    Py_ssize_t i = q + 1;
    while (i < e && buf[i] != '"' && buf[i] != '\\')
        i++;
    if (i >= e)
        return NULL;
    if (buf[i] == '"') {  /* the usual quoted string: no escape */
        *end = i + 1;
        return make_str(d, buf + q + 1, i - q - 1);
    }
    Py_ssize_t used = i - q - 1;
    int high = 0;
    if (scratch_reserve(d, 0, used + 64) < 0)
        return NULL;
    memcpy(d->scratch, buf + q + 1, (size_t)used);
    for (;;) {
        /* here buf[i] is a backslash or a quote */
        if (buf[i] == '"')
            break;
        if (i + 1 >= e)
            return NULL;
        char c = buf[i + 1];
        char out;
        switch (c) {
        case '\\': out = '\\'; break;
        case '"': out = '"'; break;
        case 'n': out = '\n'; break;
        case 'r': out = '\r'; break;
        case 't': out = '\t'; break;
        case 'u': {
            if (i + 6 > e)
                return NULL;
            int h0 = hex_digit(buf[i + 2]), h1 = hex_digit(buf[i + 3]);
            int h2 = hex_digit(buf[i + 4]), h3 = hex_digit(buf[i + 5]);
            if (h0 < 0 || h1 < 0 || h2 < 0 || h3 < 0)
                return NULL;
            unsigned int code = (unsigned int)(h0 << 12 | h1 << 8 | h2 << 4 | h3);
            if (code >= 0xD800 && code <= 0xDFFF)
                return NULL;  /* a surrogate escape is an error (§7.1) */
            if (scratch_reserve(d, used, 4) < 0)
                return NULL;
            unsigned char *o = (unsigned char *)d->scratch + used;
            if (code < 0x80) {
                o[0] = (unsigned char)code;
                used += 1;
            } else if (code < 0x800) {
                o[0] = (unsigned char)(0xC0 | code >> 6);
                o[1] = (unsigned char)(0x80 | (code & 0x3F));
                used += 2;
                high = 1;
            } else {
                o[0] = (unsigned char)(0xE0 | code >> 12);
                o[1] = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
                o[2] = (unsigned char)(0x80 | (code & 0x3F));
                used += 3;
                high = 1;
            }
            i += 6;
            goto run;
        }
        default:
            return NULL;
        }
        if (scratch_reserve(d, used, 1) < 0)
            return NULL;
        d->scratch[used++] = out;
        i += 2;
    run:  /* copy the run of plain characters up to the next backslash or quote */
        {
            Py_ssize_t start = i;
            while (i < e && buf[i] != '"' && buf[i] != '\\')
                i++;
            if (i >= e)
                return NULL;
            if (scratch_reserve(d, used, i - start) < 0)
                return NULL;
            memcpy(d->scratch + used, buf + start, (size_t)(i - start));
            used += i - start;
        }
    }
    *end = i + 1;
    if (d->ascii && !high) {
        PyObject *s = PyUnicode_New(used, 127);
        if (s != NULL && used)
            memcpy(PyUnicode_DATA(s), d->scratch, (size_t)used);
        return s;
    }
    return PyUnicode_DecodeUTF8(d->scratch, used, NULL);
}

/* Exact powers of ten that a double holds (Clinger's fast path). */
static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Set *out to the value of the unsigned decimal [p, e) (already checked against the §4 grammar) when it is
   exactly computable: at most 15 significant digits (< 2^53) and a power of ten up to 1e22, so that one IEEE
   multiplication or division rounds correctly (Clinger). Return 0 to leave it to the exact parser. */
static int fast_float(const char *p, const char *end, double *out)
{
    unsigned long long mantissa = 0;
    int digits = 0;
    long exponent = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (digits || *p != '0')
            digits++;
        mantissa = mantissa * 10 + (unsigned long long)(*p - '0');
        if (digits > 15)
            return 0;
    }
    if (p < end && *p == '.') {
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            if (digits || *p != '0')
                digits++;
            mantissa = mantissa * 10 + (unsigned long long)(*p - '0');
            exponent--;
            if (digits > 15)
                return 0;
        }
    }
    if (p < end) {  /* an exponent */
        p++;
        int negative = 0;
        if (*p == '+' || *p == '-')
            negative = *p++ == '-';
        long value = 0;
        for (; p < end; p++) {
            value = value * 10 + (*p - '0');
            if (value > 1000)
                return 0;
        }
        exponent += negative ? -value : value;
    }
    if (mantissa == 0) {
        *out = 0.0;
        return 1;
    }
    if (exponent < -22 || exponent > 22)
        return 0;
    double value = (double)mantissa;
    *out = exponent < 0 ? value / POW10[-exponent] : value * POW10[exponent];
    return 1;
}

/* The index of the first byte at or after `i` (and before `e`) that is not an ASCII digit. */
static Py_ssize_t digits_end(const char *buf, Py_ssize_t i, Py_ssize_t e)
{
    while (i < e && buf[i] >= '0' && buf[i] <= '9')
        i++;
    return i;
}

/* Return the value of the token [s, e) that starts with '-' or a digit (tokens.parse_number): a number when
   the whole token is one by the §4 grammar, else the token as a string. NULL (no exception) for what the
   pure decoder refuses: a float out of range, an integer of more than MAX_INT_DIGITS digits. */
static PyObject *parse_number(Dec *d, Py_ssize_t s, Py_ssize_t e)
{
    const char *buf = d->buf;
    Py_ssize_t i = s;
    int neg = buf[i] == '-';
    if (neg)
        i++;
    Py_ssize_t digits_at = i;
    if (i < e && buf[i] == '0') {
        i++;
    } else if (i < e && buf[i] >= '1' && buf[i] <= '9') {
        i = digits_end(buf, i, e);
    } else {
        return make_str(d, buf + s, e - s);
    }
    Py_ssize_t int_end = i;
    int is_float = 0;
    if (i < e && buf[i] == '.') {
        Py_ssize_t end = digits_end(buf, i + 1, e);
        if (end == i + 1)
            return make_str(d, buf + s, e - s);  /* "1." or "1.x": a string */
        i = end;
        is_float = 1;
    }
    if (i < e && (buf[i] == 'e' || buf[i] == 'E')) {
        i++;
        if (i < e && (buf[i] == '+' || buf[i] == '-'))
            i++;
        Py_ssize_t end = digits_end(buf, i, e);
        if (end == i)
            return make_str(d, buf + s, e - s);
        i = end;
        is_float = 1;
    }
    if (i != e)
        return make_str(d, buf + s, e - s);  /* a number followed by more text: a date, a version, ... */
    Py_ssize_t n = e - s;
    if (!is_float) {
        Py_ssize_t digits = int_end - digits_at;
        if (digits <= 18) {
            long long v = 0;
            for (Py_ssize_t k = digits_at; k < int_end; k++)
                v = v * 10 + (buf[k] - '0');
            return PyLong_FromLongLong(neg ? -v : v);
        }
        if (digits > MAX_INT_DIGITS)
            return NULL;
    }
    if (is_float) {
        double fast;
        if (fast_float(buf + digits_at, buf + e, &fast))
            return PyFloat_FromDouble(neg && fast != 0.0 ? -fast : fast);
    }
    char small[64];
    char *copy = small;
    if (n >= (Py_ssize_t)sizeof(small)) {
        copy = PyMem_Malloc((size_t)n + 1);
        if (copy == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
    }
    memcpy(copy, buf + s, (size_t)n);
    copy[n] = '\0';
    PyObject *value;
    if (!is_float) {
        value = PyLong_FromString(copy, NULL, 10);
        if (value == NULL && !PyErr_ExceptionMatches(PyExc_MemoryError))
            PyErr_Clear();  /* over this interpreter's integer-string limit: the pure path reports it */
    } else {
        char *stop = NULL;
        double v = PyOS_string_to_double(copy, &stop, NULL);
        if (v == -1.0 && PyErr_Occurred()) {
            if (!PyErr_ExceptionMatches(PyExc_MemoryError))
                PyErr_Clear();
            value = NULL;
        } else if (stop != copy + n || isinf(v)) {
            value = NULL;  /* out of range for a float: an error in the pure decoder */
        } else {
            value = PyFloat_FromDouble(v == 0.0 ? 0.0 : v);  /* -0.0 and underflow decode as 0.0 (§4) */
        }
    }
    if (copy != small)
        PyMem_Free(copy);
    return value;
}

/* Return the value of a trimmed value token [s, e) (tokens.parse_value); NULL without an exception when the
   pure decoder would raise. */
static PyObject *parse_value(Dec *d, Py_ssize_t s, Py_ssize_t e)
{
    const char *p = d->buf + s;
    Py_ssize_t n = e - s;
    if (n == 0)
        return PyUnicode_New(0, 0);
    switch (p[0]) {
    case '"': {
        Py_ssize_t end;
        PyObject *value = parse_quoted_at(d, s, e, &end);
        if (value != NULL && end != e) {
            Py_DECREF(value);  /* characters after the closing quote */
            return NULL;
        }
        return value;
    }
    case 't':
        if (n == 4 && memcmp(p, "true", 4) == 0)
            Py_RETURN_TRUE;
        break;
    case 'f':
        if (n == 5 && memcmp(p, "false", 5) == 0)
            Py_RETURN_FALSE;
        break;
    case 'n':
        if (n == 4 && memcmp(p, "null", 4) == 0)
            Py_RETURN_NONE;
        break;
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        return parse_number(d, s, e);
    default:
        break;
    }
    if (n <= VALUE_CACHE_LEN)
        return cached_str(d, s, e, d->keys + d->slots);
    return make_str(d, p, n);
}

/* Return the key in [s, e) (tokens.parse_key): a quoted key unescaped (it must end at its closing quote),
   otherwise the literal token trimmed of spaces. */
static PyObject *parse_key(Dec *d, Py_ssize_t s, Py_ssize_t e)
{
    strip_spaces(d->buf, &s, &e);
    if (s < e && d->buf[s] == '"')
        return parse_value(d, s, e);  /* a token starting with a quote is a quoted string or an error */
    return get_key(d, s, e);
}

/* ------------------------------------------------------------------------------------------------------ */
/* Lines (lines.scan)                                                                                      */

/* Read the next significant line into d->cur (cur.valid = 0 at the end). -1 (no exception) for a tab in the
   indentation or an indentation that is no multiple of indent_size: strict errors. */
static int next_line(Dec *d)
{
    const char *buf = d->buf;
    Py_ssize_t n = d->n;
    int blank = 0;
    while (d->pos <= n) {
        Py_ssize_t ls = d->pos;
        const char *nl = memchr(buf + ls, '\n', (size_t)(n - ls));
        Py_ssize_t le = nl ? nl - buf : n;
        d->pos = le + 1;
        if (le > ls && buf[le - 1] == '\r')
            le--;
        Py_ssize_t i = ls;
        while (i < le && buf[i] == ' ')
            i++;
        if (i == le) {
            blank = 1;
            continue;
        }
        if (buf[i] == '#')
            continue;  /* a comment line (§5.1): gone without a trace */
        if (buf[i] == '\t')
            return -1;
        Py_ssize_t depth = i - ls;
        if (depth % d->step)
            return -1;
        d->cur.s = i;
        d->cur.e = le;
        d->cur.depth = depth;
        d->cur.blank = blank;
        d->cur.valid = 1;
        return 0;
    }
    d->cur.valid = 0;
    return 0;
}

/* ------------------------------------------------------------------------------------------------------ */
/* Scopes (scopes.py)                                                                                      */

/* Push a scope; takes ownership of `fields` (freed here on failure). */
static int push(Dec *d, int kind, Py_ssize_t depth, PyObject *target, long long length, char delim,
                Fields *fields)
{
    if (d->sp == d->cap) {
        Py_ssize_t cap = d->cap ? d->cap * 2 : 32;
        Scope *grown = PyMem_Realloc(d->stack, (size_t)cap * sizeof(Scope));
        if (grown == NULL) {
            fields_free(fields);
            PyErr_NoMemory();
            return -1;
        }
        d->stack = grown;
        d->cap = cap;
    }
    Scope *sc = &d->stack[d->sp];
    sc->kind = kind;
    sc->depth = depth;
    sc->target = target;
    sc->length = length;
    sc->delim = delim;
    sc->fields = fields;
    sc->prev_counted = -1;
    if (kind == S_LIST || kind == S_TABLE || kind == S_KEYED) {
        sc->prev_counted = d->top_counted;
        d->top_counted = d->sp;
    }
    d->sp++;
    return 0;
}

/* Number of items, rows or entries a counted scope holds so far. */
static Py_ssize_t scope_count(const Scope *sc)
{
    return sc->kind == S_KEYED ? PyDict_GET_SIZE(sc->target) : PyList_GET_SIZE(sc->target);
}

/* Pop the top scope; -1 if it is a list, table or keyed table whose count is not the declared one. */
static int pop(Dec *d)
{
    Scope *sc = &d->stack[--d->sp];
    int ok = 1;
    if (sc->kind == S_LIST || sc->kind == S_TABLE || sc->kind == S_KEYED) {
        ok = scope_count(sc) == sc->length;
        d->top_counted = sc->prev_counted;
    }
    fields_free(sc->fields);
    sc->fields = NULL;
    return ok ? 0 : -1;
}

/* Whether a blank line here falls inside an array span (Decoder.check_blank): some open counted scope has
   items already. */
static int spans(Dec *d)
{
    for (Py_ssize_t i = d->top_counted; i >= 0; i = d->stack[i].prev_counted)
        if (scope_count(&d->stack[i]) > 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------------------------------------------ */
/* Headers (headers.py)                                                                                     */

/* Whether c may start / continue an unquoted key of the header grammar ([A-Za-z_][A-Za-z0-9_.]*). */
static int key_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int key_char(char c) { return key_start(c) || (c >= '0' && c <= '9') || c == '.'; }

/* Whether c ends an unquoted field name (headers._FIELD_TEXT: braces, quote, colon, any delimiter). */
static int field_stop(char c)
{
    return c == '{' || c == '}' || c == '"' || c == ':' || c == ',' || c == '|' || c == '\t';
}

/* Match a bracket segment at buf[p] (before `e`): `[N]`, `[N:]`, with an optional tab or pipe before `]`.
   Return the offset after `]`, or -1. */
static Py_ssize_t match_bracket(const char *buf, Py_ssize_t p, Py_ssize_t e, Header *h)
{
    if (p >= e || buf[p] != '[')
        return -1;
    p++;
    Py_ssize_t digits = p;
    if (p < e && buf[p] == '0')
        p++;
    else if (p < e && buf[p] >= '1' && buf[p] <= '9')
        p = digits_end(buf, p, e);
    else
        return -1;
    if (p - digits > 18)
        return -1;  /* the pure decoder refuses lengths of more than 18 digits */
    long long length = 0;
    for (Py_ssize_t k = digits; k < p; k++)
        length = length * 10 + (buf[k] - '0');
    h->length = length;
    h->keyed = 0;
    if (p < e && buf[p] == ':') {
        h->keyed = 1;
        p++;
    }
    h->delim = ',';
    if (p < e && (buf[p] == '\t' || buf[p] == '|'))
        h->delim = buf[p++];
    if (p >= e || buf[p] != ']')
        return -1;
    return p + 1;
}

/* Parse the fields segment at buf[p] == '{' (before `e`) with delimiter `delim`; set *out and return the
   offset after its closing brace, or -1 for a malformed segment (headers._parse_fields). Iterative: groups
   nest to any depth. */
static Py_ssize_t parse_fields(Dec *d, Py_ssize_t p, Py_ssize_t e, char delim, Fields **out)
{
    const char *buf = d->buf;
    Fields *f = PyMem_Calloc(1, sizeof(Fields));
    if (f == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t cap = 0, level = 1;
    PyObject *seen = PyList_New(0);  /* one set of names per open group, for duplicates */
    PyObject *group = seen ? PySet_New(NULL) : NULL;
    if (group == NULL || PyList_Append(seen, group) < 0)
        goto fail;
    Py_CLEAR(group);
    p++;
    for (;;) {
        while (p < e && buf[p] == ' ')
            p++;
        PyObject *name;
        if (p < e && buf[p] == '"') {
            Py_ssize_t q = quote_end(buf, p, e);
            if (q < 0)
                goto fail;
            Py_ssize_t end;
            name = parse_quoted_at(d, p, q, &end);
            if (name == NULL)
                goto fail;
            p = q;
        } else {
            Py_ssize_t s = p;
            while (p < e && !field_stop(buf[p]))
                p++;
            Py_ssize_t ns = s, ne = p;
            strip_spaces(buf, &ns, &ne);
            if (ns == ne)
                goto fail;  /* an empty field name or field list */
            name = get_key(d, ns, ne);
            if (name == NULL)
                goto fail;
        }
        while (p < e && buf[p] == ' ')
            p++;
        PyObject *names = PyList_GET_ITEM(seen, PyList_GET_SIZE(seen) - 1);
        int dup = PySet_Contains(names, name);
        if (dup < 0 || (!dup && PySet_Add(names, name) < 0)) {
            Py_DECREF(name);
            goto fail;
        }
        f->duplicate |= dup;
        if (p < e && buf[p] == '{') {
            if (fields_add(f, &cap, OP_OPEN, name) < 0)
                goto fail;
            group = PySet_New(NULL);
            if (group == NULL || PyList_Append(seen, group) < 0)
                goto fail;
            Py_CLEAR(group);
            level++;
            if (level > f->depth)
                f->depth = level;
            p++;
            continue;
        }
        if (fields_add(f, &cap, OP_LEAF, name) < 0)
            goto fail;
        f->width++;
        for (;;) {  /* after an entry: the delimiter, or `}` closing one or more groups */
            if (p < e && buf[p] == delim) {
                p++;
                break;
            }
            if (p < e && buf[p] == '}') {
                p++;
                level--;
                if (PyList_SetSlice(seen, PyList_GET_SIZE(seen) - 1, PyList_GET_SIZE(seen), NULL) < 0)
                    goto fail;
                if (level == 0) {
                    Py_DECREF(seen);
                    f->flat = f->depth == 0;
                    f->vals = PyMem_Calloc((size_t)f->width, sizeof(PyObject *));
                    f->parents = PyMem_Calloc((size_t)f->depth + 1, sizeof(PyObject *));
                    if (f->vals == NULL || f->parents == NULL) {
                        PyErr_NoMemory();
                        fields_free(f);
                        return -1;
                    }
                    *out = f;
                    return p;
                }
                if (fields_add(f, &cap, OP_CLOSE, NULL) < 0)
                    goto fail;
                continue;
            }
            goto fail;
        }
    }
fail:
    Py_XDECREF(group);
    Py_XDECREF(seen);
    fields_free(f);
    return -1;
}

/* Release what a parsed header owns. */
static void header_clear(Header *h)
{
    Py_CLEAR(h->key);
    fields_free(h->fields);
    h->fields = NULL;
}

/* Parse the header at [start, ...) whose first unquoted colon is at `colon`, in a line ending at `e`
   (headers.parse_header). Return 1 with *h filled, 0 when the line is no header (a key-value line with a
   literal key), -1 for a malformed header (a strict error) or a failure. */
static int parse_header(Dec *d, Py_ssize_t start, Py_ssize_t colon, Py_ssize_t e, Header *h)
{
    const char *buf = d->buf;
    /* A colon right after `]` or `}` ends the header; any other first colon needs the rest of the line. */
    Py_ssize_t te = (colon > start && (buf[colon - 1] == ']' || buf[colon - 1] == '}')) ? colon + 1 : e;
    h->key = NULL;
    h->fields = NULL;
    Py_ssize_t p = start, at;
    if (buf[p] == '[') {
        at = match_bracket(buf, p, te, h);
        if (at < 0)
            return -1;
    } else if (buf[p] == '"') {
        Py_ssize_t q = quote_end(buf, p, te);
        if (q < 0 || q >= colon || buf[q] != '[')
            return 0;
        Py_ssize_t end;
        h->key = parse_quoted_at(d, p, q, &end);
        if (h->key == NULL)
            return -1;
        at = match_bracket(buf, q, te, h);
        if (at < 0) {
            header_clear(h);
            return -1;
        }
    } else {
        if (!key_start(buf[p]))
            return 0;
        while (p < te && key_char(buf[p]))
            p++;
        if (p >= colon || buf[p] != '[')
            return 0;
        at = match_bracket(buf, p, te, h);
        if (at < 0)
            return -1;
        h->key = get_key(d, start, p);
        if (h->key == NULL)
            return -1;
    }
    if (at < te && buf[at] == '{') {
        at = parse_fields(d, at, te, h->delim, &h->fields);
        if (at < 0) {
            header_clear(h);
            return -1;
        }
    }
    if (at >= te || buf[at] != ':' || (h->keyed && h->fields == NULL)) {
        header_clear(h);
        return -1;
    }
    h->end = at + 1;
    if (h->fields != NULL) {  /* a fields-bearing header takes no values after its colon */
        for (Py_ssize_t i = h->end; i < e; i++)
            if (buf[i] != ' ' && buf[i] != '\t') {
                header_clear(h);
                return -1;
            }
    }
    return 1;
}

/* ------------------------------------------------------------------------------------------------------ */
/* Cells (tokens.split_cells, cell_values)                                                                  */

/* Read the cell starting at *p (before `e`): return its value and leave *p on the delimiter after it, or at
   `e`. With `first_row_cell`, a colon outside quotes makes the row a key-value line, which in strict mode
   always ends in an error (the count or the indentation is wrong): NULL then. */
static PyObject *read_cell(Dec *d, Py_ssize_t *p, Py_ssize_t e, char delim, int first_row_cell)
{
    const char *buf = d->buf;
    Py_ssize_t s = *p;
    while (s < e && buf[s] == ' ')
        s++;
    if (s < e && buf[s] == '"') {  /* a quoted cell must be one string, then only spaces */
        Py_ssize_t end;
        PyObject *value = parse_quoted_at(d, s, e, &end);
        if (value == NULL)
            return NULL;
        while (end < e && buf[end] == ' ')
            end++;
        if (end < e && buf[end] != delim) {
            Py_DECREF(value);
            return NULL;
        }
        *p = end;
        return value;
    }
    Py_ssize_t i = s;
    while (i < e) {
        char c = buf[i];
        if (c == delim)
            break;
        if (c == '"') {  /* a quoted run inside a cell: the delimiters in it are data */
            i = quote_end(buf, i, e);
            if (i < 0)
                i = e;
            continue;
        }
        if (c == ':' && first_row_cell)
            return NULL;
        i++;
    }
    *p = i;
    Py_ssize_t ce = i;
    while (ce > s && buf[ce - 1] == ' ')
        ce--;
    return parse_value(d, s, ce);
}

/* Read the cells of [s, e) into f->vals; -1 unless there are exactly f->width (the values are then owned by
   f->vals until `build_row` takes them). */
static int read_cells(Dec *d, Fields *f, Py_ssize_t s, Py_ssize_t e, char delim, int table_row)
{
    Py_ssize_t count = 0, p = s;
    for (;;) {
        if (count == f->width)
            goto fail;
        PyObject *value = read_cell(d, &p, e, delim, table_row && count == 0);
        if (value == NULL)
            goto fail;
        f->vals[count++] = value;
        if (p >= e)
            break;
        p++;  /* past the delimiter */
    }
    if (count == f->width)
        return 0;
fail:
    for (Py_ssize_t i = 0; i < count; i++)
        Py_CLEAR(f->vals[i]);
    return -1;
}

/* Return the object of one row from the values in f->vals (taken over): leaf fields in pre-order, nested
   groups materialised (headers.Fields.build). */
static PyObject *build_row(Fields *f)
{
    PyObject *root = _PyDict_NewPresized(f->flat ? f->width : 4);
    Py_ssize_t k = 0, failed = root == NULL;
    if (f->flat) {
        for (; k < f->width && !failed; k++) {
            failed = PyDict_SetItem(root, f->name[k], f->vals[k]) < 0;
            Py_CLEAR(f->vals[k]);
        }
    } else if (!failed) {
        PyObject *cur = root;
        Py_ssize_t top = 0;
        for (Py_ssize_t i = 0; i < f->nops && !failed; i++) {
            if (f->op[i] == OP_LEAF) {
                failed = PyDict_SetItem(cur, f->name[i], f->vals[k]) < 0;
                Py_CLEAR(f->vals[k]);
                k++;
            } else if (f->op[i] == OP_OPEN) {
                PyObject *child = PyDict_New();
                failed = child == NULL || PyDict_SetItem(cur, f->name[i], child) < 0;
                Py_XDECREF(child);  /* held by its parent */
                f->parents[top++] = cur;
                cur = child;
            } else {
                cur = f->parents[--top];
            }
        }
    }
    for (; k < f->width; k++)
        Py_CLEAR(f->vals[k]);
    if (failed) {
        Py_XDECREF(root);
        return NULL;
    }
    return root;
}

/* Return the list of an inline primitive array (Decoder.inline_values): the trimmed text [s, e) split on
   the delimiter, as many values as declared. */
static PyObject *inline_values(Dec *d, Py_ssize_t s, Py_ssize_t e, char delim, long long length)
{
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    Py_ssize_t p = s;
    for (;;) {
        PyObject *value = read_cell(d, &p, e, delim, 0);
        if (value == NULL || PyList_Append(list, value) < 0) {
            Py_XDECREF(value);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(value);
        if (p >= e)
            break;
        p++;
    }
    if (PyList_GET_SIZE(list) != length) {
        Py_DECREF(list);
        return NULL;
    }
    return list;
}

/* ------------------------------------------------------------------------------------------------------ */
/* Lines of each scope (decoder.py)                                                                         */

/* Insert key -> value into a dict, both references stolen; -1 if the key is there already (a strict error). */
static int insert_new(PyObject *dict, PyObject *key, PyObject *value)
{
    Py_ssize_t before = PyDict_GET_SIZE(dict);
    int failed = PyDict_SetItem(dict, key, value) < 0 || PyDict_GET_SIZE(dict) == before;
    Py_DECREF(key);
    Py_DECREF(value);
    return failed ? -1 : 0;
}

/* Return the value of the header `h` at the current line (Decoder.open_header): its inline values, or the
   empty container whose block of content at `depth` opens (a scope is pushed). Takes over h->fields. */
static PyObject *open_header(Dec *d, Header *h, Py_ssize_t depth)
{
    Fields *fields = h->fields;
    h->fields = NULL;
    if (fields == NULL) {
        Py_ssize_t s = h->end, e = d->cur.e;
        strip_spaces(d->buf, &s, &e);
        if (s < e)
            return inline_values(d, s, e, h->delim, h->length);
        PyObject *list = PyList_New(0);
        if (list == NULL || push(d, S_LIST, depth, list, h->length, h->delim, NULL) < 0) {
            Py_XDECREF(list);
            return NULL;
        }
        return list;
    }
    PyObject *target = h->keyed ? PyDict_New() : PyList_New(0);
    if (target == NULL) {
        fields_free(fields);
        return NULL;
    }
    if (push(d, h->keyed ? S_KEYED : S_TABLE, depth, target, h->length, h->delim, fields) < 0) {
        Py_DECREF(target);
        return NULL;
    }
    return target;
}

/* Return the value after a key's colon, the trimmed [s, e) (Decoder.value): a primitive, `[]`, or, for
   nothing, a new object whose block at `depth` + step opens. */
static PyObject *field_value(Dec *d, Py_ssize_t s, Py_ssize_t e, Py_ssize_t depth)
{
    strip_spaces(d->buf, &s, &e);
    if (s == e) {
        PyObject *obj = PyDict_New();
        if (obj == NULL || push(d, S_OBJECT, depth + d->step, obj, 0, 0, NULL) < 0) {
            Py_XDECREF(obj);
            return NULL;
        }
        return obj;
    }
    if (e - s == 2 && d->buf[s] == '[' && d->buf[s + 1] == ']')
        return PyList_New(0);
    return parse_value(d, s, e);
}

/* Read the field at [start, e) of the current line, at `depth`, into `obj` (Decoder.field); its first
   unquoted colon is at `colon`. */
static int field(Dec *d, PyObject *obj, Py_ssize_t start, Py_ssize_t colon, Py_ssize_t depth)
{
    const char *buf = d->buf;
    Py_ssize_t e = d->cur.e;
    PyObject *key, *value;
    Header h;
    int found = 0;
    if (memchr(buf + start, '[', (size_t)(colon - start)) != NULL) {
        found = parse_header(d, start, colon, e, &h);
        if (found < 0)
            return -1;
    }
    if (found) {
        if (h.key == NULL) {  /* a keyless header is no field */
            header_clear(&h);
            return -1;
        }
        key = h.key;
        h.key = NULL;
        value = open_header(d, &h, depth + d->step);
    } else {
        key = parse_key(d, start, colon);
        if (key == NULL)
            return -1;
        value = field_value(d, colon + 1, e, depth);
    }
    if (value == NULL) {
        Py_DECREF(key);
        return -1;
    }
    return insert_new(obj, key, value);
}

/* Read the current line as a field of the object `obj` whose scope is at `depth` (the loop of Decoder.run,
   then ObjectScope.take). */
static int object_line(Dec *d, PyObject *obj, Py_ssize_t depth)
{
    const char *buf = d->buf;
    Py_ssize_t s = d->cur.s, e = d->cur.e, i = s;
    int quote = 0, bracket = 0;
    for (; i < e; i++) {
        char c = buf[i];
        if (c == ':')
            break;
        if (c == '"')
            quote = 1;
        else if (c == '[')
            bracket = 1;
    }
    if (i < e && !quote && !bracket) {  /* the usual `key: value`: the first colon ends a literal key */
        Py_ssize_t ke = i;
        while (ke > s && buf[ke - 1] == ' ')
            ke--;
        PyObject *key = get_key(d, s, ke);
        if (key == NULL)
            return -1;
        PyObject *value = field_value(d, i + 1, e, depth);
        if (value == NULL) {
            Py_DECREF(key);
            return -1;
        }
        return insert_new(obj, key, value);
    }
    Py_ssize_t colon = quote ? find_unquoted(buf, s, e, ':') : (i < e ? i : -1);
    if (colon < 0)
        return -1;  /* no colon: a strict error */
    return field(d, obj, s, colon, depth);
}

/* Read the current line as an item `- …` of the list `list` whose scope is at `depth` (Decoder.item). */
static int item_line(Dec *d, PyObject *list, Py_ssize_t depth)
{
    const char *buf = d->buf;
    Py_ssize_t s = d->cur.s, e = d->cur.e;
    if (buf[s] != '-' || (s + 1 < e && buf[s + 1] != ' '))
        return -1;
    Py_ssize_t start = s + 1;
    while (start < e && buf[start] == ' ')
        start++;
    PyObject *value;
    if (start == e) {  /* a bare hyphen: an empty object */
        value = PyDict_New();
    } else {
        Py_ssize_t colon = find_unquoted(buf, start, e, ':');
        if (colon < 0) {
            Py_ssize_t te = e;
            while (te > start && buf[te - 1] == ' ')
                te--;
            if (te - start == 2 && buf[start] == '[' && buf[start + 1] == ']')
                value = PyList_New(0);
            else
                value = parse_value(d, start, te);
        } else if (buf[start] == '[') {
            Header h;
            int found = parse_header(d, start, colon, e, &h);
            if (found <= 0)
                return -1;
            if (h.fields != NULL) {  /* a field list needs a key here */
                header_clear(&h);
                return -1;
            }
            value = open_header(d, &h, depth + d->step);
        } else {  /* an object whose first field is on the hyphen line (§10) */
            PyObject *obj = PyDict_New();
            if (obj == NULL)
                return -1;
            if (PyList_Append(list, obj) < 0) {
                Py_DECREF(obj);
                return -1;
            }
            Py_DECREF(obj);  /* held by the list */
            if (push(d, S_OBJECT, depth + d->step, obj, 0, 0, NULL) < 0)
                return -1;
            return field(d, obj, start, colon, depth + d->step);
        }
    }
    if (value == NULL)
        return -1;
    int failed = PyList_Append(list, value) < 0;
    Py_DECREF(value);
    return failed ? -1 : 0;
}

/* Read the run of rows of the table at stack index `si`, from the current line on (TableScope.read). */
static int table_rows(Dec *d, Py_ssize_t si)
{
    Scope *sc = &d->stack[si];  /* (rows push nothing: the pointer stays valid) */
    Fields *f = sc->fields;
    Py_ssize_t depth = sc->depth;
    if (f->duplicate)
        return -1;
    do {
        if (read_cells(d, f, d->cur.s, d->cur.e, sc->delim, 1) < 0)
            return -1;
        PyObject *row = build_row(f);
        if (row == NULL)
            return -1;
        int failed = PyList_Append(sc->target, row) < 0;
        Py_DECREF(row);
        if (failed || next_line(d) < 0)
            return -1;
    } while (d->cur.valid && d->cur.depth == depth && !d->cur.blank);
    return 0;
}

/* Read the run of entry rows `key: cells` of the keyed table at stack index `si` (KeyedScope.read). */
static int keyed_rows(Dec *d, Py_ssize_t si)
{
    const char *buf = d->buf;
    Scope *sc = &d->stack[si];
    Fields *f = sc->fields;
    Py_ssize_t depth = sc->depth;
    if (f->duplicate)
        return -1;
    do {
        Py_ssize_t s = d->cur.s, e = d->cur.e, i = s;
        int quote = 0;
        for (; i < e && buf[i] != ':'; i++)
            quote |= buf[i] == '"';
        PyObject *key;
        if (i < e && !quote) {
            Py_ssize_t ke = i;
            while (ke > s && buf[ke - 1] == ' ')
                ke--;
            key = get_key(d, s, ke);
        } else {
            i = find_unquoted(buf, s, e, ':');
            if (i < 0)
                return -1;
            key = parse_key(d, s, i);
        }
        if (key == NULL)
            return -1;
        Py_ssize_t cs = i + 1, ce = e;
        strip_spaces(buf, &cs, &ce);
        if (cs == ce || read_cells(d, f, cs, ce, sc->delim, 0) < 0) {
            Py_DECREF(key);
            return -1;
        }
        PyObject *row = build_row(f);
        if (row == NULL) {
            Py_DECREF(key);
            return -1;
        }
        if (insert_new(sc->target, key, row) < 0 || next_line(d) < 0)
            return -1;
    } while (d->cur.valid && d->cur.depth == depth && !d->cur.blank);
    return 0;
}

/* ------------------------------------------------------------------------------------------------------ */
/* The document (Decoder.root, Decoder.run)                                                                */

/* Read the first line: return the root value (new reference), with its scope pushed (Decoder.root). */
static PyObject *root(Dec *d)
{
    const char *buf = d->buf;
    Py_ssize_t s = d->cur.s, e = d->cur.e, te = e;
    while (te > s && buf[te - 1] == ' ')
        te--;
    if (te - s == 2 && buf[s] == '[' && buf[s + 1] == ']') {
        PyObject *list = PyList_New(0);
        if (list == NULL || push(d, S_DONE, 0, NULL, 0, 0, NULL) < 0 || next_line(d) < 0) {
            Py_XDECREF(list);
            return NULL;
        }
        return list;
    }
    Py_ssize_t colon = find_unquoted(buf, s, e, ':');
    if (colon >= 0 && buf[s] == '[') {  /* a root array */
        Header h;
        if (parse_header(d, s, colon, e, &h) <= 0)
            return NULL;
        if (push(d, S_DONE, 0, NULL, 0, 0, NULL) < 0) {
            header_clear(&h);
            return NULL;
        }
        PyObject *value = open_header(d, &h, d->step);
        if (value == NULL || next_line(d) < 0) {
            Py_XDECREF(value);
            return NULL;
        }
        return value;
    }
    if (colon < 0) {  /* a root primitive: the only line */
        if (next_line(d) < 0 || d->cur.valid)
            return NULL;
        if (push(d, S_DONE, 0, NULL, 0, 0, NULL) < 0)
            return NULL;
        return parse_value(d, s, te);
    }
    PyObject *obj = PyDict_New();
    if (obj == NULL || push(d, S_OBJECT, 0, obj, 0, 0, NULL) < 0) {
        Py_XDECREF(obj);
        return NULL;
    }
    return obj;
}

/* Read every line after the root's (Decoder.run): close the scopes a line ends, check it sits at the depth
   of the scope that now reads it, and let that scope read it; at the end close every scope. */
static int run(Dec *d)
{
    while (d->cur.valid) {
        Py_ssize_t depth = d->cur.depth;
        if (depth != d->stack[d->sp - 1].depth || d->cur.blank) {
            while (d->stack[d->sp - 1].depth > depth)
                if (pop(d) < 0)
                    return -1;
            if (d->cur.blank && spans(d))
                return -1;  /* a blank line inside an array (§12) */
            if (d->stack[d->sp - 1].depth != depth)
                return -1;  /* indentation that no block opened */
        }
        Py_ssize_t si = d->sp - 1;
        Scope *top = &d->stack[si];
        switch (top->kind) {
        case S_OBJECT:
            if (object_line(d, top->target, depth) < 0 || next_line(d) < 0)
                return -1;
            break;
        case S_LIST:
            if (item_line(d, top->target, depth) < 0 || next_line(d) < 0)
                return -1;
            break;
        case S_TABLE:
            if (table_rows(d, si) < 0)
                return -1;
            break;
        case S_KEYED:
            if (keyed_rows(d, si) < 0)
                return -1;
            break;
        default:
            return -1;  /* content after a complete root value */
        }
    }
    while (d->sp > 0)
        if (pop(d) < 0)
            return -1;
    return 0;
}

/* Free what a decoder holds (not its result). */
static void dec_clear(Dec *d)
{
    while (d->sp > 0) {
        d->sp--;
        fields_free(d->stack[d->sp].fields);
    }
    PyMem_Free(d->stack);
    if (d->keys != NULL) {
        for (Py_ssize_t i = 0; i < 2 * d->slots; i++)
            Py_XDECREF(d->keys[i]);
        PyMem_Free(d->keys);
    }
    PyMem_Free(d->scratch);
}

/* Answer NotImplemented after a failed CPython call: its exception is dropped (the pure decoder meets the
   same problem and reports it), unless it is a MemoryError, which propagates. */
static PyObject *declined(void)
{
    if (PyErr_ExceptionMatches(PyExc_MemoryError))
        return NULL;
    PyErr_Clear();
    Py_RETURN_NOTIMPLEMENTED;
}

/* Whether the n bytes at s are well-formed UTF-8 as CPython's strict decoder takes it (RFC 3629: shortest
   forms only, no surrogates, nothing above U+10FFFF); *ascii tells whether all of them are ASCII. */
static int utf8_check(const unsigned char *s, Py_ssize_t n, int *ascii)
{
    Py_ssize_t i = 0;
    int high = 0;
    while (i < n) {
        if (i + 8 <= n) {  /* eight ASCII bytes at a time */
            unsigned long long word;
            memcpy(&word, s + i, 8);
            if (!(word & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        high = 1;
        unsigned char lo = 0x80, hi = 0xBF;
        Py_ssize_t more;
        if (c >= 0xC2 && c <= 0xDF) {
            more = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            more = 2;
            if (c == 0xE0)
                lo = 0xA0;  /* no overlong forms */
            else if (c == 0xED)
                hi = 0x9F;  /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            more = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;  /* nothing above U+10FFFF */
        } else {
            return 0;
        }
        if (i + more >= n)  /* a sequence cut short by the end */
            return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (Py_ssize_t k = 2; k <= more; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return 0;
        i += more + 1;
    }
    *ascii = !high;
    return 1;
}

/* decode(text, strict, indent_size): the value of the document, or NotImplemented (see the top). */
static PyObject *py_decode(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 3 || args[1] != Py_True || !PyLong_CheckExact(args[2]))
        Py_RETURN_NOTIMPLEMENTED;
    Py_ssize_t step = PyLong_AsSsize_t(args[2]);
    if (step == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (step < 1)
        Py_RETURN_NOTIMPLEMENTED;
    PyObject *text = args[0], *utf8 = NULL;
    Py_buffer view;
    int have_view = 0;
    Dec d;
    memset(&d, 0, sizeof(d));
    d.step = step;
    d.top_counted = -1;
    if (PyUnicode_CheckExact(text)) {
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(text) < 0)  /* (a no-op, and deprecated, from 3.12 on) */
            return NULL;
#endif
        if (PyUnicode_IS_ASCII(text)) {
            d.buf = (const char *)PyUnicode_DATA(text);
            d.n = PyUnicode_GET_LENGTH(text);
            d.ascii = 1;
        } else {
            utf8 = PyUnicode_AsUTF8String(text);
            if (utf8 == NULL)  /* lone surrogates: left to the pure decoder */
                return declined();
            d.buf = PyBytes_AS_STRING(utf8);
            d.n = PyBytes_GET_SIZE(utf8);
        }
    } else if (PyBytes_Check(text) || PyByteArray_Check(text) || PyMemoryView_Check(text)) {
        /* UTF-8 bytes (lines.to_text): read in place once they are known to be well-formed; ill-formed ones
           are the pure decoder's located error. A non-contiguous memoryview is left to it too. */
        if (PyObject_GetBuffer(text, &view, PyBUF_SIMPLE) < 0)
            return declined();
        have_view = 1;
        d.buf = (const char *)view.buf;
        d.n = view.len;
        if (!utf8_check((const unsigned char *)d.buf, d.n, &d.ascii)) {
            PyBuffer_Release(&view);
            Py_RETURN_NOTIMPLEMENTED;
        }
    } else {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (!d.ascii && d.n >= 3 && memcmp(d.buf, "\xEF\xBB\xBF", 3) == 0)
        d.pos = 3;  /* one leading byte-order mark */
    d.slots = 16;  /* about one slot per 32 bytes of text: a short document need not clear a big cache */
    while (d.slots < KEY_CACHE && d.slots * 32 < d.n)
        d.slots *= 2;
    d.keys = PyMem_Calloc((size_t)(2 * d.slots), sizeof(PyObject *));
    PyObject *result = NULL;
    /* No Python code runs and the GIL is held throughout, so the cyclic GC is paused while the tree grows:
       it would otherwise traverse the half-built (acyclic) containers again and again. */
#if PY_VERSION_HEX >= 0x030A0000
    int gc_enabled = PyGC_Disable();
#else
    int gc_enabled = 0;
#endif
    if (d.keys == NULL) {
        PyErr_NoMemory();
    } else if (next_line(&d) == 0) {
        if (!d.cur.valid) {
            result = PyDict_New();
        } else if (d.cur.depth == 0) {
            result = root(&d);
            if (result != NULL && run(&d) < 0)
                Py_CLEAR(result);
        }
    }
#if PY_VERSION_HEX >= 0x030A0000
    if (gc_enabled)
        PyGC_Enable();
#endif
    dec_clear(&d);
    Py_XDECREF(utf8);
    if (have_view)
        PyBuffer_Release(&view);
    if (result == NULL) {
        if (PyErr_Occurred()) {
            if (PyErr_ExceptionMatches(PyExc_MemoryError))
                return NULL;
            PyErr_Clear();
        }
        Py_RETURN_NOTIMPLEMENTED;
    }
    return result;
}

static PyMethodDef methods[] = {
    {"decode", (PyCFunction)(void (*)(void))py_decode, METH_FASTCALL,
     "decode(text, strict, indent_size) -> the value of a TOON document (str, or UTF-8 bytes, bytearray or "
     "memoryview), or NotImplemented: the pure decoder then reads it, and reports any error."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cdecoder", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__cdecoder(void) { return PyModule_Create(&module); }
