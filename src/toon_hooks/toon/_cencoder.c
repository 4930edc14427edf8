/* Compiled TOON encoder: a faster way to the pure-Python codec's exact output (see toon/accelerator.py).
 *
 * encode(value, delimiter, indent_size) returns the same text as toon.encoder.encode, or NotImplemented
 * for anything outside the common case, which the pure encoder then handles (so every error, and every
 * host-type normalisation, comes from the reference):
 *   - values: exact dict with exact str keys, exact list, str, int, float, bool, None, nested at most
 *     DEPTH_LIMIT levels (below the pure MAX_DEPTH, so a depth error or a cycle is always declined);
 *   - strings without lone surrogates; ints whose decimal form CPython will print (its digit limit);
 *   - delimiter ",", "\t" or "|" (or "comma", "tab", "pipe"), an exact str; indent_size an exact int from 1
 *     to MAX_INDENT.
 *
 * Design. One pass over the value writes UTF-8 into one growing byte buffer (Enc), which becomes the
 * result str at the end (a plain copy when everything was ASCII). The functions mirror encoder._Encoder:
 *   enc_document -> document, enc_fields -> fields, enc_nested -> nested, enc_keyed -> keyed,
 *   enc_array -> array, enc_list_items -> list_items, classify -> flatten + classify + grouped,
 *   put_string / put_key / put_float -> quoting.encode_string / encode_key / format_float.
 * Where the pure encoder builds a line prefix ("<pad>key" or "<pad>- key") and passes it down, this one
 * writes the prefix straight into the buffer: every form chosen afterwards starts with that prefix.
 * A table is first classified without writing anything (a Plan: field names from the first object,
 * a nested Plan per object column, the cells of every row in field order), then written row by row.
 *
 * Every function returns OK, FAIL (a Python exception is set: only MemoryError in practice), DECLINE
 * (answer NotImplemented, nothing set) or, for the table tries, NO (not a table: use the other form).
 * No Python code runs while encoding (only exact str/int/float/dict/list are touched, dict look-ups use
 * exact str keys in dicts whose keys were checked to be exact str), so borrowed references stay valid.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define OK 0
#define FAIL (-1)
#define DECLINE (-2)
#define NO 1

/* Return the status of `expr` unless it is OK. */
#define TRY(expr)                                                                                            \
    do {                                                                                                     \
        int try_status_ = (expr);                                                                            \
        if (try_status_ != OK) {                                                                             \
            return try_status_;                                                                              \
        }                                                                                                    \
    } while (0)

#define DEPTH_LIMIT 200 /* deepest indentation level encoded here; the pure encoder allows MAX_DEPTH (300) */
#define MAX_INDENT 256  /* larger indent_size values are declined (the pure encoder takes them) */

#define KEY_CACHE 64 /* slots of Enc.bare_keys */

enum place { ROOT, FIELD, ITEM }; /* where an array stands: its empty form, whether it may be a table */
enum kind { K_PRIM = 1, K_DICT = 2, K_LIST = 4, K_OTHER = 8 };

/* One encoding run: the output buffer and the options. */
typedef struct {
    char *buf;
    Py_ssize_t len, cap;
    int ascii;              /* nothing but ASCII written so far */
    char delim;             /* ',', '\t' or '|' */
    Py_ssize_t indent;      /* spaces per level */
    const unsigned char *unsafe; /* per ASCII byte: forces a string value to be quoted (delimiter-dependent) */
    uint64_t delim_word;    /* the delimiter in every byte */
    PyObject *bare_keys[KEY_CACHE]; /* keys known to be bare (§7.3), by address: keys repeat across objects */
} Enc;

/* Per byte: 1 if it forces quoting of a value anywhere in it (§7.2), per delimiter. */
static unsigned char UNSAFE_COMMA[256], UNSAFE_TAB[256], UNSAFE_PIPE[256];
/* Per byte: 1 if it must be escaped inside quotes (§7.1). */
static unsigned char ESCAPED[256];
/* Per ASCII byte: its text inside quotes (itself, or its §7.1 escape), padded to 8 bytes, and its length. */
static char ESCAPE_TEXT[128][8];
static unsigned char ESCAPE_LEN[128];
/* Per byte: 1 if it may appear in a bare key after the first character ([A-Za-z0-9_.]). */
static unsigned char KEY_REST[256];
static const char DIGIT_PAIRS[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Write the §7.1 escape of ASCII byte c (one that ESCAPED marks) at `out`; return its length. */
static inline Py_ssize_t write_escape(char *out, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '\\';
    switch (c) {
    case '"': out[1] = '"'; return 2;
    case '\\': out[1] = '\\'; return 2;
    case '\n': out[1] = 'n'; return 2;
    case '\r': out[1] = 'r'; return 2;
    case '\t': out[1] = 't'; return 2;
    default:
        out[1] = 'u';
        out[2] = '0';
        out[3] = '0';
        out[4] = hex[c >> 4];
        out[5] = hex[c & 15];
        return 6;
    }
}

/* Fill the byte tables once, at import. */
static void init_tables(void)
{
    const char *common = ":\"\\[]{}";
    for (int c = 0; c < 0x20; c++) {
        UNSAFE_COMMA[c] = UNSAFE_TAB[c] = UNSAFE_PIPE[c] = ESCAPED[c] = 1;
    }
    for (const char *p = common; *p; p++) {
        UNSAFE_COMMA[(unsigned char)*p] = UNSAFE_TAB[(unsigned char)*p] = UNSAFE_PIPE[(unsigned char)*p] = 1;
    }
    UNSAFE_COMMA[','] = 1;
    UNSAFE_PIPE['|'] = 1; /* '\t' is already a control character */
    ESCAPED['"'] = ESCAPED['\\'] = 1;
    for (int c = 0; c < 128; c++) {
        ESCAPE_TEXT[c][0] = (char)c;
        ESCAPE_LEN[c] = ESCAPED[c] ? (unsigned char)write_escape(ESCAPE_TEXT[c], (unsigned char)c) : 1;
    }
    for (int c = 0; c < 256; c++) {
        KEY_REST[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    }
}

/* ---- output buffer ---------------------------------------------------------------------------------- */

/* Make room for `need` more bytes (slow path of RESERVE). */
static int grow(Enc *e, Py_ssize_t need)
{
    if (need > PY_SSIZE_T_MAX - e->len) {
        PyErr_NoMemory();
        return FAIL;
    }
    Py_ssize_t want = e->len + need, cap = e->cap ? e->cap : 1024;
    while (cap < want) {
        cap = cap > PY_SSIZE_T_MAX / 2 ? want : cap * 2;
    }
    char *bigger = PyMem_Realloc(e->buf, (size_t)cap);
    if (bigger == NULL) {
        PyErr_NoMemory();
        return FAIL;
    }
    e->buf = bigger;
    e->cap = cap;
    return OK;
}

#define RESERVE(e, n) ((e)->cap - (e)->len >= (n) ? OK : grow((e), (n)))

/* Copy n bytes: short copies (most tokens) as two overlapping moves, never reading past src + n. */
static inline void copy_bytes(char *dst, const char *src, Py_ssize_t n)
{
    uint64_t a, b;
    uint32_t c, d;
    if (n >= 8 && n <= 16) {
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(&c, src, 4);
        memcpy(&d, src + n - 4, 4);
        memcpy(dst, &c, 4);
        memcpy(dst + n - 4, &d, 4);
    } else if (n > 16) {
        memcpy(dst, src, (size_t)n);
    } else {
        for (Py_ssize_t i = 0; i < n; i++) {
            dst[i] = src[i];
        }
    }
}

/* Append n bytes. */
static inline int put(Enc *e, const char *s, Py_ssize_t n)
{
    if (RESERVE(e, n) < 0) {
        return FAIL;
    }
    copy_bytes(e->buf + e->len, s, n);
    e->len += n;
    return OK;
}

/* Append one byte. */
static inline int put_char(Enc *e, char c)
{
    if (RESERVE(e, 1) < 0) {
        return FAIL;
    }
    e->buf[e->len++] = c;
    return OK;
}

/* Start a line at `depth`: a newline unless it is the first line, then the indentation. */
static inline int begin_line(Enc *e, Py_ssize_t depth)
{
    Py_ssize_t pad = depth * e->indent;
    if (RESERVE(e, pad + 1) < 0) {
        return FAIL;
    }
    char *out = e->buf + e->len;
    if (e->len) {
        *out++ = '\n';
    }
    if (pad <= 16) {
        for (Py_ssize_t i = 0; i < pad; i++) {
            out[i] = ' ';
        }
    } else {
        memset(out, ' ', (size_t)pad);
    }
    e->len = out + pad - e->buf;
    return OK;
}

/* Start a list-item line at `depth`: its indentation and "- ". */
static inline int begin_item(Enc *e, Py_ssize_t depth)
{
    if (begin_line(e, depth) < 0) {
        return FAIL;
    }
    return put(e, "- ", 2);
}

/* Append the decimal digits of an unsigned 64-bit number. */
static int put_u64(Enc *e, unsigned long long x)
{
    char tmp[24];
    char *end = tmp + sizeof tmp, *p = end;
    while (x >= 100) {
        unsigned i = (unsigned)(x % 100) * 2;
        x /= 100;
        *--p = DIGIT_PAIRS[i + 1];
        *--p = DIGIT_PAIRS[i];
    }
    if (x >= 10) {
        *--p = DIGIT_PAIRS[x * 2 + 1];
        *--p = DIGIT_PAIRS[x * 2];
    } else {
        *--p = (char)('0' + x);
    }
    return put(e, p, end - p);
}

/* Append a signed 64-bit number. */
static int put_i64(Enc *e, long long x)
{
    if (x < 0) {
        if (put_char(e, '-') < 0) {
            return FAIL;
        }
        return put_u64(e, 0ULL - (unsigned long long)x);
    }
    return put_u64(e, (unsigned long long)x);
}

/* Append `header`[`count` `mark`]: the bracket segment (§6), `keyed` adding the colon of §9.5. */
static int put_bracket(Enc *e, Py_ssize_t count, int keyed)
{
    if (put_char(e, '[') < 0 || put_u64(e, (unsigned long long)count) < 0) {
        return FAIL;
    }
    if (keyed && put_char(e, ':') < 0) {
        return FAIL;
    }
    if (e->delim != ',' && put_char(e, e->delim) < 0) {
        return FAIL;
    }
    return put_char(e, ']');
}

/* ---- strings and keys (quoting.py) -------------------------------------------------------------------- */

/* Whether an ASCII string reads as a literal or number (quoting._LITERAL_LIKE). */
static int literal_like(const unsigned char *p, Py_ssize_t n)
{
    if ((n == 4 && (memcmp(p, "true", 4) == 0 || memcmp(p, "null", 4) == 0)) || (n == 5 && memcmp(p, "false", 5) == 0)) {
        return 1;
    }
    Py_ssize_t i = 0, start;
    if (i < n && (p[i] == '+' || p[i] == '-')) {
        i++;
    }
    for (start = i; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
    }
    if (i == start) {
        return 0;
    }
    if (i < n && p[i] == '.') {
        for (start = ++i; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
        }
        if (i == start) {
            return 0;
        }
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) {
            i++;
        }
        for (start = i; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
        }
        if (i == start) {
            return 0;
        }
    }
    return i == n;
}

/* Whether the first character forces quoting (quoting._RISKY_FIRST: "-", "#", " ", or a literal-like start). */
static inline int risky_start(const unsigned char *p, Py_ssize_t n)
{
    switch (p[0]) {
    case '-': case '#': case ' ':
        return 1;
    case '+': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8':
    case '9': case 't': case 'f': case 'n':
        return literal_like(p, n);
    default:
        return 0;
    }
}


#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Whether one of the eight ASCII bytes of `word` needs a §7.1 escape: a control character, '"' or '\\'
 * (the classic "has a zero byte" tests; exact for bytes below 0x80). */
static inline int escape_in_word(uint64_t word)
{
    uint64_t quote = word ^ (ONES * '"'), backslash = word ^ (ONES * '\\');
    uint64_t hits = (word - ONES * 0x20) | (quote - ONES) | (backslash - ONES);
    return (hits & ~word & HIGHS) != 0;
}

/* Whether one of the eight ASCII bytes of `word` forces quoting (§7.2): a control character or one of
 * : " \\ [ ] { } and the delimiter (`delims` holds it in every byte); same zero-byte tests as above. */
static inline int unsafe_in_word(uint64_t word, uint64_t delims)
{
    uint64_t hits = (word - ONES * 0x20) | ((word ^ (ONES * ':')) - ONES) | ((word ^ (ONES * '"')) - ONES) |
                    ((word ^ (ONES * '\\')) - ONES) | ((word ^ (ONES * '[')) - ONES) | ((word ^ (ONES * ']')) - ONES) |
                    ((word ^ (ONES * '{')) - ONES) | ((word ^ (ONES * '}')) - ONES) | ((word ^ delims) - ONES);
    return (hits & HIGHS) != 0;
}

/* Append an ASCII string quoted, with §7.1 escapes (quoting.quote). */
static int put_quoted_ascii(Enc *e, const unsigned char *p, Py_ssize_t n)
{
    if (n > (PY_SSIZE_T_MAX - 2) / 6) {
        PyErr_NoMemory();
        return FAIL;
    }
    if (RESERVE(e, 6 * n + 2 + 8) < 0) { /* + 8: ESCAPE_TEXT entries are stored whole */
        return FAIL;
    }
    char *out = e->buf + e->len;
    *out++ = '"';
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, p + i, 8);
        if (!escape_in_word(word)) { /* eight bytes at once when none of them is escaped */
            memcpy(out, &word, 8);
            out += 8;
            continue;
        }
        for (int k = 0; k < 8; k++) { /* branch-free: every byte stores its table entry */
            unsigned char c = p[i + k];
            memcpy(out, ESCAPE_TEXT[c], 8);
            out += ESCAPE_LEN[c];
        }
    }
    for (; i < n; i++) {
        unsigned char c = p[i];
        memcpy(out, ESCAPE_TEXT[c], 8);
        out += ESCAPE_LEN[c];
    }
    *out++ = '"';
    e->len = out - e->buf;
    return OK;
}

/* Whether a str has its canonical representation (3.11 may still meet a legacy wchar_t string). */
static inline int is_ready(PyObject *s)
{
#if PY_VERSION_HEX < 0x030C0000
    return PyUnicode_IS_READY(s);
#else
    (void)s;
    return 1;
#endif
}

#ifndef Py_ALWAYS_INLINE
#define Py_ALWAYS_INLINE
#endif

/* put_wide's work for one string kind (a constant once inlined, so each kind gets its own loops). */
static Py_ALWAYS_INLINE inline int put_wide_kind(Enc *e, const void *data, Py_ssize_t n, int quote, const int kind)
{
    Py_ssize_t size = 0;
    int unsafe = 0;
    for (Py_ssize_t i = 0; i < n; i++) { /* UTF-8 size (escapes counted long), quoting reasons, surrogates */
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80) {
            unsafe |= e->unsafe[c];
            size += ESCAPED[c] ? 6 : 1;
        } else if (c < 0x800) {
            size += 2;
        } else if (c < 0x10000) {
            if (kind != PyUnicode_1BYTE_KIND && c >= 0xD800 && c <= 0xDFFF) {
                return DECLINE;
            }
            size += 3;
        } else {
            size += 4;
        }
    }
    if (quote < 0) { /* a non-ASCII string is never literal-like: only the first and last characters matter */
        Py_UCS4 first = PyUnicode_READ(kind, data, 0);
        quote = unsafe || PyUnicode_READ(kind, data, n - 1) == ' ' || first == '-' || first == '#' || first == ' ';
    }
    if (RESERVE(e, size + 2) < 0) {
        return FAIL;
    }
    char *out = e->buf + e->len;
    if (quote) {
        *out++ = '"';
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80) {
            if (quote && ESCAPED[c]) {
                out += write_escape(out, (unsigned char)c);
            } else {
                *out++ = (char)c;
            }
        } else if (c < 0x800) {
            *out++ = (char)(0xC0 | (c >> 6));
            *out++ = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            *out++ = (char)(0xE0 | (c >> 12));
            *out++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *out++ = (char)(0x80 | (c & 0x3F));
        } else {
            *out++ = (char)(0xF0 | (c >> 18));
            *out++ = (char)(0x80 | ((c >> 12) & 0x3F));
            *out++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *out++ = (char)(0x80 | (c & 0x3F));
        }
    }
    if (quote) {
        *out++ = '"';
    }
    e->len = out - e->buf;
    e->ascii = 0;
    return OK;
}

/* Append a non-ASCII string as UTF-8, bare or quoted (`quote` -1: decide as a value token does); DECLINE
 * when it holds a lone surrogate, which has no TOON form (the pure encoder raises). */
static int put_wide(Enc *e, PyObject *s, int quote)
{
    if (!is_ready(s)) {
        return DECLINE;
    }
    const void *data = PyUnicode_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    switch (PyUnicode_KIND(s)) {
    case PyUnicode_1BYTE_KIND:
        return put_wide_kind(e, data, n, quote, PyUnicode_1BYTE_KIND);
    case PyUnicode_2BYTE_KIND:
        return put_wide_kind(e, data, n, quote, PyUnicode_2BYTE_KIND);
    default:
        return put_wide_kind(e, data, n, quote, PyUnicode_4BYTE_KIND);
    }
}

/* Append a string value token: bare unless §7.2 asks for quotes (quoting.string_encoder). */
static int put_string(Enc *e, PyObject *s)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (n == 0) {
        return put(e, "\"\"", 2);
    }
    if (!PyUnicode_IS_ASCII(s)) {
        return put_wide(e, s, -1);
    }
    const unsigned char *p = PyUnicode_1BYTE_DATA(s);
    if (p[n - 1] == ' ' || risky_start(p, n)) {
        return put_quoted_ascii(e, p, n);
    }
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, p + i, 8);
        if (unsafe_in_word(word, e->delim_word)) {
            return put_quoted_ascii(e, p, n);
        }
    }
    for (const unsigned char *unsafe = e->unsafe; i < n; i++) {
        if (unsafe[p[i]]) {
            return put_quoted_ascii(e, p, n);
        }
    }
    return put(e, (const char *)p, n);
}

/* Append a key or field name (§7.3): bare when it matches [A-Za-z_][A-Za-z0-9_.]*, else quoted. */
static int put_key(Enc *e, PyObject *s)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    PyObject **slot = &e->bare_keys[((uintptr_t)s >> 4) % KEY_CACHE];
    if (*slot == s) { /* the input outlives the run and nothing is freed meanwhile: addresses are stable */
        return put(e, (const char *)PyUnicode_1BYTE_DATA(s), n);
    }
    if (!PyUnicode_IS_ASCII(s)) {
        return put_wide(e, s, 1);
    }
    const unsigned char *p = PyUnicode_1BYTE_DATA(s);
    if (n == 0 || !(KEY_REST[p[0]] && !(p[0] >= '0' && p[0] <= '9') && p[0] != '.')) {
        return put_quoted_ascii(e, p, n);
    }
    for (Py_ssize_t i = 1; i < n; i++) {
        if (!KEY_REST[p[i]]) {
            return put_quoted_ascii(e, p, n);
        }
    }
    *slot = s;
    return put(e, (const char *)p, n);
}

/* ---- numbers (quoting.format_float, int.__str__) ------------------------------------------------------ */

/* Append ASCII text of a str made by CPython (an int's or float's digits). */
static int put_ascii_str(Enc *e, PyObject *text)
{
    return put(e, (const char *)PyUnicode_1BYTE_DATA(text), PyUnicode_GET_LENGTH(text));
}

/* Append an exact int: 64-bit ones directly, bigger ones through int.__str__; DECLINE past CPython's
 * int-to-text digit limit (the pure encoder lifts it and retries). */
static int put_int(Enc *e, PyObject *v)
{
#if PY_VERSION_HEX >= 0x030C0000
    if (PyUnstable_Long_IsCompact((PyLongObject *)v)) { /* one digit: no conversion call */
        return put_i64(e, (long long)PyUnstable_Long_CompactValue((PyLongObject *)v));
    }
#else
    Py_ssize_t size = Py_SIZE(v);
    if (size == 0) {
        return put_char(e, '0');
    }
    if (size == 1 || size == -1) { /* one 30-bit digit: read it */
        return put_i64(e, (long long)size * (long long)((PyLongObject *)v)->ob_digit[0]);
    }
#endif
    int overflow;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (!overflow) {
        if (x == -1 && PyErr_Occurred()) {
            return FAIL;
        }
        return put_i64(e, x);
    }
    PyObject *text = PyObject_Str(v);
    if (text == NULL) {
        if (PyErr_ExceptionMatches(PyExc_ValueError)) {
            PyErr_Clear();
            return DECLINE;
        }
        return FAIL;
    }
    int status = put_ascii_str(e, text);
    Py_DECREF(text);
    return status;
}

/* Append the exact digits of an integral float (|x| < 1e21) as int(x) prints them. */
static int put_integral_float(Enc *e, double x)
{
    if (fabs(x) < 9.2e18) {
        return put_i64(e, (long long)x);
    }
    PyObject *big = PyLong_FromDouble(x);
    if (big == NULL) {
        return FAIL;
    }
    PyObject *text = PyObject_Str(big);
    Py_DECREF(big);
    if (text == NULL) {
        return FAIL;
    }
    int status = put_ascii_str(e, text);
    Py_DECREF(text);
    return status;
}

/* Append ±0.<digits> × 10**point like quoting._from_digits: plain decimal when -6 <= point-1 <= 20, else
 * d.ddd e±x with an explicit exponent sign. */
static int put_from_digits(Enc *e, int negative, const char *digits, Py_ssize_t count, long point)
{
    if (RESERVE(e, count + 32) < 0) { /* 30 covers the sign, "0.", zeros (<= 7 or <= 20) and an exponent */
        return FAIL;
    }
    char *out = e->buf + e->len;
    if (negative) {
        *out++ = '-';
    }
    if (point - 1 < -6 || point - 1 > 20) {
        *out++ = digits[0];
        if (count > 1) {
            *out++ = '.';
            memcpy(out, digits + 1, (size_t)(count - 1));
            out += count - 1;
        }
        out += sprintf(out, "e%+ld", point - 1);
    } else if (point <= 0) {
        *out++ = '0';
        *out++ = '.';
        memset(out, '0', (size_t)-point);
        out += -point;
        memcpy(out, digits, (size_t)count);
        out += count;
    } else if (point >= count) {
        memcpy(out, digits, (size_t)count);
        out += count;
        memset(out, '0', (size_t)(point - count));
        out += point - count;
    } else {
        memcpy(out, digits, (size_t)point);
        out += point;
        *out++ = '.';
        memcpy(out, digits + point, (size_t)(count - point));
        out += count - point;
    }
    e->len = out - e->buf;
    return OK;
}

/* Powers of ten exactly representable as doubles. */
static const double POW10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
#define SHORT_LIMIT 1125899906842624.0 /* 2**50 */

/* Append repr(x) for a non-integral x with 1e-4 <= |x| < 1e16 when it has few digits (values like 12.375 or
 * 0.0042, the usual data): find the fewest decimals d for which N = round(x * 10**d) < 2**50 gives back x as
 * N / 10**d. That division of two exact doubles is correctly rounded, so it is exactly the round-trip test of
 * repr's shortest digits; below 2**50 the product is off by less than 1/4, so N is the right candidate, and
 * x's spacing is below 10**-d, so no other d-decimal string reads as x. Return NO when there is none. */
static int put_short_decimal(Enc *e, double x, double ax)
{
    for (int d = 1; d <= 22; d++) {
        double scaled = ax * POW10[d];
        if (scaled >= SHORT_LIMIT) {
            return NO;
        }
        double n = floor(scaled + 0.5);
        if (n / POW10[d] != ax) {
            continue;
        }
        unsigned long long digits = (unsigned long long)n, unit = (unsigned long long)POW10[d];
        unsigned long long whole = digits / unit, frac = digits % unit;
        char tmp[48], *p = tmp + sizeof tmp;
        for (int i = 0; i < d; i++) {
            *--p = (char)('0' + frac % 10);
            frac /= 10;
        }
        *--p = '.';
        do {
            *--p = (char)('0' + whole % 10);
            whole /= 10;
        } while (whole);
        if (x < 0) {
            *--p = '-';
        }
        return put(e, p, tmp + sizeof tmp - p);
    }
    return NO;
}

/* Append a float's §2 token exactly as quoting.format_float makes it (NaN and ±Infinity → null). */
static int put_float(Enc *e, double x)
{
    double ax = fabs(x);
    if (!isfinite(x)) {
        return put(e, "null", 4);
    }
    if (x == 0) {
        return put_char(e, '0');
    }
    if (ax < 1e21 && x == floor(x)) {
        return put_integral_float(e, x); /* repr(x)[:-2] below 1e16 (exact there), int(x) above */
    }
    if (ax >= 1e-4 && ax < 1e16 && put_short_decimal(e, x, ax) == OK) {
        return OK;
    }
    char *repr = PyOS_double_to_string(x, 'r', 0, 0, NULL);
    if (repr == NULL) {
        return FAIL;
    }
    int status;
    if (ax >= 1e-4 && ax < 1e16) {
        status = put(e, repr, (Py_ssize_t)strlen(repr)); /* the common case: repr is already canonical */
    } else { /* repr has an exponent: re-render its digits (d.ddde±xx) */
        char digits[32];
        Py_ssize_t count = 0;
        const char *p = repr;
        int negative = *p == '-';
        p += negative;
        for (; *p && *p != 'e' && count < (Py_ssize_t)sizeof digits; p++) {
            if (*p != '.') {
                digits[count++] = *p;
            }
        }
        long exponent = *p == 'e' ? strtol(p + 1, NULL, 10) : 0;
        status = put_from_digits(e, negative, digits, count, exponent + 1);
    }
    PyMem_Free(repr);
    return status;
}

/* ---- values ------------------------------------------------------------------------------------------ */

/* The kind of a value: a JSON primitive, dict, list (all exact types), or anything else. */
static inline int kind_of(PyObject *v)
{
    PyTypeObject *t = Py_TYPE(v);
    if (t == &PyUnicode_Type || t == &PyLong_Type || t == &PyFloat_Type || t == &PyBool_Type || v == Py_None) {
        return K_PRIM;
    }
    if (t == &PyDict_Type) {
        return K_DICT;
    }
    if (t == &PyList_Type) {
        return K_LIST;
    }
    return K_OTHER;
}

/* Append the token of a JSON primitive (K_PRIM). */
static int put_primitive(Enc *e, PyObject *v)
{
    PyTypeObject *t = Py_TYPE(v);
    if (t == &PyUnicode_Type) {
        return put_string(e, v);
    }
    if (t == &PyLong_Type) {
        return put_int(e, v);
    }
    if (t == &PyFloat_Type) {
        return put_float(e, PyFloat_AS_DOUBLE(v));
    }
    if (v == Py_True) {
        return put(e, "true", 4);
    }
    if (v == Py_False) {
        return put(e, "false", 5);
    }
    return put(e, "null", 4);
}

/* ---- tables (encoder.tabular, flatten, classify, grouped) --------------------------------------------- */

/* A classified table: the field names of its first object, per field a nested group or NULL (a primitive
 * column), and the cells of each row in field order (borrowed references). */
typedef struct Plan {
    Py_ssize_t fields, rows;
    PyObject **names;   /* fields */
    struct Plan **sub;  /* fields */
    PyObject **cells;   /* rows * fields */
} Plan;

/* Free a plan and its nested groups. */
static void plan_free(Plan *plan)
{
    if (plan == NULL) {
        return;
    }
    if (plan->sub) {
        for (Py_ssize_t j = 0; j < plan->fields; j++) {
            plan_free(plan->sub[j]);
        }
    }
    PyMem_Free(plan->names);
    PyMem_Free(plan->sub);
    PyMem_Free(plan->cells);
    PyMem_Free(plan);
}

/* Whether every key of `obj` is an exact str (so that look-ups in it run no Python code). */
static int str_keys(PyObject *obj)
{
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(obj, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key)) {
            return 0;
        }
    }
    return 1;
}

/* Store the values of `obj` in the order of `names` at `out`: NO when its keys are not those names
 * (the caller checked that it has as many). The usual case, keys in the same order and shared, is one walk. */
static int row_cells(PyObject *obj, PyObject **names, Py_ssize_t fields, PyObject **out)
{
    Py_ssize_t pos = 0, j = 0;
    PyObject *key, *value;
    while (PyDict_Next(obj, &pos, &key, &value)) {
        if (key != names[j]) {
            break;
        }
        out[j++] = value;
    }
    if (j == fields) {
        return OK;
    }
    if (!str_keys(obj)) {
        return DECLINE;
    }
    for (j = 0; j < fields; j++) {
        value = PyDict_GetItemWithError(obj, names[j]);
        if (value == NULL) {
            return PyErr_Occurred() ? FAIL : NO;
        }
        out[j] = value;
    }
    return OK;
}

/* Classify `count` dicts as a table (§9.3): *out gets the plan when every column is uniform-primitive or
 * nested-uniform; NO when they do not form a table. `depth` is the nesting of field groups, for the limit. */
static int classify(PyObject *const *objs, Py_ssize_t count, Py_ssize_t depth, Plan **out)
{
    PyObject *first = objs[0];
    Py_ssize_t fields = PyDict_GET_SIZE(first);
    if (fields == 0) {
        return NO;
    }
    if (depth > DEPTH_LIMIT) {
        return DECLINE;
    }
    for (Py_ssize_t i = 1; i < count; i++) { /* cheap rejection: sizes differ */
        if (PyDict_GET_SIZE(objs[i]) != fields) {
            return NO;
        }
    }
    if ((size_t)count > PY_SSIZE_T_MAX / sizeof(PyObject *) / (size_t)fields) {
        PyErr_NoMemory();
        return FAIL;
    }
    Plan *plan = PyMem_Calloc(1, sizeof(Plan));
    if (plan == NULL) {
        PyErr_NoMemory();
        return FAIL;
    }
    plan->fields = fields;
    plan->rows = count;
    plan->names = PyMem_Malloc(sizeof(PyObject *) * (size_t)fields);
    plan->sub = PyMem_Calloc((size_t)fields, sizeof(Plan *));
    plan->cells = PyMem_Malloc(sizeof(PyObject *) * (size_t)fields * (size_t)count);
    unsigned char *kinds = PyMem_Calloc((size_t)fields, 1);
    PyObject **column = NULL;
    int status = OK;
    if (plan->names == NULL || plan->sub == NULL || plan->cells == NULL || kinds == NULL) {
        PyErr_NoMemory();
        status = FAIL;
        goto done;
    }
    Py_ssize_t pos = 0, j = 0;
    PyObject *key, *value;
    while (PyDict_Next(first, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key)) {
            status = DECLINE;
            goto done;
        }
        plan->names[j++] = key;
    }
    int seen = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject **row = plan->cells + i * fields;
        status = row_cells(objs[i], plan->names, fields, row);
        if (status != OK) {
            goto done;
        }
        for (j = 0; j < fields; j++) {
            int kind = kind_of(row[j]);
            kinds[j] |= (unsigned char)kind;
            seen |= kind;
        }
        if (seen & (K_OTHER | K_LIST)) {
            status = seen & K_OTHER ? DECLINE : NO; /* a host value; an array cell rules a table out */
            goto done;
        }
    }
    for (j = 0; j < fields && status == OK; j++) {
        if (kinds[j] == K_PRIM) {
            continue;
        }
        if (kinds[j] != K_DICT) {
            status = NO; /* primitives and objects in one column */
            break;
        }
        if (column == NULL && (column = PyMem_Malloc(sizeof(PyObject *) * (size_t)count)) == NULL) {
            PyErr_NoMemory();
            status = FAIL;
            break;
        }
        for (Py_ssize_t i = 0; i < count; i++) {
            column[i] = plan->cells[i * fields + j];
        }
        status = classify(column, count, depth + 1, &plan->sub[j]);
    }
done:
    PyMem_Free(kinds);
    PyMem_Free(column);
    if (status == OK) {
        *out = plan;
    } else {
        plan_free(plan);
    }
    return status;
}

/* Append a plan's field list, "{f1,f2{g1,g2}}" (§6, nested field groups). */
static int put_field_list(Enc *e, const Plan *plan)
{
    TRY(put_char(e, '{'));
    for (Py_ssize_t j = 0; j < plan->fields; j++) {
        if (j) {
            TRY(put_char(e, e->delim));
        }
        TRY(put_key(e, plan->names[j]));
        if (plan->sub[j]) {
            TRY(put_field_list(e, plan->sub[j]));
        }
    }
    return put_char(e, '}');
}

/* Append the leaf cells of row `i`, nested groups expanded in place, joined by the delimiter. */
static int put_row(Enc *e, const Plan *plan, Py_ssize_t i)
{
    PyObject *const *cells = plan->cells + i * plan->fields;
    for (Py_ssize_t j = 0; j < plan->fields; j++) {
        if (j) {
            TRY(put_char(e, e->delim));
        }
        TRY(plan->sub[j] ? put_row(e, plan->sub[j], i) : put_primitive(e, cells[j]));
    }
    return OK;
}

/* ---- objects and arrays (encoder._Encoder) ------------------------------------------------------------ */

static int enc_fields(Enc *e, PyObject *obj, Py_ssize_t depth, Py_ssize_t lead);
static int enc_array(Enc *e, PyObject *list, Py_ssize_t depth, enum place where);

/* Append a keyed table's header and entry rows ("key: c1,c2") at `depth` + 1. */
static int put_keyed_rows(Enc *e, PyObject *obj, const Plan *plan, Py_ssize_t depth)
{
    TRY(put_bracket(e, PyDict_GET_SIZE(obj), 1));
    TRY(put_field_list(e, plan));
    TRY(put_char(e, ':'));
    Py_ssize_t pos = 0, i = 0;
    PyObject *key, *value;
    while (PyDict_Next(obj, &pos, &key, &value)) {
        TRY(begin_line(e, depth + 1));
        TRY(put_key(e, key));
        TRY(put(e, ": ", 2));
        TRY(put_row(e, plan, i++));
    }
    return OK;
}

/* Append an array table's field list and rows at `depth` + 1 (the bracket segment is written). */
static int put_table_rows(Enc *e, const Plan *plan, Py_ssize_t depth)
{
    TRY(put_field_list(e, plan));
    TRY(put_char(e, ':'));
    for (Py_ssize_t i = 0; i < plan->rows; i++) {
        TRY(begin_line(e, depth + 1));
        TRY(put_row(e, plan, i));
    }
    return OK;
}

/* After a written prefix, emit `obj` in keyed tabular form (§9.5) if it qualifies, else return NO. */
static int enc_keyed(Enc *e, PyObject *obj, Py_ssize_t depth)
{
    Py_ssize_t count = PyDict_GET_SIZE(obj);
    if (count < 2) {
        return NO;
    }
    if (depth + 1 > DEPTH_LIMIT) {
        return DECLINE;
    }
    PyObject **entries = PyMem_Malloc(sizeof(PyObject *) * (size_t)count);
    if (entries == NULL) {
        PyErr_NoMemory();
        return FAIL;
    }
    Py_ssize_t pos = 0, i = 0;
    PyObject *key, *value;
    int status = OK;
    while (PyDict_Next(obj, &pos, &key, &value)) {
        int kind = kind_of(value);
        if (!PyUnicode_CheckExact(key) || kind == K_OTHER) {
            status = DECLINE;
            break;
        }
        if (kind != K_DICT) {
            status = NO;
            break;
        }
        entries[i++] = value;
    }
    Plan *plan = NULL;
    if (status == OK) {
        status = classify(entries, count, depth, &plan);
    }
    PyMem_Free(entries);
    if (status != OK) {
        return status;
    }
    status = put_keyed_rows(e, obj, plan, depth);
    plan_free(plan);
    return status;
}

/* After a written prefix, emit an object-valued field: keyed tabular when it qualifies, else "key:" and its
 * fields one level deeper (encoder.nested). */
static int enc_nested(Enc *e, PyObject *obj, Py_ssize_t depth)
{
    Py_ssize_t count = PyDict_GET_SIZE(obj);
    if (count >= 2) {
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        PyDict_Next(obj, &pos, &key, &value);
        if (kind_of(value) == K_DICT) { /* otherwise it cannot be keyed */
            int status = enc_keyed(e, obj, depth);
            if (status != NO) {
                return status;
            }
        }
    }
    TRY(put_char(e, ':'));
    return count ? enc_fields(e, obj, depth + 1, -1) : OK;
}

/* Emit the fields of a non-empty object at `depth`, one line each; `lead` >= 0 puts the first one on a list
 * item's hyphen line at that depth (§10). */
static int enc_fields(Enc *e, PyObject *obj, Py_ssize_t depth, Py_ssize_t lead)
{
    if (depth > DEPTH_LIMIT) {
        return DECLINE;
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(obj, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key)) {
            return DECLINE;
        }
        TRY(lead >= 0 ? begin_item(e, lead) : begin_line(e, depth));
        lead = -1;
        TRY(put_key(e, key));
        int status;
        switch (kind_of(value)) {
        case K_PRIM:
            TRY(put(e, ": ", 2));
            status = put_primitive(e, value);
            break;
        case K_DICT:
            status = enc_nested(e, value, depth);
            break;
        case K_LIST:
            status = enc_array(e, value, depth, FIELD);
            break;
        default:
            status = DECLINE;
        }
        if (status != OK) {
            return status;
        }
    }
    return OK;
}

/* Emit the elements of an expanded array as "- " items at `depth` (§9.4, §10). */
static int enc_list_items(Enc *e, PyObject *list, Py_ssize_t depth)
{
    if (depth > DEPTH_LIMIT) {
        return DECLINE;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        PyObject *item = PyList_GET_ITEM(list, i);
        int kind = kind_of(item);
        if (kind == K_DICT && PyDict_GET_SIZE(item)) {
            TRY(enc_fields(e, item, depth + 1, depth));
        } else if (kind == K_DICT) {
            TRY(begin_line(e, depth));
            TRY(put_char(e, '-'));
        } else if (kind == K_LIST) {
            TRY(begin_item(e, depth));
            TRY(enc_array(e, item, depth, ITEM));
        } else if (kind == K_PRIM) {
            TRY(begin_item(e, depth));
            TRY(put_primitive(e, item));
        } else {
            return DECLINE;
        }
    }
    return OK;
}

/* After a written prefix, emit an array whose items or rows go to `depth` + 1 (§9: inline primitives,
 * tabular rows, or list items); `where` picks the empty form and whether a table is allowed. */
static int enc_array(Enc *e, PyObject *list, Py_ssize_t depth, enum place where)
{
    Py_ssize_t count = PyList_GET_SIZE(list);
    if (count == 0) {
        if (where == ITEM) {
            TRY(put_bracket(e, 0, 0)); /* §9.2: never "- []" */
            return put_char(e, ':');
        }
        return where == FIELD ? put(e, ": []", 4) : put(e, "[]", 2);
    }
    if (depth + 1 > DEPTH_LIMIT) {
        return DECLINE;
    }
    PyObject *const *items = &PyList_GET_ITEM(list, 0);
    int kinds = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        kinds |= kind_of(items[i]);
    }
    if (kinds & K_OTHER) {
        return DECLINE;
    }
    TRY(put_bracket(e, count, 0));
    if (kinds == K_PRIM) { /* inline: "[N]: v1,v2" */
        TRY(put(e, ": ", 2));
        for (Py_ssize_t i = 0; i < count; i++) {
            if (i) {
                TRY(put_char(e, e->delim));
            }
            TRY(put_primitive(e, items[i]));
        }
        return OK;
    }
    if (kinds == K_DICT && where != ITEM) { /* §9.4: no tabular form for an anonymous inner array */
        Plan *plan = NULL;
        int status = classify(items, count, depth, &plan);
        if (status == OK) {
            status = put_table_rows(e, plan, depth);
            plan_free(plan);
        }
        if (status != NO) {
            return status;
        }
    }
    TRY(put_char(e, ':'));
    return enc_list_items(e, list, depth + 1);
}

/* Emit the whole document for `value` (§5 root forms; encoder.document). */
static int enc_document(Enc *e, PyObject *value)
{
    switch (kind_of(value)) {
    case K_LIST:
        return enc_array(e, value, 0, ROOT);
    case K_DICT: {
        int status = enc_keyed(e, value, 0);
        return status == NO ? (PyDict_GET_SIZE(value) ? enc_fields(e, value, 0, -1) : OK) : status;
    }
    case K_PRIM:
        if (PyUnicode_CheckExact(value) && is_ready(value) && PyUnicode_GET_LENGTH(value) && PyUnicode_READ_CHAR(value, 0) == 0xFEFF) {
            return put_wide(e, value, 1); /* quoted, or it would read as a byte-order mark */
        }
        return put_primitive(e, value);
    default:
        return DECLINE;
    }
}

/* ---- module ------------------------------------------------------------------------------------------ */

PyDoc_STRVAR(encode_doc,
"encode(value, delimiter, indent_size)\n--\n\n"
"Return `value` as TOON text exactly as toon.encoder.encode does, or NotImplemented when the value or the\n"
"options are outside what the compiled encoder handles (the pure encoder then does it).");

/* The delimiter character of an exact str the pure encoder takes (",", "\t", "|" or "comma", "tab",
 * "pipe", as encoder.DELIMITERS), or 0. */
static char delimiter_char(PyObject *delimiter)
{
    if (!PyUnicode_CheckExact(delimiter) || !PyUnicode_IS_ASCII(delimiter)) {
        return 0;
    }
    const char *text = (const char *)PyUnicode_1BYTE_DATA(delimiter);
    static const char *const names[][2] = {{",", ","}, {"\t", "\t"}, {"|", "|"},
                                           {"comma", ","}, {"tab", "\t"}, {"pipe", "|"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t length = strlen(names[i][0]);
        if ((size_t)PyUnicode_GET_LENGTH(delimiter) == length && memcmp(text, names[i][0], length) == 0) {
            return names[i][1][0];
        }
    }
    return 0;
}

/* encode(value, delimiter, indent_size) -> str or NotImplemented. */
static PyObject *encode(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "encode() takes exactly 3 arguments (value, delimiter, indent_size)");
        return NULL;
    }
    PyObject *value = args[0], *delimiter = args[1], *indent = args[2];
    char d = delimiter_char(delimiter);
    if (d == 0 || !PyLong_CheckExact(indent)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    int overflow;
    long indent_size = PyLong_AsLongAndOverflow(indent, &overflow);
    if (overflow || indent_size < 1 || indent_size > MAX_INDENT) {
        PyErr_Clear();
        Py_RETURN_NOTIMPLEMENTED;
    }
    Enc e;
    memset(&e, 0, sizeof e);
    e.ascii = 1;
    e.delim = d;
    e.indent = indent_size;
    e.unsafe = d == ',' ? UNSAFE_COMMA : d == '\t' ? UNSAFE_TAB : UNSAFE_PIPE;
    e.delim_word = ONES * (uint64_t)d;
    int status = enc_document(&e, value);
    PyObject *result = NULL;
    if (status == OK) {
        if (e.ascii) {
            result = PyUnicode_New(e.len, 127);
            if (result != NULL && e.len) {
                memcpy(PyUnicode_1BYTE_DATA(result), e.buf, (size_t)e.len);
            }
        } else {
            result = PyUnicode_DecodeUTF8(e.buf, e.len, "strict");
        }
    } else if (status == DECLINE) {
        result = Py_NewRef(Py_NotImplemented);
    }
    PyMem_Free(e.buf);
    return result;
}

static PyMethodDef methods[] = {
    {"encode", (PyCFunction)(void (*)(void))encode, METH_FASTCALL, encode_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cencoder", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__cencoder(void)
{
    init_tables();
    return PyModule_Create(&module);
}
