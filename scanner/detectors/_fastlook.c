/* The detectors' first looks over whole files, in C: which of a set of words a text holds,
 * and whether it holds the shape of a Medicare Beneficiary Identifier.
 *
 * Why: before the per-string detectors run, every file's text is looked at once to rule
 * out the detector groups it cannot match (detect_checks.py ``absent_groups``): about forty
 * substring tests and a regular expression with no literal to start from, each a pass over
 * the whole text. In Python that was a twelfth of a scan's per-file time; here it is one
 * pass for all the words and one for the shape.
 *
 * The Python versions stay the reference (textlook.py ``present_python``, phi.py
 * ``_MBI_SHAPE``); the module is optional and gives the same answers:
 * tests/fastlook_check.py compares both on the corpus and edge cases. Every width of str is
 * read (one, two or four bytes per character), each with its own copy of the loop.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_WORDS 64

typedef struct {
    PyObject_HEAD
    int count;
    uint8_t pairs[65536 / 8];   /* bit (a << 8 | b): some word starts with the bytes a, b */
    uint64_t by_first[256];     /* bit j: word j starts with this byte */
    Py_ssize_t lengths[MAX_WORDS];
    char *words[MAX_WORDS];     /* ASCII copies */
} Words;

static void words_dealloc(Words *self)
{
    for (int j = 0; j < self->count; j++)
        PyMem_Free(self->words[j]);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Words(words: tuple[str, ...]): up to 64 ASCII words of two or more characters. */
static int words_init(Words *self, PyObject *args, PyObject *kwds)
{
    PyObject *seq;
    static char *kwlist[] = {"words", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!", kwlist, &PyTuple_Type, &seq))
        return -1;
    if (self->count != 0) {
        PyErr_SetString(PyExc_TypeError, "Words is initialised once");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    if (n > MAX_WORDS) {
        PyErr_SetString(PyExc_ValueError, "at most 64 words");
        return -1;
    }
    memset(self->pairs, 0, sizeof(self->pairs));
    memset(self->by_first, 0, sizeof(self->by_first));
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *w = PyTuple_GET_ITEM(seq, j);
        if (!PyUnicode_Check(w) || !PyUnicode_IS_ASCII(w) || PyUnicode_GET_LENGTH(w) < 2) {
            PyErr_SetString(PyExc_ValueError, "words are ASCII strings of 2 or more characters");
            return -1;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(w);
        char *copy = PyMem_Malloc((size_t)len);
        if (copy == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(copy, PyUnicode_1BYTE_DATA(w), (size_t)len);
        self->words[j] = copy;
        self->lengths[j] = len;
        self->count = (int)j + 1;
        unsigned a = (unsigned char)copy[0], b = (unsigned char)copy[1];
        unsigned key = a << 8 | b;
        self->pairs[key >> 3] |= (uint8_t)(1u << (key & 7));
        self->by_first[a] |= (uint64_t)1 << j;
    }
    return 0;
}

/* Whether the word (ASCII, ``len`` bytes) starts at s, which has ``room`` characters. */
#define DEFINE_SAME(NAME, TYPE)                                                     \
    static int NAME(const TYPE *s, Py_ssize_t room, const char *word, Py_ssize_t len) \
    {                                                                               \
        if (len > room)                                                             \
            return 0;                                                               \
        for (Py_ssize_t k = 0; k < len; k++)                                        \
            if ((Py_UCS4)s[k] != (unsigned char)word[k])                            \
                return 0;                                                           \
        return 1;                                                                   \
    }

/* The words found in s[0:n], for each width of str: a character above 255 is in no word. */
#define DEFINE_PRESENT(NAME, TYPE, SAME)                                            \
    static uint64_t NAME(const Words *self, const TYPE *s, Py_ssize_t n)            \
    {                                                                               \
        uint64_t all = self->count == 64 ? ~(uint64_t)0                             \
                                         : (((uint64_t)1 << self->count) - 1);      \
        uint64_t found = 0;                                                         \
        for (Py_ssize_t i = 0; i + 1 < n && found != all; i++) {                    \
            Py_UCS4 a = s[i], b = s[i + 1];                                         \
            if (a > 0xFF || b > 0xFF)                                               \
                continue;                                                           \
            unsigned key = (unsigned)a << 8 | (unsigned)b;                          \
            if (!(self->pairs[key >> 3] & (1u << (key & 7))))                       \
                continue;                                                           \
            uint64_t candidates = self->by_first[a] & ~found;                       \
            while (candidates) {                                                    \
                int j = __builtin_ctzll(candidates);                                \
                candidates &= candidates - 1;                                       \
                if (SAME(s + i, n - i, self->words[j], self->lengths[j]))           \
                    found |= (uint64_t)1 << j;                                      \
            }                                                                       \
        }                                                                           \
        return found;                                                               \
    }

static int same_1(const Py_UCS1 *s, Py_ssize_t room, const char *word, Py_ssize_t len)
{
    return len <= room && memcmp(s, word, (size_t)len) == 0;
}
DEFINE_SAME(same_2, Py_UCS2)
DEFINE_SAME(same_4, Py_UCS4)
DEFINE_PRESENT(present_1, Py_UCS1, same_1)
DEFINE_PRESENT(present_2, Py_UCS2, same_2)
DEFINE_PRESENT(present_4, Py_UCS4, same_4)

static int check_str(PyObject *text, const char *function)
{
    if (PyUnicode_Check(text))
        return 0;
    PyErr_Format(PyExc_TypeError, "%s() takes a str", function);
    return -1;
}

static uint64_t present_of(const Words *self, PyObject *text)
{
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return present_1(self, data, n);
    case PyUnicode_2BYTE_KIND:
        return present_2(self, data, n);
    default:
        return present_4(self, data, n);
    }
}

/* present(text) -> int: bit j set when word j occurs in ``text``. */
static PyObject *words_present(Words *self, PyObject *text)
{
    if (check_str(text, "present") < 0)
        return NULL;
    return PyLong_FromUnsignedLongLong(present_of(self, text));
}

/* The words of text.lower(). An ASCII text is lowered here, byte by byte, as str.lower()
 * lowers ASCII; any other text is lowered by str.lower() itself. */
static int present_lower(const Words *self, PyObject *text, uint64_t *found)
{
    if (!PyUnicode_IS_ASCII(text)) {
        PyObject *low = PyObject_CallMethod(text, "lower", NULL);
        if (low == NULL)
            return -1;
        *found = present_of(self, low);
        Py_DECREF(low);
        return 0;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n < 2) {  /* every word has two characters or more */
        *found = 0;
        return 0;
    }
    const Py_UCS1 *s = PyUnicode_1BYTE_DATA(text);
    Py_UCS1 small[256];
    Py_UCS1 *buf = n <= (Py_ssize_t)sizeof(small) ? small : PyMem_Malloc((size_t)n);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (Py_UCS1)(s[i] | 0x20) : s[i];
    *found = present_1(self, buf, n);
    if (buf != small)
        PyMem_Free(buf);
    return 0;
}

/* present_each(rows, column, lower) -> list[int]: present(row[column]) for each row of the
 * list ``rows`` (tuples), of row[column].lower() when ``lower``; 0 where row[column] is None.
 * One call for every string of a resource, where a call per string cost more than the look
 * itself. */
static PyObject *words_present_each(Words *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "present_each(rows: list, column: int, lower: bool)");
        return NULL;
    }
    PyObject *rows = args[0];
    Py_ssize_t column = PyLong_AsSsize_t(args[1]);
    if (column == -1 && PyErr_Occurred())
        return NULL;
    int lower = PyObject_IsTrue(args[2]);
    if (lower < 0)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(rows);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *row = PyList_GET_ITEM(rows, i);
        if (!PyTuple_Check(row) || column < 0 || column >= PyTuple_GET_SIZE(row)) {
            PyErr_SetString(PyExc_TypeError, "present_each() takes a list of tuples with "
                                             "that column");
            Py_DECREF(out);
            return NULL;
        }
        PyObject *text = PyTuple_GET_ITEM(row, column);
        if (text != Py_None && check_str(text, "present_each") < 0) {
            Py_DECREF(out);
            return NULL;
        }
        uint64_t found;
        if (text == Py_None)  /* a list item's missing name: no words */
            found = 0;
        else if (!lower)
            found = present_of(self, text);
        else if (present_lower(self, text, &found) < 0) {
            Py_DECREF(out);
            return NULL;
        }
        PyObject *bits = PyLong_FromUnsignedLongLong(found);
        if (bits == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, bits);
        if (n != PyList_GET_SIZE(rows)) {  /* str.lower() runs no Python, but be sure */
            PyErr_SetString(PyExc_RuntimeError, "rows changed size during present_each()");
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

static PyMethodDef words_methods[] = {
    {"present", (PyCFunction)words_present, METH_O,
     "Bit j set when word j occurs in the text."},
    {"present_each", (PyCFunction)(void (*)(void))words_present_each, METH_FASTCALL,
     "present() of each row[column] (lower-cased when lower) of a list of tuples."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject WordsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "scanner.detectors._fastlook.Words",
    .tp_basicsize = sizeof(Words),
    .tp_dealloc = (destructor)words_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A set of up to 64 ASCII words, looked for in one pass.",
    .tp_methods = words_methods,
    .tp_init = (initproc)words_init,
    .tp_new = PyType_GenericNew,
};

/* [A-Z], [A-Z0-9] and \d as ``re`` reads them in a str pattern (\d: any decimal digit, of
 * which the first 256 characters hold only 0-9). */
static int is_upper(Py_UCS4 c) { return c >= 'A' && c <= 'Z'; }
static int is_upper_or_ascii_digit(Py_UCS4 c) { return is_upper(c) || (c >= '0' && c <= '9'); }
static int is_digit(Py_UCS4 c)
{
    return (c >= '0' && c <= '9') || (c > 0xFF && Py_UNICODE_ISDECIMAL(c));
}

/* Whether the MBI shape [1-9][A-Z][A-Z0-9]\d-?[A-Z][A-Z0-9]\d-?[A-Z]{2}\d{2} starts at s[i].
 * Each optional hyphen stands where the pattern then needs a letter, so taking it when it is
 * there is the only way the pattern can go on: no backtracking. */
#define DEFINE_MBI(NAME, TYPE)                                                      \
    static int NAME(const TYPE *s, Py_ssize_t n)                                    \
    {                                                                               \
        for (Py_ssize_t i = 0; i + 11 <= n; i++) {                                  \
            if (!is_upper(s[i + 1]) || !(s[i] >= '1' && s[i] <= '9')                \
                    || !is_upper_or_ascii_digit(s[i + 2]) || !is_digit(s[i + 3]))   \
                continue;                                                           \
            Py_ssize_t k = i + 4;                                                   \
            if (s[k] == '-')                                                        \
                k++;                                                                \
            if (n - k < 7 || !is_upper(s[k]) || !is_upper_or_ascii_digit(s[k + 1])  \
                    || !is_digit(s[k + 2]))                                         \
                continue;                                                           \
            k += 3;                                                                 \
            if (s[k] == '-')                                                        \
                k++;                                                                \
            if (n - k >= 4 && is_upper(s[k]) && is_upper(s[k + 1]) && is_digit(s[k + 2])\
                    && is_digit(s[k + 3]))                                          \
                return 1;                                                           \
        }                                                                           \
        return 0;                                                                   \
    }

DEFINE_MBI(mbi_1, Py_UCS1)
DEFINE_MBI(mbi_2, Py_UCS2)
DEFINE_MBI(mbi_4, Py_UCS4)

/* mbi_shape(text) -> bool: whether the regex above finds anything in ``text``. */
static PyObject *mbi_shape(PyObject *Py_UNUSED(module), PyObject *text)
{
    if (check_str(text, "mbi_shape") < 0)
        return NULL;
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int found;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        found = mbi_1(data, n);
        break;
    case PyUnicode_2BYTE_KIND:
        found = mbi_2(data, n);
        break;
    default:
        found = mbi_4(data, n);
    }
    return PyBool_FromLong(found);
}

static PyMethodDef module_methods[] = {
    {"mbi_shape", (PyCFunction)mbi_shape, METH_O,
     "Whether the text holds the MBI shape."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastlook_module = {
    PyModuleDef_HEAD_INIT, "_fastlook",
    "The detectors' first looks over whole files, in C (see textlook.py).", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastlook(void)
{
    if (PyType_Ready(&WordsType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&fastlook_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&WordsType);
    if (PyModule_AddObject(m, "Words", (PyObject *)&WordsType) < 0) {
        Py_DECREF(&WordsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
