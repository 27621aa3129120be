/* The detectors' first looks over whole files, in C: which of a set of words a text holds,
 * and whether it holds the shape of a Medicare Beneficiary Identifier.
 *
 * Why: before the per-string detectors run, every file's text is looked at once to rule
 * out the detector groups it cannot match (detect_checks.py ``absent_groups``): about forty
 * substring tests and a regular expression with no literal to start from, each a pass over
 * the whole text. In Python that was a twelfth of a scan's per-file time; here it is one
 * pass for all the words and one for the shape.
 *
 * The Python versions stay the reference (textlook.py); the module is optional and gives
 * the same answers: tests/fastlook_check.py compares both on the corpus and edge cases. It
 * reads only texts of one byte per character (Latin-1, which covers ASCII); for any other
 * text it returns None and the caller uses Python.
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

/* 1 when ``text`` is a str of one byte per character (its bytes in *s, its length in *n),
 * 0 for a wider str, -1 with TypeError for anything else. */
static int one_byte(PyObject *text, const char *function, const unsigned char **s,
                    Py_ssize_t *n)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "%s() takes a str", function);
        return -1;
    }
    if (PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND)
        return 0;
    *s = PyUnicode_1BYTE_DATA(text);
    *n = PyUnicode_GET_LENGTH(text);
    return 1;
}

/* present(text) -> int | None: bit j set when word j occurs in ``text``; None when the text
 * is not one byte per character. */
static PyObject *words_present(Words *self, PyObject *text)
{
    const unsigned char *s;
    Py_ssize_t n;
    int ok = one_byte(text, "present", &s, &n);
    if (ok <= 0)
        return ok < 0 ? NULL : Py_NewRef(Py_None);
    uint64_t all = self->count == 64 ? ~(uint64_t)0 : (((uint64_t)1 << self->count) - 1);
    uint64_t found = 0;
    for (Py_ssize_t i = 0; i + 1 < n && found != all; i++) {
        unsigned key = (unsigned)s[i] << 8 | s[i + 1];
        if (!(self->pairs[key >> 3] & (1u << (key & 7))))
            continue;
        uint64_t candidates = self->by_first[s[i]] & ~found;
        while (candidates) {
            int j = __builtin_ctzll(candidates);
            candidates &= candidates - 1;
            Py_ssize_t len = self->lengths[j];
            if (len <= n - i && memcmp(s + i, self->words[j], (size_t)len) == 0)
                found |= (uint64_t)1 << j;
        }
    }
    return PyLong_FromUnsignedLongLong(found);
}

static PyMethodDef words_methods[] = {
    {"present", (PyCFunction)words_present, METH_O,
     "Bit j set when word j occurs in the text; None for a text wider than Latin-1."},
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

static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Whether the MBI shape [1-9][A-Z][A-Z0-9]\d-?[A-Z][A-Z0-9]\d-?[A-Z]{2}\d{2} starts at s[i].
 * Each optional hyphen stands where the pattern then needs a letter, so taking it when it is
 * there is the only way the pattern can go on: no backtracking. */
static int mbi_at(const unsigned char *s, Py_ssize_t n, Py_ssize_t i)
{
    if (n - i < 11 || !(s[i] >= '1' && s[i] <= '9') || !is_upper(s[i + 1])
            || !(is_upper(s[i + 2]) || is_digit(s[i + 2])) || !is_digit(s[i + 3]))
        return 0;
    i += 4;
    if (s[i] == '-')
        i++;
    if (n - i < 7 || !is_upper(s[i]) || !(is_upper(s[i + 1]) || is_digit(s[i + 1]))
            || !is_digit(s[i + 2]))
        return 0;
    i += 3;
    if (s[i] == '-')
        i++;
    return n - i >= 4 && is_upper(s[i]) && is_upper(s[i + 1]) && is_digit(s[i + 2])
        && is_digit(s[i + 3]);
}

/* mbi_shape(text) -> bool | None: the regex search, for one-byte texts (where \d is 0-9). */
static PyObject *mbi_shape(PyObject *Py_UNUSED(module), PyObject *text)
{
    const unsigned char *s;
    Py_ssize_t n;
    int ok = one_byte(text, "mbi_shape", &s, &n);
    if (ok <= 0)
        return ok < 0 ? NULL : Py_NewRef(Py_None);
    for (Py_ssize_t i = 0; i + 11 <= n; i++) {
        if (is_upper(s[i + 1]) && mbi_at(s, n, i))
            Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

static PyMethodDef module_methods[] = {
    {"mbi_shape", (PyCFunction)mbi_shape, METH_O,
     "Whether the text holds the MBI shape; None for a text wider than Latin-1."},
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
