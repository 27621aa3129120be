/* Build wardscan's YAML documents straight from libyaml's events.
 *
 * Why: PyYAML's libyaml loader first makes a Python node object, with two mark objects,
 * for every key, value and container, and only then the values themselves. Those objects
 * cost more than libyaml's parsing, and the scanner needs only a few of their positions
 * (where a finding points). This module makes the values directly and keeps, for each
 * mapping and sequence, one packed table of positions (see scanner/parse/yaml.py,
 * ``Packed``), read only when a finding asks for a line.
 *
 * It handles the common subset: untagged nodes, string keys written once, no anchors or
 * aliases, no merge keys. For anything else, and for any error, ``load`` returns None and
 * the caller parses the text again with PyYAML, which gives the same values (or the same
 * error message) as before. So this module never has to reproduce an error or a rare
 * construct; it only has to agree with PyYAML on the subset it accepts, which
 * tests/test_compiled.py checks value by value and position by position.
 *
 * Plain scalars that may be something other than a string (those starting with a character
 * one of the loader's implicit resolvers is registered for) are resolved by a Python
 * callback, so the resolution rules stay PyYAML's own.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <string.h>
#include <yaml.h>

/* Why a build gives up: FALLBACK hands the text back to PyYAML, FAILED has a Python
 * exception set that must propagate (an interrupt, or memory running out). */
enum { OK = 0, FALLBACK = 1, FAILED = 2 };

/* Deeper than this, PyYAML (or the depth limits in front of it) takes over. */
#define MAX_DEPTH 512

/* Keys are interned, so the scanner's lookups with literal keys ("spec", "containers") meet
 * the very same object. Not on 3.12, where an interned string is immortal: every distinct
 * key of every file would stay for the life of the process (22 MB for 200,000 keys). */
#if PY_VERSION_HEX >= 0x030C0000 && PY_VERSION_HEX < 0x030D0000
#define INTERN(s) ((void)0)
#else
#define INTERN(s) PyUnicode_InternInPlace(s)
#endif

typedef struct {
    PyObject *map_cls;     /* class of every mapping (a dict subclass with a `node` slot) */
    PyObject *seq_cls;     /* class of every sequence (a list subclass with a `node` slot) */
    PyObject *plain;       /* callable: plain scalar text -> value, or the `unsure` sentinel */
    PyObject *cache;       /* dict: plain scalar text -> value, filled by `plain` */
    PyObject *unsure;      /* sentinel `plain` returns for texts only PyYAML may build */
    PyObject *node_name;   /* "node", the slot the position table is stored in */
    PyObject *empty;       /* () for tp_new */
    char resolve_first[256];  /* first characters some implicit resolver is registered for */
    int resolve_all;          /* a resolver for every text (a wildcard): always ask */
    int configured;
} State;

static State S;

/* A growable table of C ints, the position table of one container. */
typedef struct {
    int *data;
    Py_ssize_t len, cap;
    int small[64];
} IntBuf;

static void ib_init(IntBuf *b) { b->data = b->small; b->len = 0; b->cap = 64; }
static void ib_free(IntBuf *b) { if (b->data != b->small) PyMem_Free(b->data); }

static int ib_push(IntBuf *b, long v)
{
    if (v < 0 || v > INT_MAX) return FALLBACK;
    if (b->len == b->cap) {
        Py_ssize_t cap = b->cap * 2;
        int *d = PyMem_Malloc(sizeof(int) * cap);
        if (d == NULL) { PyErr_NoMemory(); return FAILED; }
        memcpy(d, b->data, sizeof(int) * b->len);
        if (b->data != b->small) PyMem_Free(b->data);
        b->data = d;
        b->cap = cap;
    }
    b->data[b->len++] = (int)v;
    return OK;
}

static int ib_mark(IntBuf *b, const yaml_mark_t *m)
{
    int rc;
    if ((rc = ib_push(b, (long)m->line)) != OK) return rc;
    if ((rc = ib_push(b, (long)m->column)) != OK) return rc;
    return ib_push(b, (long)m->index);
}

/* A container's table starts with its start mark and room for its end mark... */
static int ib_open(IntBuf *b, const yaml_mark_t *start)
{
    int rc;
    ib_init(b);
    if ((rc = ib_mark(b, start)) != OK) return rc;
    return ib_mark(b, start);
}

/* ...which is filled in when the container's end event comes. */
static int ib_close(IntBuf *b, const yaml_mark_t *end)
{
    if (end->index > INT_MAX) return FALLBACK;  /* then line and column fit too */
    b->data[3] = (int)end->line;
    b->data[4] = (int)end->column;
    b->data[5] = (int)end->index;
    return OK;
}

typedef struct {
    yaml_parser_t parser;
    yaml_event_t event;  /* the current event; `have` says whether it must be deleted */
    int have;
} Reader;

static int next_event(Reader *r)
{
    if (r->have) { yaml_event_delete(&r->event); r->have = 0; }
    if (!yaml_parser_parse(&r->parser, &r->event)) return FALLBACK;  /* PyYAML says why */
    r->have = 1;
    return OK;
}

/* An exception from Python code: an ordinary error means "let PyYAML decide"; anything
 * that is not an Exception (KeyboardInterrupt, SystemExit) or MemoryError propagates. */
static int python_failed(void)
{
    if (PyErr_ExceptionMatches(PyExc_Exception) && !PyErr_ExceptionMatches(PyExc_MemoryError)) {
        PyErr_Clear();
        return FALLBACK;
    }
    return FAILED;
}

/* Style codes stored in the position table for a scalar value; 0 marks a container. */
static int style_code(yaml_scalar_style_t style)
{
    switch (style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: return '\'';
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return '"';
    case YAML_LITERAL_SCALAR_STYLE: return '|';
    case YAML_FOLDED_SCALAR_STYLE: return '>';
    default: return 'p';
    }
}

/* The value of the scalar in r->event; *out is a new reference. `key` asks for a string. */
static int scalar_value(Reader *r, int key, PyObject **out)
{
    yaml_event_t *e = &r->event;
    if (e->data.scalar.anchor != NULL || e->data.scalar.tag != NULL) return FALLBACK;
    const char *text = (const char *)e->data.scalar.value;
    Py_ssize_t n = (Py_ssize_t)e->data.scalar.length;
    PyObject *s = PyUnicode_DecodeUTF8(text, n, "strict");
    if (s == NULL) return python_failed();
    if (!e->data.scalar.plain_implicit || !(S.resolve_all || n == 0 ||
                                             S.resolve_first[(unsigned char)text[0]])) {
        if (key) INTERN(&s);
        *out = s;  /* quoted, block, or plain text no resolver could claim: a string */
        return OK;
    }
    PyObject *v = PyDict_GetItemWithError(S.cache, s);
    if (v != NULL) {
        Py_INCREF(v);
    } else if (PyErr_Occurred()) {
        Py_DECREF(s);
        return python_failed();
    } else {
        v = PyObject_CallOneArg(S.plain, s);
        if (v == NULL) { Py_DECREF(s); return python_failed(); }
    }
    if (v == S.unsure || (key && !PyUnicode_CheckExact(v))) {
        /* a merge key, a value key, a key that is not a string: PyYAML's to build */
        Py_DECREF(v);
        Py_DECREF(s);
        return FALLBACK;
    }
    if (key && v != s) {
        Py_DECREF(v);  /* a string key equal to its text: keep the interned text */
        INTERN(&s);
        *out = s;
        return OK;
    }
    Py_DECREF(s);
    *out = v;
    return OK;
}

static int build(Reader *r, int depth, PyObject **out);

/* Store the position table (and, for a mapping, the tuple of its keys) in obj.node. */
static int attach(PyObject *obj, IntBuf *b, PyObject *keys)
{
    PyObject *table = PyBytes_FromStringAndSize((const char *)b->data, b->len * (Py_ssize_t)sizeof(int));
    if (table == NULL) return python_failed();
    PyObject *packed = keys == NULL ? PyTuple_Pack(1, table) : PyTuple_Pack(2, table, keys);
    Py_DECREF(table);
    if (packed == NULL) return python_failed();
    int rc = PyObject_SetAttr(obj, S.node_name, packed);
    Py_DECREF(packed);
    return rc < 0 ? python_failed() : OK;
}

/* The mapping whose start event is r->event. Table: start and end marks (line, column,
 * index each), then per entry the key's mark, the value's mark and the value's style. */
static int build_mapping(Reader *r, int depth, PyObject **out)
{
    yaml_event_t *e = &r->event;
    const char *tag = (const char *)e->data.mapping_start.tag;
    if (e->data.mapping_start.anchor != NULL || (tag != NULL && strcmp(tag, "!") != 0))
        return FALLBACK;
    PyObject *map = PyDict_Type.tp_new((PyTypeObject *)S.map_cls, S.empty, NULL);
    if (map == NULL) return python_failed();
    PyObject *keys = PyList_New(0);
    if (keys == NULL) { Py_DECREF(map); return python_failed(); }
    IntBuf b;
    int rc = ib_open(&b, &e->start_mark);
    if (rc != OK) goto done;
    for (;;) {
        if ((rc = next_event(r)) != OK) goto done;
        if (r->event.type == YAML_MAPPING_END_EVENT) break;
        if (r->event.type != YAML_SCALAR_EVENT) { rc = FALLBACK; goto done; }
        yaml_mark_t kmark = r->event.start_mark;
        PyObject *key = NULL, *value = NULL;
        if ((rc = scalar_value(r, 1, &key)) != OK) goto done;
        if ((rc = next_event(r)) != OK) { Py_DECREF(key); goto done; }
        yaml_mark_t vmark = r->event.start_mark;
        int style = r->event.type == YAML_SCALAR_EVENT ? style_code(r->event.data.scalar.style) : 0;
        if ((rc = build(r, depth + 1, &value)) != OK) { Py_DECREF(key); goto done; }
        Py_ssize_t before = PyDict_GET_SIZE(map);
        int set = PyDict_SetItem(map, key, value);
        if (set == 0) set = PyList_Append(keys, key);
        Py_DECREF(key);
        Py_DECREF(value);
        if (set < 0) { rc = python_failed(); goto done; }
        if (PyDict_GET_SIZE(map) == before) { rc = FALLBACK; goto done; }  /* a duplicate key */
        if ((rc = ib_mark(&b, &kmark)) != OK || (rc = ib_mark(&b, &vmark)) != OK ||
            (rc = ib_push(&b, style)) != OK)
            goto done;
    }
    if ((rc = ib_close(&b, &r->event.end_mark)) != OK) goto done;
    {
        PyObject *tuple = PyList_AsTuple(keys);
        if (tuple == NULL) { rc = python_failed(); goto done; }
        rc = attach(map, &b, tuple);
        Py_DECREF(tuple);
    }
done:
    ib_free(&b);
    Py_DECREF(keys);
    if (rc != OK) { Py_DECREF(map); return rc; }
    *out = map;
    return OK;
}

/* The sequence whose start event is r->event. Table: start and end marks, then per item
 * its mark and style. */
static int build_sequence(Reader *r, int depth, PyObject **out)
{
    yaml_event_t *e = &r->event;
    const char *tag = (const char *)e->data.sequence_start.tag;
    if (e->data.sequence_start.anchor != NULL || (tag != NULL && strcmp(tag, "!") != 0))
        return FALLBACK;
    PyObject *seq = PyList_Type.tp_new((PyTypeObject *)S.seq_cls, S.empty, NULL);
    if (seq == NULL) return python_failed();
    IntBuf b;
    int rc = ib_open(&b, &e->start_mark);
    if (rc != OK) goto done;
    for (;;) {
        if ((rc = next_event(r)) != OK) goto done;
        if (r->event.type == YAML_SEQUENCE_END_EVENT) break;
        yaml_mark_t mark = r->event.start_mark;
        int style = r->event.type == YAML_SCALAR_EVENT ? style_code(r->event.data.scalar.style) : 0;
        PyObject *item = NULL;
        if ((rc = build(r, depth + 1, &item)) != OK) goto done;
        int added = PyList_Append(seq, item);
        Py_DECREF(item);
        if (added < 0) { rc = python_failed(); goto done; }
        if ((rc = ib_mark(&b, &mark)) != OK || (rc = ib_push(&b, style)) != OK) goto done;
    }
    if ((rc = ib_close(&b, &r->event.end_mark)) == OK) rc = attach(seq, &b, NULL);
done:
    ib_free(&b);
    if (rc != OK) { Py_DECREF(seq); return rc; }
    *out = seq;
    return OK;
}

/* The node whose first event is r->event (left on its last event). */
static int build(Reader *r, int depth, PyObject **out)
{
    if (depth > MAX_DEPTH) return FALLBACK;
    switch (r->event.type) {
    case YAML_SCALAR_EVENT: return scalar_value(r, 0, out);
    case YAML_MAPPING_START_EVENT: return build_mapping(r, depth, out);
    case YAML_SEQUENCE_START_EVENT: return build_sequence(r, depth, out);
    default: return FALLBACK;  /* an alias, or an event PyYAML must explain */
    }
}

static PyObject *load(PyObject *self, PyObject *args)
{
    PyObject *text;
    Py_ssize_t max_documents;
    if (!PyArg_ParseTuple(args, "Un:load", &text, &max_documents)) return NULL;
    if (!S.configured) {
        PyErr_SetString(PyExc_RuntimeError, "_fastyaml.configure() was not called");
        return NULL;
    }
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    if (utf8 == NULL) {  /* lone surrogates: PyYAML decides what they are */
        if (python_failed() == FAILED) return NULL;
        Py_RETURN_NONE;
    }
    PyObject *docs = PyList_New(0);
    if (docs == NULL) return NULL;
    Reader r;
    r.have = 0;
    if (!yaml_parser_initialize(&r.parser)) { Py_DECREF(docs); return PyErr_NoMemory(); }
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)utf8, (size_t)size);
    int rc = next_event(&r);
    if (rc == OK && r.event.type != YAML_STREAM_START_EVENT) rc = FALLBACK;
    while (rc == OK) {
        if ((rc = next_event(&r)) != OK) break;
        if (r.event.type == YAML_STREAM_END_EVENT) break;
        if (r.event.type != YAML_DOCUMENT_START_EVENT ||
            r.event.data.document_start.version_directive != NULL ||
            r.event.data.document_start.tag_directives.start !=
                r.event.data.document_start.tag_directives.end) {
            rc = FALLBACK;  /* %YAML and %TAG directives: PyYAML's to judge */
            break;
        }
        if (PyList_GET_SIZE(docs) >= max_documents) { rc = FALLBACK; break; }
        PyObject *doc = NULL;
        if ((rc = next_event(&r)) != OK || (rc = build(&r, 0, &doc)) != OK) break;
        int added = PyList_Append(docs, doc);
        Py_DECREF(doc);
        if (added < 0) { rc = python_failed(); break; }
        if ((rc = next_event(&r)) != OK) break;
        if (r.event.type != YAML_DOCUMENT_END_EVENT) rc = FALLBACK;
    }
    if (r.have) yaml_event_delete(&r.event);
    yaml_parser_delete(&r.parser);
    if (rc == OK) return docs;
    Py_DECREF(docs);
    if (rc == FAILED) return NULL;
    Py_RETURN_NONE;
}

static PyObject *configure(PyObject *self, PyObject *args)
{
    PyObject *map_cls, *seq_cls, *plain, *cache, *unsure, *first;
    int resolve_all;
    if (!PyArg_ParseTuple(args, "O!O!OO!OUp:configure", &PyType_Type, &map_cls, &PyType_Type,
                          &seq_cls, &plain, &PyDict_Type, &cache, &unsure, &first, &resolve_all))
        return NULL;
    if (!PyType_IsSubtype((PyTypeObject *)map_cls, &PyDict_Type) ||
        !PyType_IsSubtype((PyTypeObject *)seq_cls, &PyList_Type)) {
        PyErr_SetString(PyExc_TypeError, "configure() needs a dict and a list subclass");
        return NULL;
    }
    Py_ssize_t n;
    const char *chars = PyUnicode_AsUTF8AndSize(first, &n);
    if (chars == NULL) return NULL;
    memset(S.resolve_first, 0, sizeof S.resolve_first);
    for (Py_ssize_t i = 0; i < n; i++) S.resolve_first[(unsigned char)chars[i]] = 1;
    /* a resolver for a non-ASCII first character would be keyed by a multi-byte text:
     * every text whose first byte is not ASCII is then sent to Python */
    for (Py_ssize_t i = 0; i < n; i++)
        if ((unsigned char)chars[i] >= 0x80)
            for (int c = 0x80; c < 256; c++) S.resolve_first[c] = 1;
    Py_XSETREF(S.map_cls, Py_NewRef(map_cls));
    Py_XSETREF(S.seq_cls, Py_NewRef(seq_cls));
    Py_XSETREF(S.plain, Py_NewRef(plain));
    Py_XSETREF(S.cache, Py_NewRef(cache));
    Py_XSETREF(S.unsure, Py_NewRef(unsure));
    if (S.node_name == NULL && (S.node_name = PyUnicode_InternFromString("node")) == NULL)
        return NULL;
    if (S.empty == NULL && (S.empty = PyTuple_New(0)) == NULL) return NULL;
    S.resolve_all = resolve_all;
    S.configured = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(map_cls, seq_cls, plain, cache, unsure, first_chars, resolve_all)"},
    {"load", load, METH_VARARGS,
     "load(text, max_documents) -> list of documents, or None for PyYAML to parse"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "_fastyaml",
    .m_doc = "YAML documents built straight from libyaml events (see scanner/parse/yaml.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__fastyaml(void) { return PyModule_Create(&module); }
